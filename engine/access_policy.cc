#include "engine/access_policy.h"

#include "engine/state_machine.h"

namespace casetrail::engine {

bool RoleSeesCases(const std::string& role) {
  return role == "af_officer" || role == "syv" || role == "compliance";
}

Status CheckCaseVisible(const Actor& actor, const CaseState& state) {
  if (!RoleSeesCases(actor.role)) {
    return Refusal(StatusCode::kPermissionDenied, "forbidden", "this role sees no cases");
  }
  if (actor.role == "af_officer" && actor.unit != state.unit) {
    return Status(StatusCode::kNotFound, "case not found").With("code", "not_found");
  }
  return Status::Ok();
}

bool ShowsSubject(const Actor& actor, const ConsentState& consent, Timestamp at) {
  if (actor.role == "compliance" || actor.role == "af_officer") return true;
  if (actor.role == "syv") return consent.Covers("transfer_referral", at);
  return false;
}

bool ShowsEventData(const Actor& actor, const EventSpec& spec, const ConsentState& consent, Timestamp at) {
  if (actor.role == "af_officer" && spec.party == "vux") {
    return !spec.share_scope.empty() && consent.Covers(spec.share_scope, at);
  }
  return true;  // facts of AF and system events, and everything for syv and compliance
}

bool ShowsPersonal(const Actor& actor, const EventSpec& spec, const ConsentState& consent, Timestamp at) {
  if (actor.role == "compliance") return true;
  if (actor.role == "af_officer") return ShowsEventData(actor, spec, consent, at);
  if (actor.role == "syv") return spec.party == "vux" || consent.Covers("transfer_referral", at);
  return false;
}

bool ShowsPace(const Actor& actor, const ConsentState& consent, Timestamp at) {
  return actor.role != "af_officer" || consent.Covers("share_study_progress", at);
}

std::string DefaultPurpose(const Actor& actor) {
  return actor.role == "compliance" ? "compliance_review" : "case_handling";
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
