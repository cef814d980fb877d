// The JetStream log's figures on three nats-server processes on this machine (label bench):
// durable appends/s with 1, 16 and 64 concurrent writers (each append one event, acknowledged by
// a majority of the cluster), full replay of the stream into a new node's index (events/s), and
// failover: the longest time without an acknowledged append when the stream leader is killed
// under 16 writers. Prints a markdown table for docs/benchmarks.md.
//
//   jetstream_bench [--seconds S]     (default 5 s per cell)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/jetstream/jetstream_log.h"
#include "tests/support/nats_cluster.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace casetrail;
using namespace casetrail::storage;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

JetStreamLogOptions Options(testing::NatsCluster& cluster, const std::string& stream, const std::string& node,
                            const std::string& index) {
  JetStreamLogOptions o;
  o.nats.servers = cluster.Urls();
  o.stream = stream;
  o.node_id = node;
  o.index.path = index;
  return o;
}

struct LoadResult {
  uint64_t appends = 0;
  double seconds = 0;
  double longest_gap = 0;  // seconds without an acknowledged append
};

// `writers` threads append one ~200-byte event each, for `seconds`; `during` runs meanwhile.
LoadResult Load(Log& log, int writers, double seconds, const std::function<void()>& during = nullptr) {
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> appends{0};
  std::mutex mu;
  std::vector<Clock::time_point> acks;
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int t = 0; t < writers; ++t) {
    threads.emplace_back([&, t] {
      const StreamId stream("case:bench-" + std::to_string(t));
      while (!stop) {
        AppendRequest req;
        req.writes.push_back({stream, ExpectedVersion::Any(), {{"ReferralSubmitted", std::string(200, 'd')}}});
        if (log.Append(req).ok()) {
          appends++;
          std::lock_guard lock(mu);
          acks.push_back(Clock::now());
        }
      }
    });
  }
  if (during) during();
  while (Since(start) < seconds) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  stop = true;
  for (auto& t : threads) t.join();
  LoadResult r{appends.load(), Since(start), 0};
  std::sort(acks.begin(), acks.end());
  for (size_t i = 1; i < acks.size(); ++i) {
    r.longest_gap = std::max(r.longest_gap, std::chrono::duration<double>(acks[i] - acks[i - 1]).count());
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 5;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::atof(argv[i + 1]);
  }
  testing::NatsCluster cluster;
  if (!cluster.Start()) {
    std::fprintf(stderr, "the NATS cluster did not start\n");
    return 1;
  }
  testing::TempDir dir;
  std::printf("| JetStream R3, 3 nodes on loopback | figure |\n|---|---|\n");
  std::string last_stream;
  for (int writers : {1, 16, 64}) {
    last_stream = "BENCH_W" + std::to_string(writers);
    auto log = OpenJetStreamLog(Options(cluster, last_stream, "w", dir.Sub("w" + std::to_string(writers))));
    if (!log.ok()) {
      std::fprintf(stderr, "open: %s\n", log.status().ToString().c_str());
      return 1;
    }
    auto r = Load(**log, writers, seconds);
    auto stats = (*log)->Stats();
    std::printf("| durable appends/s, %d writer%s | %.0f (%.1f requests per message) |\n", writers,
                writers == 1 ? "" : "s", r.appends / r.seconds,
                stats.synced_writes ? static_cast<double>(stats.appends) / stats.synced_writes : 0.0);
    std::fflush(stdout);
  }
  {
    // A new node replays the largest stream into an empty index.
    auto reader_options = Options(cluster, last_stream, "r", dir.Sub("replay"));
    reader_options.writer_candidate = false;
    const auto start = Clock::now();
    auto reader = OpenJetStreamLog(reader_options);
    if (!reader.ok() || !(*reader)->CatchUp(std::chrono::minutes(10)).ok()) return 1;
    const double s = Since(start);
    const uint64_t events = (*reader)->GetHead().position.value();
    std::printf("| full replay into a new node's index | %.0f events/s (%llu events in %.2f s) |\n", events / s,
                static_cast<unsigned long long>(events), s);
    std::fflush(stdout);
  }
  {
    const std::string stream = "BENCH_FAILOVER";
    auto log = OpenJetStreamLog(Options(cluster, stream, "f", dir.Sub("failover")));
    if (!log.ok()) return 1;
    auto r = Load(**log, 16, std::max(seconds, 15.0), [&] {
      std::this_thread::sleep_for(std::chrono::seconds(2));
      int leader = cluster.StreamLeader(stream);
      if (leader >= 0) cluster.Kill(leader);
    });
    std::printf("| failover: longest time without an acknowledged append, stream leader killed, 16 writers | %.1f s |\n",
                r.longest_gap);
  }
  return 0;
}
