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
// projection and the reminder book side by side until all three have folded the head. `cold`:
// from the first event (any checkpoint removed first), then their checkpoints written as a clean
// stop writes them; else from those checkpoints. Run each in a process of its own, as a restart
// is: one that folded and freed read models before has a heap that slows the next load.
struct RestartTimes {
  double ready_s = 0;
  double checkpoints_written_s = 0;  // cold only
  double checkpoints_mib = 0;        // cold only
};

inline RestartTimes MeasureRestart(storage::Log* log, const engine::DefinitionRegistry* registry,
                                   const std::string& checkpoint_dir, bool cold) {
  RestartTimes t;
  const replay::ReadModelCheckpoints checkpoints(checkpoint_dir);
  if (cold) (void)checkpoints.DropAll();
  const Position head = log->GetHead().position;
  const auto t0 = Steady::now();
  replay::CaseDirectory directory(log, registry, &checkpoints);
  replay::LiveIndicators indicators(log, registry, &checkpoints);
  replay::ReminderBook book(registry);  // as adapters/workers/reminder_worker.cc follows it
  replay::ResumingFold book_fold(
      log, &checkpoints, replay::ReminderBook::kCheckpointName, replay::ReminderBook::kCheckpointFormat,
      [&](const auto& loaded) { return book.DecodeState(loaded.body, {loaded.position, loaded.hash}); },
      [&](const storage::RecordedEvent& r) { book.Apply(r); });
  while (!directory.WaitFor(head, 100000) || !indicators.WaitFor(head, 100000)) {
  }
  while (book.position().value() < head.value()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  t.ready_s = Seconds(t0);
  if (cold) {
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
  return t;
}

}  // namespace casetrail::bench
