// The strategic group's records and decision audit: POST/GET /v1/decisions, POST/GET
// /v1/deviations, POST /v1/deviations/{id}/handled, GET /v1/audits/decisions, POST /v1/audits/samples.
#pragma once

#include <optional>
#include <string>

#include "adapters/http/routes.h"

namespace casetrail::adapters {

class StrategicRoutes : private ModelChecks {
 public:
  struct Deps {
    storage::Log* log = nullptr;
    engine::CaseService* service = nullptr;
    const engine::DefinitionRegistry* registry = nullptr;
    engine::Clock* clock = nullptr;
    int suppress_below = 5;  // the decision audit's counts, for the strategic role
  };
  explicit StrategicRoutes(Deps deps) : ModelChecks(deps.service), d_(std::move(deps)) {}
  void Register(RouteTable& routes);

 private:
  ApiResponse RecordDecision(Call& c);
  ApiResponse ListDecisions(Call& c);
  ApiResponse ReportDeviation(Call& c);
  ApiResponse HandleDeviation(Call& c, const std::string& id);
  ApiResponse ListDeviations(Call& c);
  ApiResponse DecisionAuditReport(Call& c);
  ApiResponse DrawAuditSample(Call& c);

  Deps d_;
};

}  // namespace casetrail::adapters
