// That the person was told about the processing (GDPR Art. 13/14), and with which notice.
#include <algorithm>

#include "engine/case_service.h"
#include "engine/case_service_internal.h"

namespace casetrail::engine {

using detail::NotFoundCode;
using detail::Request;

Result<uint64_t> CaseService::RecordNotice(const RequestContext& ctx, const std::string& subject_id,
                                           const std::string& notice_version, const std::string& method) {
  const WorkflowModel& m = model();
  auto listed = [](const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  if (!listed(m.notice_versions, notice_version)) {
    return Refusal(StatusCode::kInvalidArgument, "invalid_field", "not a notice version of the model").With("field", "notice_version");
  }
  if (!listed(m.notice_methods, method)) {
    return Refusal(StatusCode::kInvalidArgument, "invalid_field", "not a notice method of the model").With("field", "method");
  }
  if (!m.May(ctx.actor.role, "record_notice")) {
    return Refusal(StatusCode::kPermissionDenied, "forbidden", "role may not record notices");
  }
  CT_ASSIGN_OR_RETURN(SubjectState subject, LoadSubject(subject_id));
  if (!subject.Exists()) return NotFoundCode("subject");
  if (subject.erased) return Refusal(StatusCode::kFailedPrecondition, "erased", "subject was erased");
  Event e = detail::SubjectEvent("SubjectInformed", ctx, clock_->Now(), subject_id, "RecordNotice");
  e.facts = {{"notice_version", notice_version}, {"method", method}};
  storage::AppendRequest req = Request(ctx);
  req.writes.push_back({SubjectStream(subject_id), storage::ExpectedVersion::Any(), {{e.type, EncodeEvent(e)}}});
  auto r = log_->Append(req);
  if (!r.ok() && r.status().code() == StatusCode::kAlreadyExists) return detail::IdempotencyReused();
  if (!r.ok()) return r.status();
  return r->stream_versions[0].value();
}

}  // namespace casetrail::engine
