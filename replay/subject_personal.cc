#include "replay/subject_personal.h"

#include "engine/event.h"

namespace casetrail::replay {

Result<std::optional<engine::Fields>> SubjectPersonal(storage::Log& log, engine::SubjectKeys& keys,
                                                      const std::string& subject) {
  CT_ASSIGN_OR_RETURN(auto records, log.ReadStream(StreamId("subject:" + subject), StreamVersion(1),
                                                   storage::Direction::kForward, SIZE_MAX));
  engine::Fields merged;
  for (const auto& r : records) {
    if (r.type != "SubjectRegistered" && r.type != "SubjectRectified") continue;
    CT_ASSIGN_OR_RETURN(engine::Event e, engine::DecodeEvent(r.type, r.data));
    auto opened = keys.Open(subject, e.sealed);
    if (!opened.ok()) {
      if (opened.status().code() == StatusCode::kNotFound) return std::optional<engine::Fields>();
      return opened.status();
    }
    for (auto& [k, v] : *opened) merged[k] = v;
  }
  return std::optional<engine::Fields>(std::move(merged));
}

}  // namespace casetrail::replay
