#include "replay/case_rebuild.h"

#include <algorithm>

#include "engine/state_machine.h"

namespace casetrail::replay {

Result<std::vector<engine::StoredEvent>> ReadCaseEvents(storage::Log& log, const std::string& case_id) {
  return ReadStreamEvents(log, StreamId("case:" + case_id));
}

Result<std::vector<engine::StoredEvent>> ReadStreamEvents(storage::Log& log, const StreamId& stream) {
  std::vector<engine::StoredEvent> out;
  CT_ASSIGN_OR_RETURN(auto records, log.ReadStream(stream, StreamVersion(1), storage::Direction::kForward, SIZE_MAX));
  out.reserve(records.size());
  for (const auto& r : records) {
    CT_ASSIGN_OR_RETURN(engine::StoredEvent e, engine::DecodeStored(r));
    out.push_back(std::move(e));
  }
  return out;
}

Result<engine::CaseState> Rebuild(const std::vector<engine::StoredEvent>& events, const AsOf& as_of,
                                  const engine::DefinitionRegistry& registry) {
  std::vector<const engine::StoredEvent*> chosen;
  for (const auto& e : events) {
    if (as_of.Selects(e)) chosen.push_back(&e);
  }
  if (as_of.effective_by) {
    std::stable_sort(chosen.begin(), chosen.end(), [](const auto* a, const auto* b) {
      if (a->event.meta.effective_at != b->event.meta.effective_at) return a->event.meta.effective_at < b->event.meta.effective_at;
      return a->position < b->position;
    });
  }
  engine::CaseState state;
  uint64_t highest = 0;
  for (const auto* e : chosen) {
    const engine::WorkflowDefinition* def = registry.Find(e->event.meta.workflow, e->event.meta.revision);
    if (!def) return Internal("event recorded under an unknown workflow revision");
    engine::Apply(state, *e, *def);
    highest = std::max(highest, e->version.value());
  }
  state.version = highest;
  return state;
}

}  // namespace casetrail::replay
