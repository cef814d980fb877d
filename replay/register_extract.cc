#include "replay/register_extract.h"

#include "engine/access_policy.h"
#include "replay/case_rebuild.h"
#include "replay/subject_personal.h"

namespace casetrail::replay {

namespace {

// Opens the event's sealed fields, naming each in `shown`; marks it erased once the key is gone.
OpenedEvent Open(const engine::StoredEvent& e, engine::SubjectKeys& keys, const std::string& subject,
                 std::set<std::string>* shown) {
  OpenedEvent out{e, {}, false};
  if (e.event.sealed.empty()) return out;
  auto opened = keys.Open(subject, e.event.sealed);
  if (!opened.ok()) {
    out.erased = true;
    return out;
  }
  for (const auto& [k, v] : *opened) shown->insert(k);
  out.opened = std::move(*opened);
  return out;
}

}  // namespace

const ProcessingStatement& CooperationProcessing() {
  static const ProcessingStatement kStatement{
      {"Arbetsförmedlingen", "Stockholms stad, arbetsmarknadsförvaltningen (Vux)"},
      {"Arbetsförmedlingen: the referring unit", "Stockholms stad: study and career counsellors (SYV)",
       "compliance officers of both parties"},
      {"case_handling: referral, guidance conversation, study planning and follow-up",
       "compliance_review: audit of decisions and reads", "statistics: aggregate indicators without personal data"},
      {"consent (Art. 6(1)(a)) for the transfer of data between the parties",
       "public task (Art. 6(1)(e)) for each party's own records"},
      "personal data is crypto-shredded on an upheld erasure request, or by the retention policy a "
      "set time after the subject's cases end (docs/gdpr.md), unless a legal hold applies; the audit "
      "chain keeps only ids, codes and sealed data"};
  return kStatement;
}

Result<std::optional<RegisterExtract>> BuildRegisterExtract(storage::Log& log, engine::SubjectKeys& keys,
                                                            const engine::DefinitionRegistry& registry,
                                                            const std::string& subject_id,
                                                            const engine::SubjectState& state, const Reader& reader) {
  CT_ASSIGN_OR_RETURN(auto personal, SubjectPersonal(log, keys, subject_id));
  if (!personal) return std::optional<RegisterExtract>();
  RegisterExtract x;
  x.subject_id = subject_id;
  x.personal = std::move(*personal);
  x.gender = state.gender;
  x.age_band = state.age_band;
  x.shown = {"name", "personal_number", "contact"};

  CT_ASSIGN_OR_RETURN(auto consents, ReadStreamEvents(log, engine::ConsentStream(subject_id)));
  for (const auto& e : consents) x.consents.push_back(Open(e, keys, subject_id, &x.shown));
  for (const auto& case_id : state.cases) {
    CT_ASSIGN_OR_RETURN(auto events, ReadCaseEvents(log, case_id));
    CT_ASSIGN_OR_RETURN(engine::CaseState folded, Rebuild(events, {}, registry));
    ExtractCase c{case_id, folded.unit, folded.state, folded.closed_reason, {}};
    for (const auto& e : events) c.events.push_back(Open(e, keys, subject_id, &x.shown));
    x.cases.push_back(std::move(c));
  }
  CT_ASSIGN_OR_RETURN(auto access, ReadStreamEvents(log, engine::AccessStream(subject_id)));
  for (auto& e : access) {
    if (e.event.type == "PersonalDataRead") x.reads.push_back(e);
    if (e.event.type == "SubjectLookedUp") x.lookups.push_back(e);
  }

  // The extract is itself a read of everything it shows; recorded before it is returned.
  x.generated_at = reader.at;
  engine::ReadRecord read{reader.actor, subject_id, "", {x.shown.begin(), x.shown.end()}, reader.purpose, true, reader.at};
  CT_RETURN_IF_ERROR(engine::RecordRead(log, read));

  // That, when and by whom the data was rectified (Art. 16), with the names of the fields: the
  // current values are in `personal`; earlier ones are not repeated. Which privacy notice the
  // person was given, when, how and by whom (Art. 13/14).
  CT_ASSIGN_OR_RETURN(auto subject_events, ReadStreamEvents(log, engine::SubjectStream(subject_id)));
  for (auto& e : subject_events) {
    if (e.event.type == "SubjectRectified") x.rectifications.push_back(e);
    if (e.event.type == "SubjectInformed") x.notices.push_back(e);
  }
  return std::optional<RegisterExtract>(std::move(x));
}

}  // namespace casetrail::replay
