// ResumingFold: how a read model with a checkpoint starts following the log. On a thread of its
// own it first resumes (loads and decodes the checkpoint, replay/read_model_checkpoints.h), then
// subscribes from the next position. The constructor returns at once: a server starts listening
// while its read models load side by side (one core each) instead of one after the other, and
// what waits for a read model (a list, the indicators) waits through its WaitFor as it did for
// the catch-up after the checkpoint.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "replay/read_model_checkpoints.h"
#include "storage/log.h"

namespace casetrail::replay {

class ResumingFold {
 public:
  // Resumes from the checkpoint `name` in `format` (none without `checkpoints`), handing its body to
  // `decode`; `handler` then receives every event after it (after none: from the first event).
  // Both run on the fold's threads, never here.
  ResumingFold(storage::Log* log, const ReadModelCheckpoints* checkpoints, std::string name, uint32_t format,
               std::function<bool(const ReadModelCheckpoints::Loaded&)> decode, storage::EventHandler handler);
  // Waits for the resume to finish, then stops the subscription.
  ~ResumingFold();

  // Where the fold started (waits for the resume): 0 from the first event, else the checkpoint's.
  Position resumed_from() const;
  // The subscription's health; before it starts, what the resume reached, without failures.
  storage::SubscriptionHealth Health() const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool resumed_ = false;
  Position resumed_from_{0};
  std::unique_ptr<storage::Subscription> subscription_;
  std::thread loader_;  // last: started once the members above exist
};

}  // namespace casetrail::replay
