// The strategic group's indicators: GET /v1/indicators, POST/GET /v1/indicators/snapshots,
// POST /v1/activities (A1); and the period-end snapshots the worker takes (J10).
#pragma once

#include <optional>
#include <string>

#include "adapters/http/routes.h"
#include "replay/indicators.h"

namespace casetrail::adapters {

class IndicatorRoutes : private ModelChecks {
 public:
  struct Deps {
    storage::Log* log = nullptr;
    engine::CaseService* service = nullptr;
    const engine::DefinitionRegistry* registry = nullptr;
    engine::Clock* clock = nullptr;
    replay::LiveIndicators* indicators = nullptr;
    int suppress_below = 5;  // strategic cells from 1 to this − 1 are hidden (replay/suppression.h)
  };
  explicit IndicatorRoutes(Deps deps) : ModelChecks(deps.service), d_(std::move(deps)) {}
  void Register(RouteTable& routes);
  // J10, for the worker: the suppressed report of `period` (a unit, or the total) recorded as
  // IndicatorSnapshotTaken by "worker:snapshots" once (key "snapshot:<period>:<unit|all>").
  // Returns false when it was already taken.
  Result<bool> TakeScheduledSnapshot(const std::string& period, const std::optional<std::string>& unit);
 private:
  ApiResponse GetIndicators(Call& c);
  ApiResponse TakeIndicatorSnapshot(Call& c);
  // Appends IndicatorSnapshotTaken (once under `idempotency_key`, if given); answers
  // {"snapshot","content_hash","report","deduplicated"}.
  Result<boost::json::object> RecordSnapshot(const std::string& period, const std::optional<std::string>& unit,
                                             const engine::Actor& actor, const std::string& idempotency_key);
  ApiResponse ListIndicatorSnapshots(Call& c);
  ApiResponse RecordGroupActivity(Call& c);
  Result<boost::json::object> IndicatorReport(const std::string& period, const std::optional<std::string>& unit,
                                              bool suppress);

  Deps d_;
};

// Reads ?year=|period= and ?unit= (from the query, or a body's fields); 400 on anything else.
// Shared by the indicators and the decision audit.
Result<std::pair<std::string, std::optional<std::string>>> IndicatorScope(
    const ModelChecks& checks, const std::map<std::string, std::string>& query, const boost::json::object* body);
}  // namespace casetrail::adapters
