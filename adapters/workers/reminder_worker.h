// The worker (DOMAIN §4.5 jobs J5, J6, J7, J13–J15 as the workflow definitions declare them;
// J1–J4 around the follow-up lists and meetings, adapters/workers/list_jobs.h; J8, J9 and J12,
// adapters/workers/governance_jobs.h; J10 period-end
// indicator snapshots; J11 the daily retention run): on a polling thread that follows the server clock (so --manual-clock
// drives it), it fires every due timer of the reminder book exactly once — ReminderFired on
// "reminder:<case>" with the timer's deterministic id as the idempotency key — and delivers each
// fired reminder through the outbox to the configured webhooks.
//
// Delivery: HTTP POST of {"id","kind","case_id","due_at","link"} (ids and links, never personal
// data) with X-Casetrail-Delivery and Idempotency-Key: <id> and X-Casetrail-Signature:
// sha256=<HMAC-SHA256 of the body under the webhook secret>. Each receiver is its own channel
// (WebhookChannel), so one that fails is retried alone and the others never see a repeat. Every
// send has a deadline (WorkerOptions::send_timeout). Jobs (firing, lists, retention, snapshots)
// and deliveries run on two threads under two locks: a slow receiver or SMTP relay holds up
// neither the jobs nor POST /v1/admin/clock. Every attempt and outcome is an event
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
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/workers/governance_jobs.h"
#include "adapters/workers/list_jobs.h"
#include "adapters/workers/smtp_client.h"
#include "engine/case_service.h"
#include "engine/clock.h"
#include "engine/retention.h"
#include "replay/follow_up_lists.h"
#include "replay/reminders.h"
#include "replay/resuming_fold.h"
#include "storage/log.h"

namespace casetrail::adapters {

struct Webhook {
  std::string url;  // as given
  std::string host;
  uint16_t port = 443;
  std::string path = "/";
  std::string secret;
  std::string channel;  // its outbox channel: WebhookChannel()
  std::string ca_file;  // --webhook-ca: trust this PEM file instead of the system's store
};

// Parses https://HOST[:PORT]/PATH (the receiver's certificate is checked: chain and name), or
// http://HOST:PORT/PATH for a loopback host only (a receiver on this machine).
Result<Webhook> ParseWebhook(const std::string& url, std::string secret);

// The outbox channel of the `index`-th --webhook: "webhook" for the first (the name logs written
// when all receivers shared one channel use, so their history carries over), and
// "webhook-<8 hex digits of a hash of HOST:PORT/PATH>" for the others, stable when flags move.
std::string WebhookChannel(size_t index, const Webhook& w);

struct WorkerOptions {
  std::vector<Webhook> webhooks;
  std::optional<SmtpTarget> smtp;
  int max_attempts = 5;
  std::chrono::seconds backoff{30};  // before attempt 2; doubles after each failure
  std::chrono::milliseconds poll{500};
  std::chrono::seconds send_timeout{10};  // one webhook POST or one SMTP conversation, connect included
  replay::ListCalendar calendar;  // J1–J4 timing (serve --calendar FILE)
  GovernanceCalendar governance;  // J8, J9, J12 dates and targets (defaults: docs/workers.md §1)
  // J11: with a retention policy (serve --retention FILE), the worker runs it once a day at this
  // Stockholm hour, unless a run (by the route or the CLI) is already on record for that day.
  const engine::RetentionPolicy* retention = nullptr;
  engine::CaseService* service = nullptr;  // which erases
  int retention_hour = 2;
  // The background threads skip their passes while this answers false; empty: always run. With
  // the log on JetStream only the writer's worker runs, so jobs and deliveries happen once for
  // the cluster, not once per node.
  std::function<bool()> active;
  // With checkpoints, the reminder book resumes from its checkpoint ("reminders") at start.
  const replay::ReadModelCheckpoints* checkpoints = nullptr;
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

  void Start();  // the jobs thread and the delivery thread
  void Stop();
  // One pass: fire what is due, deliver what is owed. Safe to call from any thread.
  Status RunOnce();
  // Fire what is due and run the due jobs (no delivery). Safe to call from any thread.
  Status RunJobs();
  // Deliver what is owed on every channel. Safe to call from any thread; one pass at a time.
  Status DeliverOwed();
  // Asks the delivery thread for a pass and waits up to `wait` for it to finish (without Start(),
  // delivers on this thread). False when the wait ran out: the pass goes on regardless.
  bool DeliverSoon(std::chrono::milliseconds wait);
  const replay::ReminderBook& book() const { return book_; }
  storage::SubscriptionHealth health() const { return fold_->Health(); }
  // Writes the reminder book's checkpoint (needs WorkerOptions::checkpoints).
  Status SaveCheckpoint() const;
  // Blocks until the book has folded the log's head (or `timeout_ms` passed).
  bool CatchUp(int timeout_ms) const;

 private:
  Status Fire(const replay::Reminder& r, engine::Timestamp now);
  // One channel: a webhook's (its Webhook::channel) or "email" (the SMTP target).
  Status Deliver(const replay::Reminder& r, const std::string& channel, engine::Timestamp now);
  void JobsLoop();
  void DeliveryLoop();
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
  GovernanceMemory governance_memory_;  // guarded by run_mu_
  std::string retention_ran_on_;  // the Stockholm date of the last run seen; guarded by run_mu_
  engine::Timestamp retention_retry_after_{};  // after a failed run; guarded by run_mu_
  SnapshotTaker take_snapshot_;
  std::set<std::string> snapshots_taken_;  // "<period>:<unit|all>" known to be on record; guarded by run_mu_
  std::unique_ptr<replay::ResumingFold> fold_;  // the book's: resumes, then follows the log
  std::mutex run_mu_;      // one jobs pass at a time
  std::mutex deliver_mu_;  // one delivery pass at a time; never held with run_mu_
  // The threads sleep on wake_cv_ between passes; DeliverSoon() wakes the delivery thread.
  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
  bool stop_ = false;                 // guarded by wake_mu_
  uint64_t deliveries_asked_ = 0;     // guarded by wake_mu_: passes asked for by DeliverSoon
  uint64_t deliveries_done_ = 0;      // guarded by wake_mu_: the last ask a finished pass covered
  std::thread jobs_thread_, delivery_thread_;
};

}  // namespace casetrail::adapters
