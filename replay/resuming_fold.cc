#include "replay/resuming_fold.h"

namespace casetrail::replay {

ResumingFold::ResumingFold(storage::Log* log, const ReadModelCheckpoints* checkpoints, std::string name,
                           uint32_t format, std::function<bool(const ReadModelCheckpoints::Loaded&)> decode,
                           storage::EventHandler handler)
    : loader_([this, log, checkpoints, name = std::move(name), format, decode = std::move(decode),
               handler = std::move(handler)]() mutable {
        const Position from = checkpoints ? checkpoints->Resume(name, format, *log, decode) : Position(0);
        auto subscription = log->Subscribe(Position(from.value() + 1), std::move(handler));
        std::lock_guard lock(mu_);
        resumed_from_ = from;
        subscription_ = std::move(subscription);
        resumed_ = true;
        cv_.notify_all();
      }) {}

ResumingFold::~ResumingFold() {
  if (loader_.joinable()) loader_.join();
  std::unique_ptr<storage::Subscription> subscription;
  {
    std::lock_guard lock(mu_);
    subscription = std::move(subscription_);
  }
  subscription.reset();  // outside the lock: its thread may be in Health() callers' way otherwise
}

Position ResumingFold::resumed_from() const {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return resumed_; });
  return resumed_from_;
}

storage::SubscriptionHealth ResumingFold::Health() const {
  std::lock_guard lock(mu_);
  if (!subscription_) return storage::SubscriptionHealth{resumed_from_.value(), 0, ""};
  return subscription_->Health();
}

}  // namespace casetrail::replay
