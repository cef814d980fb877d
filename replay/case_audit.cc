#include "replay/case_audit.h"

#include "engine/access_policy.h"
#include "engine/case_service.h"
#include "replay/case_rebuild.h"

namespace casetrail::replay {

Result<CaseAudit> BuildCaseAudit(storage::Log& log, const engine::DefinitionRegistry& registry,
                                 const std::string& case_id, std::vector<engine::StoredEvent> events,
                                 const Reader& reader) {
  CT_ASSIGN_OR_RETURN(engine::CaseState folded, Rebuild(events, {}, registry));
  CaseAudit a;
  a.case_id = case_id;
  a.subject_id = folded.subject_id;
  a.state = folded.state;
  a.events = std::move(events);
  CT_ASSIGN_OR_RETURN(a.refused, ReadStreamEvents(log, engine::RefusalStream(case_id)));
  CT_ASSIGN_OR_RETURN(auto access, ReadStreamEvents(log, engine::AccessStream(a.subject_id)));
  for (auto& e : access) {
    const std::string* about = engine::AsText(e.event.facts, "case_id");
    if (e.event.type == "PersonalDataRead" && about && *about == case_id) a.reads.push_back(e);
  }
  std::vector<Position> positions;
  for (const auto& e : a.events) positions.push_back(e.position);
  CT_ASSIGN_OR_RETURN(a.chain, log.VerifyRecords(positions));
  CT_ASSIGN_OR_RETURN(auto subject_events, ReadStreamEvents(log, engine::SubjectStream(a.subject_id)));
  for (auto& e : subject_events) {
    if (e.event.type == "SubjectRectified") a.subject_rectifications.push_back(e);
    if (e.event.type == "SubjectErased" || e.event.type == "GallringExecuted") a.subject_erasure = e;
  }
  // The audit shows who read the case: itself a read, recorded before it is answered.
  engine::ReadRecord read{reader.actor, a.subject_id, case_id, {}, reader.purpose, true, reader.at};
  CT_RETURN_IF_ERROR(engine::RecordRead(log, read));
  return a;
}

}  // namespace casetrail::replay
