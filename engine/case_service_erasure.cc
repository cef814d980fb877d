// CaseService: erasure (GDPR Art. 17) by crypto-shredding, retention erasures, legal holds and
// the re-application of the erasure ledger. See engine/case_service.h for the contract.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "engine/case_service.h"
#include "engine/case_service_internal.h"
#include "engine/personal_number.h"

namespace casetrail::engine {

using detail::IdempotencyReused;
using detail::kMaxRetries;
using detail::NotFoundCode;
using detail::Request;

Result<std::vector<std::string>> CaseService::RecordErasure(const Actor& actor, const storage::ErasureEntry& entry) {
  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    CT_ASSIGN_OR_RETURN(SubjectState subject, LoadSubject(entry.subject_id));
    if (subject.erased) return subject.cases;
    CT_ASSIGN_OR_RETURN(Timestamp erased_at, ParseRfc3339(entry.erased_at));
    // Retention entries carry "retention:<rule id>" as their legal basis.
    const bool retention = entry.legal_basis.rfind("retention:", 0) == 0;
    Event e;
    e.type = retention ? "GallringExecuted" : "SubjectErased";
    e.meta.actor = actor;
    e.meta.legal_basis = entry.legal_basis;
    e.meta.recorded_at = clock_->Now();
    e.meta.effective_at = erased_at;
    e.meta.subject_id = entry.subject_id;
    e.meta.command = "EraseSubject";
    if (retention) {
      e.facts = {{"rule", entry.legal_basis.substr(10)}, {"decision_ref", entry.reference}};
    } else {
      e.facts = {{"legal_basis", entry.legal_basis}, {"reference", entry.reference}};
    }
    storage::AppendRequest req;
    req.writes.push_back({SubjectStream(entry.subject_id), storage::ExpectedVersion::Exact(subject.version),
                          {{e.type, EncodeEvent(e)}}});
    const std::string cause = "subject:" + entry.subject_id + "@" + std::to_string(subject.version + 1);
    CT_RETURN_IF_ERROR(CloseOpenCases(subject, e.meta, cause, "erased", &req).status());
    auto r = log_->Append(req);
    if (!r.ok() && r.status().code() == StatusCode::kAborted) continue;  // a case moved: decide again
    if (!r.ok()) return r.status();
    return subject.cases;
  }
  return Unavailable("erasure kept conflicting with concurrent commands");
}

Result<ErasureResult> CaseService::EraseSubject(const RequestContext& ctx, const std::string& subject_id,
                                                const std::string& legal_basis, const std::string& reference) {
  // Free text, as the person who erases writes it (API.md), up to 200 characters. It is stored
  // in clear in the log and the ledger, so it may not hold a personal number (it would outlive
  // the erasure it records) nor control characters.
  // Characters, not bytes: "§ 3, beslut om gallring" in Swedish is longer in UTF-8 than on the
  // page. Continuation bytes (10xxxxxx) do not start a character.
  auto is_text = [](const std::string& v) {
    const auto chars = std::count_if(v.begin(), v.end(), [](char ch) { return (static_cast<unsigned char>(ch) & 0xC0) != 0x80; });
    return !v.empty() && chars <= 200 && std::none_of(v.begin(), v.end(), [](char ch) {
      return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f;
    });
  };
  if (legal_basis.rfind("retention:", 0) == 0) {
    return Refusal(StatusCode::kInvalidArgument, "invalid_field", "retention: is reserved for the retention job")
        .With("field", "legal_basis");
  }
  for (const auto& [name, value] : {std::pair{"legal_basis", &legal_basis}, std::pair{"reference", &reference}}) {
    if (!is_text(*value)) {
      return Refusal(StatusCode::kInvalidArgument, "invalid_field",
                     "a legal basis and a reference are required: text of 1 to 200 characters, one line")
          .With("field", name);
    }
    if (ContainsPersonalNumber(*value, detail::Year(clock_->Now()))) {
      return Refusal(StatusCode::kInvalidArgument, "personal_data_in_text",
                     "the text holds a personal identity number, which would be kept in clear beyond the erasure")
          .With("field", name);
    }
  }
  if (!model().May(ctx.actor.role, "erase_subject")) {
    return Refusal(StatusCode::kPermissionDenied, "forbidden", "role may not erase subjects");
  }
  if (!ledger_) return FailedPrecondition("erasure needs the data directory's erasure ledger");
  std::lock_guard subject_lock(subject_locks_.For(subject_id));
  CT_ASSIGN_OR_RETURN(SubjectState subject, LoadSubject(subject_id));
  if (!subject.Exists()) return NotFoundCode("subject");
  if (subject.erased && keys_->HasKey(subject_id)) {
    // An earlier erasure recorded its event but failed before the shred: finish it.
    CT_RETURN_IF_ERROR(keys_->Shred(subject_id));
    return ErasureResult{FormatRfc3339(clock_->Now()), subject.cases};
  }
  if (subject.erased) return Refusal(StatusCode::kFailedPrecondition, "erased", "subject was erased");
  if (subject.legal_hold) {
    Status held = Refusal(StatusCode::kFailedPrecondition, "legal_hold", "a legal hold blocks erasure");
    CT_RETURN_IF_ERROR(RecordRefusal(ctx, subject_id, "EraseSubject", held, {}));
    return held;
  }
  return EraseWithEntry(ctx.actor, subject, {subject_id, FormatRfc3339(clock_->Now()), legal_basis, reference});
}

Result<ErasureResult> CaseService::EraseWithEntry(const Actor& actor, const SubjectState& subject,
                                                  const storage::ErasureEntry& entry) {
  if (!ledger_) return FailedPrecondition("erasure needs the data directory's erasure ledger");
  CT_RETURN_IF_ERROR(ledger_->Append(entry));
  CT_ASSIGN_OR_RETURN(auto cases, RecordErasure(actor, entry));
  CT_RETURN_IF_ERROR(keys_->Shred(entry.subject_id));
  // The legal basis is free text: not in the log line.
  spdlog::info("subject {} erased ({} cases)", entry.subject_id, cases.size());
  (void)subject;
  return ErasureResult{entry.erased_at, std::move(cases)};
}

Result<ErasureResult> CaseService::EraseByRetention(const std::string& subject_id, const std::string& rule_id,
                                                    const std::string& decision_ref) {
  const Actor actor{"retention", "system", "", "system", ""};  // the engine acts, under a rule
  std::lock_guard subject_lock(subject_locks_.For(subject_id));
  CT_ASSIGN_OR_RETURN(SubjectState subject, LoadSubject(subject_id));
  if (!subject.Exists()) return NotFoundCode("subject");
  if (subject.erased) return Refusal(StatusCode::kFailedPrecondition, "erased", "subject was erased");
  if (subject.legal_hold) {
    Status held = Refusal(StatusCode::kFailedPrecondition, "legal_hold", "a legal hold blocks retention");
    CT_RETURN_IF_ERROR(RecordRefusal(RequestContext{actor, "retention:" + rule_id, "", ""}, subject_id,
                                     "EraseByRetention", held, {}));
    return held;
  }
  return EraseWithEntry(actor, subject,
                        {subject_id, FormatRfc3339(clock_->Now()), "retention:" + rule_id, decision_ref});
}

Result<uint64_t> CaseService::SetLegalHold(const RequestContext& ctx, const std::string& subject_id, bool placed,
                                           const std::string& reference) {
  if (reference.empty() || reference.size() > 100 || reference.find_first_of("\t\n") != std::string::npos) {
    return Refusal(StatusCode::kInvalidArgument, "invalid_field", "a reference is required").With("field", "reference");
  }
  CT_RETURN_IF_ERROR(RefuseIfPersonalNumber("reference", reference));  // kept in clear
  if (!model().May(ctx.actor.role, "legal_hold")) {
    return Refusal(StatusCode::kPermissionDenied, "forbidden", "role may not set legal holds");
  }
  std::lock_guard subject_lock(subject_locks_.For(subject_id));
  CT_ASSIGN_OR_RETURN(SubjectState subject, LoadSubject(subject_id));
  if (!subject.Exists()) return NotFoundCode("subject");
  if (subject.erased) return Refusal(StatusCode::kFailedPrecondition, "erased", "subject was erased");
  Event e = detail::SubjectEvent(placed ? "LegalHoldPlaced" : "LegalHoldLifted", ctx, clock_->Now(), subject_id,
                                 placed ? "PlaceLegalHold" : "LiftLegalHold");
  e.facts = {{"reference", reference}};
  storage::AppendRequest req = Request(ctx);
  req.writes.push_back({SubjectStream(subject_id), storage::ExpectedVersion::Exact(subject.version), {{e.type, EncodeEvent(e)}}});
  auto r = log_->Append(req);
  if (!r.ok() && r.status().code() == StatusCode::kAborted) {
    return Status(StatusCode::kAborted, "the subject changed concurrently").With("code", "version_conflict");
  }
  if (!r.ok() && r.status().code() == StatusCode::kAlreadyExists) return IdempotencyReused();
  if (!r.ok()) return r.status();
  return r->stream_versions[0].value();
}

Result<int> CaseService::RepairRegistrations() {
  CT_ASSIGN_OR_RETURN(auto pending, keys_->PendingIntents());
  int rolled_back = 0;
  for (const auto& subject_id : pending) {
    CT_ASSIGN_OR_RETURN(StreamVersion registered, log_->CurrentVersion(SubjectStream(subject_id)));
    if (registered.value() > 0) {
      CT_RETURN_IF_ERROR(keys_->CommitIntent(subject_id));  // the append made it; only the intent was left
      continue;
    }
    CT_RETURN_IF_ERROR(keys_->Shred(subject_id));
    spdlog::info("registration of subject {} never reached the log; rolled back", subject_id);
    ++rolled_back;
  }
  return rolled_back;
}

Result<int> CaseService::RepairAtStart() {
  CT_ASSIGN_OR_RETURN(int registrations, RepairRegistrations());
  CT_ASSIGN_OR_RETURN(int moves, RepairMoves());
  CT_ASSIGN_OR_RETURN(int erasures, ReapplyErasures());
  return registrations + moves + erasures;
}

Result<int> CaseService::ReapplyErasures() {
  if (!ledger_) return 0;
  CT_ASSIGN_OR_RETURN(auto entries, ledger_->ReadAll());
  int applied = 0;
  for (const auto& entry : entries) {
    CT_ASSIGN_OR_RETURN(SubjectState subject, LoadSubject(entry.subject_id));
    const bool key_back = keys_->HasKey(entry.subject_id);
    if (subject.erased && !key_back) continue;
    if (!subject.Exists() && !key_back) continue;  // the restored log predates the subject
    if (subject.Exists() && !subject.erased) {
      CT_RETURN_IF_ERROR(RecordErasure(Actor{"engine", "system", "", "system", ""}, entry).status());
    }
    if (key_back) CT_RETURN_IF_ERROR(keys_->Shred(entry.subject_id));
    spdlog::info("erasure of subject {} re-applied from the ledger", entry.subject_id);
    ++applied;
  }
  return applied;
}

}  // namespace casetrail::engine
