// The reminder book: every timer the workflow definitions derive from case events (see
// engine/timers.h), with what became of it — scheduled, due, sent (ReminderFired on
// "reminder:<case>"), or cancelled (its trigger no longer holds) — and the delivery of each fired
// reminder through the outbox (Delivery* events on "outbox:<channel>:<reminder id>"). A projection like the
// others: folded from the log, rebuilt at start. No personal data: ids, kinds and times.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/consent.h"
#include "engine/definition_registry.h"
#include "engine/state_machine.h"
#include "engine/timers.h"
#include "replay/read_model_checkpoints.h"
#include "storage/log.h"

namespace casetrail::replay {

struct Reminder {
  std::string id, name, kind, case_id;
  engine::Timestamp due_at{};
  bool fired = false;
  engine::Timestamp sent_at{};
  bool cancelled = false;  // the trigger stopped holding before it fired
  // The case closed (a terminal state, a consent withdrawal included) after this fired: an
  // undelivered reminder is then cancelled rather than sent.
  bool case_closed = false;
  // Delivery through the outbox, per channel ("webhook", "email").
  struct Delivery {
    int attempts = 0;
    int outcomes = 0;  // DeliverySucceeded + DeliveryFailed + DeliveryInDoubt
    int in_doubt = 0;  // attempts whose outcome a crash hid (DeliveryInDoubt)
    bool delivered = false;
    bool dead_lettered = false;
    bool cancelled = false;
    engine::Timestamp last_attempt_at{};
    // An attempt is on record without an outcome: the process died while sending it.
    bool Unresolved() const { return attempts > outcomes; }
    std::string State() const;
  };
  std::map<std::string, Delivery> deliveries;
  // scheduled | due | sent | cancelled, at `now`.
  std::string Status(engine::Timestamp now) const;
};

class ReminderBook {
 public:
  explicit ReminderBook(const engine::DefinitionRegistry* registry) : registry_(registry) {}

  void Apply(const storage::RecordedEvent& record);
  Position position() const;

  // Checkpoint body (replay/reminders_checkpoint.cc): the book at `*at`, the last event folded.
  // DecodeState replaces everything with such a body (false: unusable, nothing changed).
  std::string EncodeState(FoldedTo* at) const;
  bool DecodeState(std::string_view body, const FoldedTo& at);
  static constexpr uint32_t kCheckpointFormat = (1u << 8) | engine::kFoldVersion;
  static constexpr char kCheckpointName[] = "reminders";

  // Pending timers due at `now` that have not fired.
  std::vector<Reminder> Due(engine::Timestamp now) const;
  // Fired reminders whose delivery on `channel` is not finished (delivered, dead-lettered or
  // cancelled).
  std::vector<Reminder> Undelivered(const std::string& channel) const;
  // Every case seen with every unit it has belonged to (a transferred case is listed by the list
  // jobs under each unit it was in at a list's time), and the earliest referral.
  std::vector<std::pair<std::string, std::string>> Cases() const;
  std::optional<engine::Timestamp> EarliestReferral() const;
  // By status ("all" for every one), ordered by due time; with `case_id`, that case's only (looked
  // up by the case, not by a scan).
  std::vector<Reminder> List(const std::string& status, engine::Timestamp now, const std::string& case_id = "") const;

 private:
  void Recompute(const std::string& case_id);

  const engine::DefinitionRegistry* registry_;
  mutable std::mutex mu_;
  struct CaseTimers {
    engine::CaseState state;
    engine::TimerInputs inputs;
    std::set<std::string> pending;  // ids currently derived
    std::set<std::string> fired;    // ids fired for this case
    std::set<std::string> units;    // every unit the case has belonged to
  };
  void MarkClosed(CaseTimers& c);
  std::map<std::string, CaseTimers> cases_;
  std::map<std::string, engine::ConsentState> consents_;           // per subject
  std::map<std::string, std::set<std::string>> cases_of_subject_;  // subject → case ids
  std::map<std::string, Reminder> reminders_;
  std::map<std::string, std::set<std::string>> ids_of_case_;  // case id → its reminders' ids
  // (due_at, id) of every timer pending and not fired: what Due() reads, without a full scan
  // on every worker pass.
  std::set<std::pair<engine::Timestamp, std::string>> armed_;
  FoldedTo folded_;
};

}  // namespace casetrail::replay
