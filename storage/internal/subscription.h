// Catch-up subscriptions shared by both Log implementations. The subscriber always reads by
// position from the log itself, so the switch from history to live delivery can neither skip nor
// repeat an event; "live" only means it sleeps until the writer publishes a new head.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>

#include "storage/log.h"

namespace casetrail::storage::internal {

// The writer publishes each committed head; subscribers wait for heads beyond their cursor.
class CommitNotifier {
 public:
  void Publish(Position head);
  // Blocks until the head exceeds `cursor` or Stop()/`*stopped` is set; returns the head.
  Position WaitBeyond(Position cursor, const bool* stopped);
  void Wake();  // wakes all waiters (used when a subscription stops)
  std::mutex& mutex() { return mu_; }
  std::condition_variable& cv() { return cv_; }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  Position head_{0};
};

std::unique_ptr<Subscription> StartSubscription(Log* log, std::shared_ptr<CommitNotifier> notifier,
                                                Position from, EventHandler handler);

}  // namespace casetrail::storage::internal
