// Cases: POST /v1/cases, POST /v1/cases/{id}/commands, GET /v1/cases/{id}, …/events,
// POST …/responsible, GET /v1/cases.
#pragma once

#include <optional>
#include <string>

#include "adapters/http/routes.h"
#include "replay/case_directory.h"

namespace casetrail::adapters {

// A case's events and latest state, if the caller may see it (not_found, forbidden otherwise).
struct VisibleCase {
  std::vector<engine::StoredEvent> events;
  engine::CaseState latest;
};
Result<VisibleCase> LoadVisibleCase(storage::Log& log, const engine::DefinitionRegistry& registry,
                                    const engine::WorkflowModel& model, const Call& c, const std::string& case_id);

class CaseRoutes : private ModelChecks {
 public:
  struct Deps {
    storage::Log* log = nullptr;
    engine::CaseService* service = nullptr;
    engine::SubjectKeys* keys = nullptr;
    const engine::DefinitionRegistry* registry = nullptr;
    engine::Clock* clock = nullptr;
    replay::CaseDirectory* directory = nullptr;
    const RequestHashes* hashes = nullptr;
  };
  explicit CaseRoutes(Deps deps) : ModelChecks(deps.service), d_(std::move(deps)) {}
  void Register(RouteTable& routes);

 private:
  ApiResponse OpenCase(Call& c);
  ApiResponse ExecuteCommand(Call& c, const std::string& case_id);
  ApiResponse GetCase(Call& c, const std::string& case_id);
  ApiResponse GetEvents(Call& c, const std::string& case_id);
  ApiResponse ListCases(Call& c);
  ApiResponse TakeResponsibility(Call& c, const std::string& case_id);
  Result<VisibleCase> LoadVisibleCase(const Call& c, const std::string& case_id) const {
    return adapters::LoadVisibleCase(*d_.log, *d_.registry, Model(), c, case_id);
  }

  Deps d_;
};

}  // namespace casetrail::adapters
