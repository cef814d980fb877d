#include "engine/access_policy.h"

#include "engine/state_machine.h"

namespace casetrail::engine {

namespace {

bool Shown(const Visibility& v, const EventSpec* spec, const ConsentState& consent, Timestamp at) {
  switch (v.kind) {
    case Visibility::Kind::kAlways: return true;
    case Visibility::Kind::kNever: return false;
    case Visibility::Kind::kConsent: return consent.Covers(v.scope, at);
    case Visibility::Kind::kShareScope: return spec && !spec->share_scope.empty() && consent.Covers(spec->share_scope, at);
  }
  return false;
}

}  // namespace

bool RoleSeesCases(const WorkflowModel& model, const std::string& role) {
  const RoleSpec* r = model.Role(role);
  return r && r->SeesCases();
}

Status CheckCaseVisible(const WorkflowModel& model, const Actor& actor, const CaseState& state) {
  const RoleSpec* r = model.Role(actor.role);
  if (!r || !r->SeesCases()) {
    return Refusal(StatusCode::kPermissionDenied, "forbidden", "this role sees no cases");
  }
  if (r->UnitBound() && actor.unit != state.unit) {
    return Status(StatusCode::kNotFound, "case not found").With("code", "not_found");
  }
  return Status::Ok();
}

bool ShowsSubject(const WorkflowModel& model, const Actor& actor, const ConsentState& consent, Timestamp at) {
  const RoleSpec* r = model.Role(actor.role);
  return r && Shown(r->subject, nullptr, consent, at);
}

bool ShowsEventData(const WorkflowModel& model, const Actor& actor, const EventSpec& spec,
                    const ConsentState& consent, Timestamp at) {
  const RoleSpec* r = model.Role(actor.role);
  return r && Shown(r->RuleFor(spec.party).data, &spec, consent, at);
}

bool ShowsPersonal(const WorkflowModel& model, const Actor& actor, const EventSpec& spec,
                   const ConsentState& consent, Timestamp at) {
  const RoleSpec* r = model.Role(actor.role);
  if (!r || !r->SeesCases()) return false;
  const ReadRule rule = r->RuleFor(spec.party);
  return Shown(rule.data, &spec, consent, at) && Shown(rule.personal, &spec, consent, at);
}

bool ShowsPace(const WorkflowModel& model, const Actor& actor, const ConsentState& consent, Timestamp at) {
  const RoleSpec* r = model.Role(actor.role);
  return r && Shown(r->pace, nullptr, consent, at);
}

std::string DefaultPurpose(const WorkflowModel& model, const Actor& actor) {
  const RoleSpec* r = model.Role(actor.role);
  return r ? r->purpose : std::string();
}

Status RecordRead(storage::Log& log, const ReadRecord& r) {
  Event e;
  e.type = "PersonalDataRead";
  e.meta.actor = r.actor;
  e.meta.recorded_at = e.meta.effective_at = r.at;
  e.meta.subject_id = r.subject_id;
  e.meta.correlation_id = r.case_id;
  e.facts = {{"case_id", r.case_id},
             {"fields", r.fields},
             {"purpose", r.purpose},
             {"outcome", std::string(r.granted ? "granted" : "redacted")}};
  storage::AppendRequest req;
  req.writes.push_back({AccessStream(r.subject_id), storage::ExpectedVersion::Any(), {{e.type, EncodeEvent(e)}}});
  auto result = log.Append(req);
  if (!result.ok()) return Status(StatusCode::kUnavailable, "the read record could not be written").With("code", "unavailable");
  return Status::Ok();
}

}  // namespace casetrail::engine
