// The replay path alone, for profiling: a population of N case lives (kept in --dir for the next
// run with --reuse), then the one fold over the whole log (every case's state and the indicator
// projection), a year's indicators from the projection, the replay's own memory, the read models'
// restart (from the first event, and from their checkpoints) and the bytes on disk per event.
// The side-by-side figures come from peer_bench; this one is for `perf record` and the 1M run.
//
//   replay_bench [--cases N] [--dir DIR] [--reuse] [--rounds R]
//   replay_bench --dir DIR --reuse --restart cold|warm    (one restart phase in this process,
//                 for peer_bench: `cold` folds from the first event and writes the checkpoints,
//                 `warm` starts from them; prints "restart-ready-seconds S" and, for cold,
//                 "restart-checkpoints-written-seconds S" and "restart-checkpoints-mib M")
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <cstring>
#include <fstream>
#include <thread>

#include "replay/indicators.h"
#include "tests/bench/bench_measure.h"
#include "tests/bench/bench_population.h"

namespace {

using namespace casetrail;
using namespace casetrail::bench;

// CPU time of this thread: on a shared, loaded machine it says more than the wall clock.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  int cases = 20000, rounds = 1;
  bool reuse = false;
  std::string restart_phase;
  std::string dir = "/tmp/casetrail-replay-bench";
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--reuse")) reuse = true;
    else if (i + 1 < argc && !std::strcmp(argv[i], "--cases")) cases = std::atoi(argv[++i]);
    else if (i + 1 < argc && !std::strcmp(argv[i], "--rounds")) rounds = std::atoi(argv[++i]);
    else if (i + 1 < argc && !std::strcmp(argv[i], "--dir")) dir = argv[++i];
    else if (i + 1 < argc && !std::strcmp(argv[i], "--restart")) restart_phase = argv[++i];
  }
  spdlog::set_level(spdlog::level::warn);
  reuse = reuse && std::filesystem::exists(dir + "/log");
  auto ct = std::make_unique<bench::PopulationEngine>(dir, reuse);
  if (!reuse) {
    std::atomic<int> next{0};
    const auto t0 = Steady::now();
    std::vector<std::thread> threads;
    for (int w = 0; w < 64; ++w) threads.emplace_back([&] {
      for (int n; (n = next++) < cases;) ct->Run(n);
    });
    for (auto& t : threads) t.join();
    std::printf("population: %d cases in %.1f s\n", cases, Seconds(t0));
  }
  const uint64_t events = ct->log->GetHead().position.value();
  if (!restart_phase.empty()) {
    spdlog::set_level(spdlog::level::info);  // each read model's load and decode times, on stderr
    const bool cold = restart_phase == "cold";
    const auto r = MeasureRestart(ct->log.get(), &ct->registry, dir + "/read-models", cold);
    std::printf("restart-ready-seconds %.3f\n", r.ready_s);
    if (cold) std::printf("restart-checkpoints-written-seconds %.3f\nrestart-checkpoints-mib %.1f\n", r.checkpoints_written_s, r.checkpoints_mib);
    return 0;
  }
  for (int round = 0; round < rounds; ++round) {
    const long rss_before = StatusKb("VmRSS:");
    ResetPeak();
    auto t0 = Steady::now();
    const double cpu0 = ThreadCpuSeconds();
    auto projection = replay::RebuildIndicators(*ct->log, &ct->registry);
    const double replay_s = Seconds(t0), replay_cpu = ThreadCpuSeconds() - cpu0;
    const long growth_kb = StatusKb("VmHWM:") - rss_before;
    t0 = Steady::now();
    auto set = (*projection)->ComputeAll(*replay::ParsePeriod("2025"));
    const double compute_ms = Seconds(t0) * 1e3;
    std::printf("full replay (one fold): %lu events, %zu cases in %.3f s = %.0f events/s (%.0f per CPU second); "
                "replay RSS growth %ld MiB\n", (unsigned long)events, (*projection)->cases(), replay_s, events / replay_s,
                events / replay_cpu, growth_kb / 1024);
    std::printf("a year's indicators from the projection: %.2f ms (referrals %lu)\n", compute_ms,
                (unsigned long)set[""].referrals);
  }
  // Restart: the three read models a server start waits for, from the first event and from their
  // checkpoints (in this process: the second load runs on the heap the first one left).
  {
    spdlog::set_level(spdlog::level::info);  // each read model's load and decode times
    const auto cold = MeasureRestart(ct->log.get(), &ct->registry, dir + "/read-models", true);
    std::printf("restart, read models folded from the first event: ready in %.2f s\n", cold.ready_s);
    std::printf("read-model checkpoints written in %.2f s: %.0f MiB\n", cold.checkpoints_written_s, cold.checkpoints_mib);
    const auto warm = MeasureRestart(ct->log.get(), &ct->registry, dir + "/read-models", false);
    std::printf("restart, read models from their checkpoints: ready in %.2f s (%.1fx faster)\n", warm.ready_s,
                cold.ready_s / warm.ready_s);
  }
  ct.reset();
  std::printf("bytes on disk per event: %.0f\n", double(DiskBytes(dir + "/log")) / events);
  return 0;
}
