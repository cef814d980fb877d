// Data protection: GET /v1/cases/{id}/audit (replay/case_audit.h), GET /v1/subjects/{id}/extract
// (replay/register_extract.h), POST …/erasure, …/legal-hold, …/legal-hold/lift, POST /v1/retention/run.
#pragma once

#include <optional>
#include <string>

#include "adapters/http/routes.h"
#include "engine/retention.h"

namespace casetrail::adapters {

class GdprRoutes : private ModelChecks {
 public:
  struct Deps {
    storage::Log* log = nullptr;
    engine::CaseService* service = nullptr;
    engine::SubjectKeys* keys = nullptr;
    const engine::DefinitionRegistry* registry = nullptr;
    engine::Clock* clock = nullptr;
    const engine::RetentionPolicy* retention = nullptr;  // nullptr: 409 retention_not_configured
    const RequestHashes* hashes = nullptr;
  };
  explicit GdprRoutes(Deps deps) : ModelChecks(deps.service), d_(std::move(deps)) {}
  void Register(RouteTable& routes);

 private:
  ApiResponse EraseSubject(Call& c, const std::string& subject);
  ApiResponse Extract(Call& c, const std::string& subject);
  ApiResponse Audit(Call& c, const std::string& case_id);
  ApiResponse LegalHold(Call& c, const std::string& subject, bool placed);
  ApiResponse RunRetention(Call& c);

  Deps d_;
};

}  // namespace casetrail::adapters
