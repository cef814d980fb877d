#include "storage/internal/subscription.h"

#include <thread>

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

 private:
  bool Stopped() {
    std::lock_guard lock(notifier_->mutex());
    return stopped_;
  }

  void Run() {
    while (!Stopped()) {
      auto batch = log_->ReadAll(Position(next_), 1024);
      if (!batch.ok()) return;  // the log is closing or broken; the owner sees it elsewhere
      if (batch->empty()) {
        notifier_->WaitBeyond(Position(next_ - 1), &stopped_);
        continue;
      }
      for (const auto& ev : *batch) {
        if (Stopped()) return;
        handler_(ev);
        next_ = ev.position.value() + 1;
      }
    }
  }

  Log* log_;
  std::shared_ptr<CommitNotifier> notifier_;
  uint64_t next_;
  EventHandler handler_;
  bool stopped_ = false;  // guarded by notifier_->mutex()
  std::thread thread_;    // last: starts after every other member is ready
};

}  // namespace

std::unique_ptr<Subscription> StartSubscription(Log* log, std::shared_ptr<CommitNotifier> notifier,
                                                Position from, EventHandler handler) {
  return std::make_unique<CatchUpSubscription>(log, std::move(notifier), from, std::move(handler));
}

}  // namespace casetrail::storage::internal
