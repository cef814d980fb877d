#include "adapters/workers/read_model_checkpointer.h"

#include <spdlog/spdlog.h>

namespace casetrail::adapters {

ReadModelCheckpointer::ReadModelCheckpointer(std::vector<Target> targets, std::chrono::seconds interval)
    : targets_(std::move(targets)), interval_(interval) {
  if (interval_.count() <= 0) return;  // only at the stop
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, interval_, [this] { return stop_; })) {
      lock.unlock();
      SaveAll();
      lock.lock();
    }
  });
}

ReadModelCheckpointer::~ReadModelCheckpointer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  SaveAll();
}

void ReadModelCheckpointer::SaveAll() {
  for (const auto& t : targets_) {
    const auto t0 = std::chrono::steady_clock::now();
    if (Status s = t.save(); !s.ok()) {
      spdlog::warn("read-model checkpoint {} not written: {}", t.name, s.message());
      continue;
    }
    spdlog::info("read-model checkpoint {} written in {:.0f} ms", t.name,
                 std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
}

}  // namespace casetrail::adapters
