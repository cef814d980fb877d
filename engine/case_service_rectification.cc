// CaseService: rectification of a subject's personal data (GDPR Art. 16) and the repair of an
// index move cut short. See engine/case_service.h for the contract.
#include <spdlog/spdlog.h>

#include <mutex>

#include "engine/case_service.h"
#include "engine/case_service_internal.h"
#include "engine/personal_number.h"
#include "storage/base/failpoint.h"

namespace casetrail::engine {

using detail::NotFoundCode;

using detail::AgeBand;
using detail::NewId;
using detail::Year;

namespace {
Status Invalid(const std::string& field, const std::string& why) {
  return Refusal(StatusCode::kInvalidArgument, "invalid_field", field + " " + why).With("field", field);
}
}  // namespace

Result<uint64_t> CaseService::RectifySubject(const RequestContext& ctx, const std::string& subject_id,
                                             const Rectification& in) {
  // Validation first, in the order of API.md: fields, the number, then the role.
  if (!in.name && !in.phone && !in.email && !in.personal_number) return Invalid("name", "or another field is required");
  if (in.name && (in.name->empty() || in.name->size() > 200)) return Invalid("name", "must be 1 to 200 characters");
  if (in.phone && in.phone->size() > 40) return Invalid("contact", "phone must be at most 40 characters");
  if (in.email && in.email->size() > 200) return Invalid("contact", "email must be at most 200 characters");
  if (in.reason.size() > 200) return Invalid("reason", "must be at most 200 characters");
  std::optional<PersonalNumber> number;
  if (in.personal_number) {
    auto pn = ParsePersonalNumber(*in.personal_number, Year(clock_->Now()));
    if (!pn.ok()) {
      return Status(StatusCode::kInvalidArgument, std::string(pn.status().message())).With("code", "invalid_personal_number");
    }
    number = *pn;
  }
  const RoleSpec* role = model().Role(ctx.actor.role);
  if (!role || !role->may.count("rectify_subject")) {
    return Refusal(StatusCode::kPermissionDenied, "forbidden", "role may not rectify subjects");
  }

  std::unique_lock subject_lock(subject_locks_.For(subject_id), std::defer_lock);
  std::unique_lock number_lock(number_locks_.For(number ? number->canonical : std::string()), std::defer_lock);
  if (number) {
    std::lock(subject_lock, number_lock);
  } else {
    subject_lock.lock();
  }
  CT_ASSIGN_OR_RETURN(SubjectState subject, LoadSubject(subject_id));
  if (!subject.Exists()) return NotFoundCode("subject");
  if (role->UnitBound()) {
    bool holds = false;
    for (const auto& case_id : subject.cases) {
      CT_ASSIGN_OR_RETURN(CaseState c, LoadCase(case_id));
      holds = holds || c.unit == ctx.actor.unit;
    }
    if (!holds) return Refusal(StatusCode::kPermissionDenied, "forbidden", "this role rectifies only people whose case its unit holds");
  }
  if (subject.erased || !keys_->HasKey(subject_id)) {
    return Refusal(StatusCode::kFailedPrecondition, "erased", "subject was erased");
  }
  bool moves = false;
  if (number) {
    CT_ASSIGN_OR_RETURN(auto owner, keys_->FindByNumber(number->canonical));
    if (owner && *owner != subject_id) {
      return Refusal(StatusCode::kAlreadyExists, "number_in_use", "the personal number belongs to another subject");
    }
    moves = !owner;
  }

  Event e = detail::SubjectEvent("SubjectRectified", ctx, clock_->Now(), subject_id, "RectifySubject");
  Fields personal;
  std::vector<std::string> names;
  auto put = [&](const char* name, const std::optional<std::string>& v) {
    if (!v) return;
    personal[name] = v->empty() ? Value{} : Value{*v};  // "" removes a contact detail (reads null)
    names.push_back(name);
  };
  put("name", in.name);
  put("phone", in.phone);
  put("email", in.email);
  if (number) {
    personal["personal_number"] = number->canonical;
    personal["birth_year"] = int64_t{number->birth_year};
    names.push_back("personal_number");
    e.facts["age_band"] = AgeBand(Year(clock_->Now()) - number->birth_year);
  }
  if (!in.reason.empty()) personal["rectification_reason"] = in.reason;
  e.facts["fields"] = names;
  // A random id ties the event to its index move (RepairMoves): nothing derived from the number
  // reaches the log, where it would outlive an erasure.
  const std::string move_id = moves ? NewId("M-") : std::string();
  if (moves) e.facts["move"] = move_id;
  CT_ASSIGN_OR_RETURN(e.sealed, keys_->Seal(subject_id, personal));

  if (moves) CT_RETURN_IF_ERROR(keys_->BeginMove(subject_id, move_id, number->canonical));
  storage::AppendRequest req = detail::Request(ctx);
  req.writes.push_back({SubjectStream(subject_id), storage::ExpectedVersion::Exact(subject.version), {{e.type, EncodeEvent(e)}}});
  auto r = log_->Append(req);
  if (!r.ok()) {
    if (moves) keys_->DropMove(subject_id).IgnoreError();
    if (r.status().code() == StatusCode::kAborted) {
      return Status(StatusCode::kAborted, "the subject changed concurrently").With("code", "version_conflict");
    }
    if (r.status().code() == StatusCode::kAlreadyExists) return detail::IdempotencyReused();
    return r.status();
  }
  if (moves) {
    CT_FAILPOINT("rectify-before-index-move");  // crash tests: the event is on record, the index not yet
    CT_RETURN_IF_ERROR(keys_->FinishMove(subject_id));
  }
  spdlog::info("subject {} rectified ({} field(s))", subject_id, names.size());
  return r->stream_versions[0].value();
}

Result<int> CaseService::RepairMoves() {
  CT_ASSIGN_OR_RETURN(auto moves, keys_->PendingMoves());
  int finished = 0;
  for (const auto& [subject_id, move_id] : moves) {
    CT_ASSIGN_OR_RETURN(auto events, log_->ReadStream(SubjectStream(subject_id), StreamVersion(1),
                                                      storage::Direction::kForward, SIZE_MAX));
    // Moves of one subject run under its lock and are resolved here before any other: only the
    // latest rectification can be this move's.
    bool recorded = false;
    for (const auto& rec : events) {
      if (rec.type != "SubjectRectified") continue;
      CT_ASSIGN_OR_RETURN(Event e, DecodeEvent(rec.type, rec.data));
      const auto* id = AsText(e.facts, "move");
      recorded = id && *id == move_id;
    }
    if (recorded) {
      CT_RETURN_IF_ERROR(keys_->FinishMove(subject_id));
      spdlog::info("index move of subject {} finished at start", subject_id);
      ++finished;
    } else {
      CT_RETURN_IF_ERROR(keys_->DropMove(subject_id));
    }
  }
  return finished;
}

}  // namespace casetrail::engine
