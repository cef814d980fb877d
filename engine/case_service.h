// CaseService: the command path. Load (snapshot, then events) → decide (pure) → append with the
// expected version and a condition on the consent stream's version, so a consent withdrawal that
// commits first makes the command retry rather than slip through.
//
// Every refusal after input validation is recorded on "refusal:<case or subject>" (command,
// code, field names, actor — never values) without touching the case, subject or consent stream.
// Status codes and "code" context follow engine/state_machine.h, plus:
//   kNotFound          not_found (unknown case or subject, or a case of another unit)
//   kAborted           version_conflict (+ "current_version")
//   kAlreadyExists     case_open (+ "case_id"); idempotency_key_reused
//   kFailedPrecondition erased
// Logs name cases and subjects by id only.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/case_state.h"
#include "engine/clock.h"
#include "engine/consent.h"
#include "engine/definition_registry.h"
#include "engine/guard.h"
#include "engine/state_machine.h"
#include "engine/striped_locks.h"
#include "engine/subject_keys.h"
#include "storage/erasure_ledger.h"
#include "storage/log.h"

namespace casetrail::engine {

struct RequestContext {
  Actor actor;
  std::string legal_basis;
  std::string idempotency_key;          // optional
  std::string idempotency_fingerprint;  // keyed hash of the request body
};

struct CommandResult {
  std::string case_id;
  uint64_t version = 0;
  std::string state;
  std::optional<std::string> pace;
  bool deduplicated = false;
};

struct SubjectInput {
  std::string personal_number;  // any accepted spelling
  std::string name;
  std::string gender;           // female | male | unknown
  std::string phone;
  std::string email;
};

struct SubjectState {
  uint64_t version = 0;
  bool erased = false;
  bool legal_hold = false;      // blocks retention erasure (not an Art. 17 erasure)
  Timestamp registered_at{};
  std::string gender;
  std::string age_band;
  std::vector<std::string> cases;  // in the order they were opened
  bool Exists() const { return version > 0; }
};

struct ErasureResult {
  std::string erased_at;
  std::vector<std::string> cases;  // every case of the subject; open ones were closed `erased`
};

// A rectification (GDPR Art. 16): only the fields given change; `reason` is optional free text,
// sealed with them.
struct Rectification {
  std::optional<std::string> name;
  std::optional<std::string> phone;  // "" removes it
  std::optional<std::string> email;  // "" removes it
  std::optional<std::string> personal_number;  // any accepted spelling
  std::string reason;
};

struct RegisterResult {
  std::string subject_id;
  bool created = false;
};

class CaseService {
 public:
  CaseService(storage::Log* log, SubjectKeys* keys, const DefinitionRegistry* definitions,
              const GuardTable* guards, Clock* clock, std::string workflow);

  // The workflow's model (its newest version in the registry; an empty model allows nothing).
  const WorkflowModel& model() const;
  const std::string& workflow() const { return workflow_; }

  Result<RegisterResult> RegisterSubject(const RequestContext& ctx, const SubjectInput& input);
  Result<std::optional<std::string>> LookupSubject(const std::string& personal_number);
  // Rectification (GDPR Art. 16), by a role that may `rectify_subject` (a role bound to a unit:
  // only while its unit holds one of the person's cases): SubjectRectified on the subject stream with the corrected fields sealed
  // like the originals (facts: the names of the fields, never values). A new personal number
  // moves the lookup index under the subject's lock, atomically with the event (see
  // SubjectKeys::BeginMove); a number registered to someone else is refused (number_in_use).
  // Codes: not_found, erased, forbidden, invalid_field, invalid_personal_number, number_in_use.
  Result<uint64_t> RectifySubject(const RequestContext& ctx, const std::string& subject_id, const Rectification& in);
  Result<uint64_t> GrantConsent(const RequestContext& ctx, const std::string& subject_id,
                                const std::vector<std::string>& scopes, const std::string& method,
                                const std::string& evidence_ref);
  // That the person was informed about the processing (GDPR Art. 13/14), under which of the
  // model's notice versions and how: SubjectInformed on the subject stream (`record_notice`).
  // Codes: not_found, erased, forbidden, invalid_field.
  Result<uint64_t> RecordNotice(const RequestContext& ctx, const std::string& subject_id,
                                const std::string& notice_version, const std::string& method);
  // A role bound to a unit grants only for a person with no open case or an open case of its unit,
  // and withdraws only while its unit holds the person's open case (forbidden otherwise). A role
  // that may `withdraw_on_request` but not `record_consent` records a withdrawal only as the
  // person's own request (`on_request`; forbidden otherwise); the event says so either way.
  // Withdrawing a scope that `closes_cases` (engine/model.h) closes the subject's open cases in the
  // same atomic append.
  Result<uint64_t> WithdrawConsent(const RequestContext& ctx, const std::string& subject_id,
                                   const std::vector<std::string>& scopes, bool on_request = false);

  // Erasure (GDPR Art. 17) by crypto-shredding, by a role that may `erase_subject`: the ledger entry first (the
  // durable intent), then SubjectErased on the subject stream with CaseClosed{erased} on its open
  // cases in one append, then the subject's key and index entry shredded from disk. The legal
  // hold is decided, and the ledger and the event written, under the subject's lock, which
  // SetLegalHold takes too: a hold recorded first wins (refused `legal_hold`, and recorded). Events stay
  // in the chain, so replay and Verify() keep working; their sealed fields can no longer be opened.
  Result<ErasureResult> EraseSubject(const RequestContext& ctx, const std::string& subject_id,
                                     const std::string& legal_basis, const std::string& reference);
  // Retention ("gallring"): the same crypto-shredding under a rule of the retention policy; the
  // subject stream records GallringExecuted{rule, decision_ref} instead of SubjectErased.
  Result<ErasureResult> EraseByRetention(const std::string& subject_id, const std::string& rule_id,
                                         const std::string& decision_ref);
  // A legal hold (a role that may `legal_hold`) blocks erasure, on request and by retention, until lifted
  // (Art. 17(3)(e): data needed for legal claims).
  Result<uint64_t> SetLegalHold(const RequestContext& ctx, const std::string& subject_id, bool placed,
                                const std::string& reference);
  // Re-applies every ledger entry (after a restore or a crash mid-erasure): records an erasure the
  // log lacks and shreds a key that is back. Returns how many entries needed work.
  Result<int> ReapplyErasures();
  // Rolls back every registration whose keys were written but whose SubjectRegistered never
  // reached the log (a crash or a failed append between the two stores); commits the intent of
  // one that did. Returns how many were rolled back.
  Result<int> RepairRegistrations();
  // Finishes every index move whose rectification reached the log; drops the others.
  Result<int> RepairMoves();
  // Everything a start must do before serving: RepairRegistrations, RepairMoves, then
  // ReapplyErasures.
  // Returns how many repairs of either kind were needed.
  Result<int> RepairAtStart();
  // Erasure needs the ledger of the data directory (DIR/erasure-ledger).
  void SetErasureLedger(storage::ErasureLedger* ledger) { ledger_ = ledger; }
  // How guards resolve a record a command refers to (engine/guard.h). Without one, a reference is
  // checked by its form only.
  void SetReferenceLookup(ReferenceLookup lookup) { lookup_ = std::move(lookup); }

  // OpenCase: an initial command of the newest adopted revision creates a case for the subject;
  // `command` names which ("": the revision's first). A name that is not an initial command of
  // that revision is refused unknown_command.
  Result<CommandResult> OpenCase(const RequestContext& ctx, const std::string& subject_id,
                                 const Fields& fields, const std::string& command = "");
  // Any other case command. Without `expected_version`, decides against the latest version and
  // retries on a concurrent change instead of answering version_conflict.
  Result<CommandResult> Execute(const RequestContext& ctx, const std::string& case_id, const Command& command,
                                std::optional<uint64_t> expected_version);

  // The case as of its `at_version`-th event (nullopt: latest), from the newest snapshot at or
  // below it. `use_snapshots` false folds from the first event (for checks and tests).
  Result<CaseState> LoadCase(const std::string& case_id, std::optional<uint64_t> at_version = std::nullopt,
                             bool use_snapshots = true);
  Result<SubjectState> LoadSubject(const std::string& subject_id);
  Result<ConsentState> LoadConsent(const std::string& subject_id);

  // Writes a snapshot every this many case events.
  static constexpr uint64_t kSnapshotEvery = 20;

 private:
  Result<CommandResult> ExecuteOnce(const RequestContext& ctx, const std::string& case_id, const Command& command,
                                    std::optional<uint64_t> expected_version);
  // `spec`: the command refused (nullptr when unknown); given names that are not its fields are
  // counted in the record, never written.
  Status RecordRefusal(const RequestContext& ctx, const std::string& stream_owner, const std::string& command,
                       const Status& why, const Fields& fields, const CommandSpec* spec = nullptr);
  Result<std::vector<storage::EventToAppend>> Seal(const std::string& subject_id, std::vector<PendingEvent> events);
  Result<const WorkflowDefinition*> DefinitionFor(int revision) const;
  // Adds CaseClosed{reason, caused_by} for each open case of the subject to `req`.
  Result<std::vector<std::string>> CloseOpenCases(const SubjectState& subject, const EventMeta& cause_meta,
                                                  const std::string& cause, const std::string& reason,
                                                  storage::AppendRequest* req);
  // Appends SubjectErased and closes the subject's open cases; retries on concurrent change.
  Result<std::vector<std::string>> RecordErasure(const Actor& actor, const storage::ErasureEntry& entry);
  // Ledger entry, erasure event, shred: the steps shared by Art. 17 erasure and retention.
  Result<ErasureResult> EraseWithEntry(const Actor& actor, const SubjectState& subject,
                                       const storage::ErasureEntry& entry);
  void MaybeSnapshot(const std::string& case_id, uint64_t before, uint64_t after);
  // A command with a `corrects` field (an event position): the position must be an event of
  // `case_id` (refused event_not_in_case), recorded by `actor` unless its role may `correct_any`
  // (refused forbidden).
  Status CheckCorrection(const Actor& actor, const std::string& case_id, int64_t position);
  // The unit of the subject's open case, if one is open.
  Result<std::optional<std::string>> OpenCaseUnit(const SubjectState& subject);

  storage::Log* log_;
  SubjectKeys* keys_;
  const DefinitionRegistry* definitions_;
  const GuardTable* guards_;
  Clock* clock_;
  std::string workflow_;
  storage::ErasureLedger* ledger_ = nullptr;
  ReferenceLookup lookup_;
  StripedLocks number_locks_;   // one registration per personal number at a time
  StripedLocks subject_locks_;  // erasure, retention and legal holds of one subject, in turn
};

// Stream names.
inline StreamId CaseStream(const std::string& id) { return StreamId("case:" + id); }
inline StreamId SubjectStream(const std::string& id) { return StreamId("subject:" + id); }
inline StreamId ConsentStream(const std::string& id) { return StreamId("consent:" + id); }
inline StreamId RefusalStream(const std::string& id) { return StreamId("refusal:" + id); }

}  // namespace casetrail::engine
