// What the benchmarks measure with: wall seconds, this process's memory from /proc, a folder's
// bytes on disk, and a server start's read models (from the first event and from checkpoints).
#pragma once

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "replay/case_directory.h"
#include "replay/indicators.h"
#include "replay/read_model_checkpoints.h"
#include "replay/reminders.h"
#include "replay/resuming_fold.h"

namespace casetrail::bench {

using Steady = std::chrono::steady_clock;

inline double Seconds(Steady::time_point t0) { return std::chrono::duration<double>(Steady::now() - t0).count(); }

// A field of /proc/self/status in KiB (VmRSS: now; VmHWM: the peak since ResetPeak).
inline long StatusKb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::atol(line.c_str() + std::strlen(field));
  }
  return 0;
}
inline void ResetPeak() { std::ofstream("/proc/self/clear_refs") << "5"; }

inline uint64_t DiskBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

// A restart's read models, as `casetrail serve` starts them: the case directory, the indicator
// projection and the reminder book side by side until all three have folded the head.
struct RestartTimes {
  double from_first_event_s = 0;  // no checkpoint
  double checkpoints_written_s = 0;
  double checkpoints_mib = 0;
  double from_checkpoints_s = 0;  // from the checkpoints just written
};

inline RestartTimes MeasureRestart(storage::Log* log, const engine::DefinitionRegistry* registry,
                                   const std::string& checkpoint_dir) {
  RestartTimes t;
  const replay::ReadModelCheckpoints checkpoints(checkpoint_dir);
  (void)checkpoints.DropAll();
  const Position head = log->GetHead().position;
  auto ready = [&](const replay::ReadModelCheckpoints* from, bool save) {
    const auto t0 = Steady::now();
    replay::CaseDirectory directory(log, registry, from);
    replay::LiveIndicators indicators(log, registry, from);
    replay::ReminderBook book(registry);  // as adapters/workers/reminder_worker.cc follows it
    replay::ResumingFold book_fold(
        log, from, replay::ReminderBook::kCheckpointName, replay::ReminderBook::kCheckpointFormat,
        [&](const auto& loaded) { return book.DecodeState(loaded.body, {loaded.position, loaded.hash}); },
        [&](const storage::RecordedEvent& r) { book.Apply(r); });
    while (!directory.WaitFor(head, 100000) || !indicators.WaitFor(head, 100000)) {
    }
    while (book.position().value() < head.value()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const double s = Seconds(t0);
    if (save) {
      const auto t1 = Steady::now();
      replay::FoldedTo at;
      const std::string body = book.EncodeState(&at);
      if (!directory.SaveCheckpoint().ok() || !indicators.SaveCheckpoint().ok() ||
          !checkpoints.SaveFolded(replay::ReminderBook::kCheckpointName, replay::ReminderBook::kCheckpointFormat, at, body).ok()) {
        std::fprintf(stderr, "checkpoint NOT written\n");
      }
      t.checkpoints_written_s = Seconds(t1);
      t.checkpoints_mib = double(DiskBytes(checkpoint_dir)) / (1 << 20);
    }
    return s;
  };
  t.from_first_event_s = ready(&checkpoints, true);  // none there yet: folds from the first event
  t.from_checkpoints_s = ready(&checkpoints, false);
  (void)checkpoints.DropAll();
  return t;
}

}  // namespace casetrail::bench
