#include "replay/decision_register.h"

#include <map>

#include "engine/cooperation_records.h"
#include "replay/case_rebuild.h"

namespace casetrail::replay {

Result<std::vector<engine::StoredEvent>> ReadDecisionRegister(storage::Log& log) {
  return ReadStreamEvents(log, engine::DecisionStream());
}

Result<std::vector<DeviationRecord>> ReadDeviationLog(storage::Log& log) {
  std::map<std::string, DeviationRecord> by_id;
  Position from(1);
  for (;;) {
    CT_ASSIGN_OR_RETURN(auto batch, log.ReadAll(from, 8192));
    if (batch.empty()) break;
    from = Position(batch.back().position.value() + 1);
    for (const auto& r : batch) {
      if (r.type != "DeviationReported" && r.type != "DeviationHandled") continue;
      CT_ASSIGN_OR_RETURN(auto e, engine::DecodeStored(r));
      const std::string id = r.stream.value().substr(std::string_view("deviation:").size());
      if (r.type == "DeviationReported") {
        by_id[id] = DeviationRecord{id, std::move(e), {}};
      } else if (auto it = by_id.find(id); it != by_id.end()) {
        it->second.handling.push_back(std::move(e));
      }
    }
  }
  std::vector<DeviationRecord> out;
  for (auto& [id, d] : by_id) out.push_back(std::move(d));
  return out;
}

}  // namespace casetrail::replay
