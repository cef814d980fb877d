// Rebuild of a case as it stood: after its N-th event (`version`), as recorded by a time
// (`as_of`: only events the system had learnt by then), and as effective at a time (`valid_at`:
// events that had happened by then, as known now, folded in effective order with ties broken by
// position). The three combine. DOMAIN §3.6, API.md `GET /v1/cases/{id}`.
#pragma once

#include <optional>
#include <vector>

#include "engine/case_state.h"
#include "engine/definition_registry.h"
#include "engine/event.h"
#include "storage/log.h"

namespace casetrail::replay {

struct AsOf {
  std::optional<uint64_t> version;
  std::optional<engine::Timestamp> recorded_by;   // as_of
  std::optional<engine::Timestamp> effective_by;  // valid_at (exclusive bound)
  bool Any() const { return version || recorded_by || effective_by; }
  // Whether the event is inside these bounds.
  bool Selects(const engine::StoredEvent& e) const {
    return !(version && e.version.value() > *version) && !(recorded_by && e.event.meta.recorded_at > *recorded_by) &&
           !(effective_by && e.event.meta.effective_at >= *effective_by);
  }
};

// Every event of the case, decoded, in stream order.
Result<std::vector<engine::StoredEvent>> ReadCaseEvents(storage::Log& log, const std::string& case_id);
// Every event of any stream (subject, consent, access, refusal), decoded, in stream order.
Result<std::vector<engine::StoredEvent>> ReadStreamEvents(storage::Log& log, const StreamId& stream);

// Folds the events selected by `as_of`. The result's `version` is the highest stream version
// folded; an empty state (version 0) means nothing matched.
Result<engine::CaseState> Rebuild(const std::vector<engine::StoredEvent>& events, const AsOf& as_of,
                                  const engine::DefinitionRegistry& registry);

}  // namespace casetrail::replay
