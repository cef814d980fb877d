// The strategic group's cadences (DOMAIN §4.5 J8, J9, J12) and the cooperation's activities
// (§5.1 A1, A2): POST/GET /v1/strategic-meetings, POST /v1/cooperation-activities,
// GET /v1/cadences; and the "activities" block of GET /v1/indicators. The worker's side is
// adapters/workers/governance_jobs.h. Records hold dates, counts and codes: no personal data.
#pragma once

#include <optional>
#include <string>

#include "adapters/http/routes.h"

namespace casetrail::adapters {

class CadenceRoutes : private ModelChecks {
 public:
  struct Deps {
    storage::Log* log = nullptr;
    engine::CaseService* service = nullptr;
    engine::Clock* clock = nullptr;
  };
  explicit CadenceRoutes(Deps deps) : ModelChecks(deps.service), d_(std::move(deps)) {}
  void Register(RouteTable& routes);

 private:
  ApiResponse RecordStrategicMeeting(Call& c);
  ApiResponse ListStrategicMeetings(Call& c);
  ApiResponse RecordCooperationActivity(Call& c);
  ApiResponse GetCadences(Call& c);

  Deps d_;
};

// The "activities" block of the indicators answer (A1's group activities and A2's listed
// activities) for the Stockholm dates [from, to), of `unit` or all of `model`'s units.
Result<boost::json::object> ActivitiesReport(storage::Log& log, const engine::WorkflowModel& model,
                                             const std::string& from, const std::string& to,
                                             const std::optional<std::string>& unit);

}  // namespace casetrail::adapters
