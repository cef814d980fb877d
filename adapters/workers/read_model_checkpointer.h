// Writes the read models' checkpoints (replay/read_model_checkpoints.h) every `interval` while
// the server runs, and once more when it stops: a start after a crash resumes from the last
// interval's checkpoint, one after a clean stop from the stop itself. A failed write is logged
// and tried again at the next interval; the read models keep working without it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/base/status.h"

namespace casetrail::adapters {

class ReadModelCheckpointer {
 public:
  struct Target {
    std::string name;  // for the log line
    std::function<Status()> save;
  };
  ReadModelCheckpointer(std::vector<Target> targets, std::chrono::seconds interval);
  ~ReadModelCheckpointer();  // stops, then saves every target once more

  void SaveAll();

 private:
  std::vector<Target> targets_;
  std::chrono::seconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace casetrail::adapters
