// The worker (DOMAIN §4.5 jobs J5, J6, J7, J13–J15 as the workflow definitions declare them;
// J1–J4 around the follow-up lists and meetings, adapters/workers/list_jobs.h; J10 period-end
// indicator snapshots; J11 the daily retention run): on a polling thread that follows the server clock (so --manual-clock
// drives it), it fires every due timer of the reminder book exactly once — ReminderFired on
// "reminder:<case>" with the timer's deterministic id as the idempotency key — and delivers each
// fired reminder through the outbox to the configured webhooks.
//
// Delivery: HTTP POST of {"id","kind","case_id","due_at","link"} (ids and links, never personal
// data) with X-Casetrail-Delivery and Idempotency-Key: <id> and X-Casetrail-Signature:
// sha256=<HMAC-SHA256 of the body under the webhook secret>. Every attempt and outcome is an event
// on "outbox:<channel>:<id>": DeliveryAttempted (before the send), DeliverySucceeded,
// DeliveryFailed, DeliveryDeadLettered (after max_attempts failures, with exponential backoff
// between attempts), DeliveryCancelled (the case closed first). An attempt a crash cut short
// (attempted, no outcome) is recorded as DeliveryInDoubt and sent again at once with
// X-Casetrail-Redelivery: 1 — the only way a receiver ever sees an id twice, and its dedupe by id
// makes that a no-op (exactly-once effect over an at-least-once wire).
#pragma once

#include <atomic>
#include <functional>
#include <set>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/workers/list_jobs.h"
#include "adapters/workers/smtp_client.h"
#include "engine/case_service.h"
#include "engine/clock.h"
#include "engine/retention.h"
#include "replay/follow_up_lists.h"
#include "replay/reminders.h"
#include "storage/log.h"

namespace casetrail::adapters {

struct Webhook {
  std::string host;
  uint16_t port = 80;
  std::string path = "/";
  std::string secret;
};

// Parses http://HOST:PORT/PATH (plain HTTP; put TLS in a local proxy).
Result<Webhook> ParseWebhook(const std::string& url, std::string secret);

struct WorkerOptions {
  std::vector<Webhook> webhooks;
  std::optional<SmtpTarget> smtp;
  int max_attempts = 5;
  std::chrono::seconds backoff{30};  // before attempt 2; doubles after each failure
  std::chrono::milliseconds poll{500};
  replay::ListCalendar calendar;  // J1–J4 timing (serve --calendar FILE)
  // J11: with a retention policy (serve --retention FILE), the worker runs it once a day at this
  // Stockholm hour, unless a run (by the route or the CLI) is already on record for that day.
  const engine::RetentionPolicy* retention = nullptr;
  engine::CaseService* service = nullptr;  // which erases
  int retention_hour = 2;
};

class ReminderWorker {
 public:
  ReminderWorker(storage::Log* log, const engine::DefinitionRegistry* registry, engine::Clock* clock,
                 WorkerOptions options);
  ~ReminderWorker();

  // J10: who records a period-end indicator snapshot (the API, which owns the report). Set before
  // Start(); without it no snapshots are taken.
  using SnapshotTaker = std::function<Result<bool>(const std::string& period, const std::optional<std::string>& unit)>;
  void SetSnapshotTaker(SnapshotTaker taker) { take_snapshot_ = std::move(taker); }

  void Start();  // the polling thread
  void Stop();
  // One pass: fire what is due, deliver what is owed. Safe to call from any thread.
  Status RunOnce();
  const replay::ReminderBook& book() const { return book_; }
  storage::SubscriptionHealth health() const { return subscription_ ? subscription_->Health() : storage::SubscriptionHealth{}; }
  // Blocks until the book has folded the log's head (or `timeout_ms` passed).
  bool CatchUp(int timeout_ms) const;

 private:
  Status Fire(const replay::Reminder& r, engine::Timestamp now);
  // One channel ("webhook": every configured webhook; "email": the SMTP target).
  Status Deliver(const replay::Reminder& r, const std::string& channel, engine::Timestamp now);
  Status RunScheduledRetention(engine::Timestamp now);
  Status TakeDueSnapshots(engine::Timestamp now);
  Status Record(const std::string& stream, const std::string& type, engine::Fields facts, engine::Timestamp now,
                const std::string& idempotency_key = "");

  storage::Log* log_;
  const engine::DefinitionRegistry* registry_;
  engine::Clock* clock_;
  WorkerOptions options_;
  replay::ReminderBook book_;
  ListJobMemory list_memory_;  // guarded by run_mu_
  std::string retention_ran_on_;  // the Stockholm date of the last run seen; guarded by run_mu_
  engine::Timestamp retention_retry_after_{};  // after a failed run; guarded by run_mu_
  SnapshotTaker take_snapshot_;
  std::set<std::string> snapshots_taken_;  // "<period>:<unit|all>" known to be on record; guarded by run_mu_
  std::unique_ptr<storage::Subscription> subscription_;
  std::mutex run_mu_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace casetrail::adapters
