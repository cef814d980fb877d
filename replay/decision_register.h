// The strategic group's records (DOMAIN §6.3 item 9) as read models: the decision register
// (DecisionRecorded, with WorkflowRevisionAdopted and IndicatorDefinitionsAdopted recorded by the
// same decision) and the deviation log (DeviationReported and its DeviationHandled steps). Both
// are folded from the log; no personal data (free text is refused a personal number on entry).
#pragma once

#include <string>
#include <vector>

#include "engine/event.h"
#include "storage/log.h"

namespace casetrail::replay {

// The decision stream, oldest first.
Result<std::vector<engine::StoredEvent>> ReadDecisionRegister(storage::Log& log);

struct DeviationRecord {
  std::string id;  // "D-…"
  engine::StoredEvent reported;
  std::vector<engine::StoredEvent> handling;  // oldest first
  bool Handled() const { return !handling.empty(); }
};

// Every deviation, by id, with its handling: one scan of the log.
Result<std::vector<DeviationRecord>> ReadDeviationLog(storage::Log& log);

}  // namespace casetrail::replay
