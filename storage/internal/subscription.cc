#include "storage/internal/subscription.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "storage/base/fault.h"

namespace casetrail::storage::internal {

void CommitNotifier::Publish(Position head) {
  {
    std::lock_guard lock(mu_);
    if (head > head_) head_ = head;
  }
  cv_.notify_all();
}

Position CommitNotifier::WaitBeyond(Position cursor, const bool* stopped) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return *stopped || head_ > cursor; });
  return head_;
}

void CommitNotifier::Wake() {
  { std::lock_guard lock(mu_); }
  cv_.notify_all();
}

namespace {

class CatchUpSubscription final : public Subscription {
 public:
  CatchUpSubscription(Log* log, std::shared_ptr<CommitNotifier> notifier, Position from,
                      EventHandler handler)
      : log_(log), notifier_(std::move(notifier)), next_(from.value() == 0 ? 1 : from.value()),
        handler_(std::move(handler)), thread_([this] { Run(); }) {}

  ~CatchUpSubscription() override {
    {
      std::lock_guard lock(notifier_->mutex());
      stopped_ = true;
    }
    notifier_->Wake();
    thread_.join();
  }

  SubscriptionHealth Health() const override {
    std::lock_guard lock(health_mu_);
    return health_;
  }

 private:
  bool Stopped() {
    std::lock_guard lock(notifier_->mutex());
    return stopped_;
  }

  // A failed read is retried after 50 ms, doubling up to 5 s, until it succeeds or the
  // subscription stops; the error stays in Health() meanwhile, so nothing goes stale silently.
  void Run() {
    std::chrono::milliseconds backoff{50};
    while (!Stopped()) {
      auto batch = CT_FAULT("subscription-read") ? Result<std::vector<RecordedEvent>>(Unavailable("injected read fault"))
                                                 : log_->ReadAll(Position(next_), 1024);
      if (!batch.ok()) {
        {
          std::lock_guard lock(health_mu_);
          ++health_.failures;
          health_.last_error = batch.status().ToString();
        }
        std::unique_lock lock(notifier_->mutex());
        notifier_->cv().wait_for(lock, backoff, [&] { return stopped_; });
        backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
        continue;
      }
      if (health_.failures > 0) {
        std::lock_guard lock(health_mu_);
        health_.failures = 0;
        health_.last_error.clear();
      }
      backoff = std::chrono::milliseconds(50);
      if (batch->empty()) {
        notifier_->WaitBeyond(Position(next_ - 1), &stopped_);
        continue;
      }
      for (const auto& ev : *batch) {
        if (Stopped()) return;
        handler_(ev);
        next_ = ev.position.value() + 1;
      }
      std::lock_guard lock(health_mu_);  // once per batch: no lock per event on a replay
      health_.delivered = next_ - 1;
    }
  }

  Log* log_;
  std::shared_ptr<CommitNotifier> notifier_;
  uint64_t next_;
  EventHandler handler_;
  bool stopped_ = false;  // guarded by notifier_->mutex()
  mutable std::mutex health_mu_;
  SubscriptionHealth health_;
  std::thread thread_;    // last: starts after every other member is ready
};

}  // namespace

std::unique_ptr<Subscription> StartSubscription(Log* log, std::shared_ptr<CommitNotifier> notifier,
                                                Position from, EventHandler handler) {
  return std::make_unique<CatchUpSubscription>(log, std::move(notifier), from, std::move(handler));
}

}  // namespace casetrail::storage::internal
