#include "engine/responsibility.h"

namespace casetrail::engine {

Result<uint64_t> AssignResponsible(storage::Log& log, const Actor& actor, const std::string& case_id,
                                   const std::string& party, const std::string& person, Timestamp now) {
  Event e;
  e.type = "ResponsiblePersonAssigned";
  e.meta.actor = actor;
  e.meta.legal_basis = "public_task";
  e.meta.recorded_at = e.meta.effective_at = now;
  e.meta.correlation_id = case_id;
  e.facts = {{"case_id", case_id}, {"party", party}, {"person", person}};
  storage::AppendRequest req;
  req.writes.push_back({ResponsibleStream(case_id), storage::ExpectedVersion::Any(), {{e.type, EncodeEvent(e)}}});
  CT_ASSIGN_OR_RETURN(auto r, log.Append(req));
  return r.stream_versions[0].value();
}

}  // namespace casetrail::engine
