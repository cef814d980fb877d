// Storage benchmark: durable append throughput of the log at 1, 16 and 64 concurrent appenders,
// the same workload on bare RocksDB (WriteBatch with sync=true, the physical limit here), full
// log scan events/s, and p50/p99 latency of reading a 50-event stream. Prints a Markdown table.
//
//   log_bench [--seconds S] [--scan-events N] [--dir DIR]
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "storage/rocksdb_log.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace casetrail;
using namespace casetrail::storage;

struct Flags {
  double seconds = 3;
  uint64_t scan_events = 300000;
  std::string dir = "/tmp/casetrail-bench";
};

const std::string kPayload(200, 'p');  // about the size of a sealed referral envelope

std::unique_ptr<Log> OpenFresh(const std::string& path) {
  std::filesystem::remove_all(path);
  LogOptions o;
  o.path = path;
  auto r = OpenRocksLog(o);
  if (!r.ok()) {
    std::fprintf(stderr, "open: %s\n", r.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

// Each appender appends one-event appends with an exact expected version to its own stream.
double LogAppendRate(const Flags& f, int appenders, double* mean_group) {
  auto log = OpenFresh(f.dir + "/append");
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> done{0};
  std::vector<std::thread> threads;
  auto start = Clock::now();
  for (int t = 0; t < appenders; ++t) {
    threads.emplace_back([&, t] {
      StreamId stream("case:bench-" + std::to_string(t));
      for (uint64_t v = 0; !stop; ++v) {
        AppendRequest req;
        req.writes.push_back({stream, ExpectedVersion::Exact(v), {{"StudyPaceChanged", kPayload}}});
        if (!log->Append(req).ok()) std::exit(1);
        done++;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(f.seconds));
  stop = true;
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  LogStats s = log->Stats();
  *mean_group = s.synced_writes ? static_cast<double>(s.appends) / s.synced_writes : 0;
  return done / secs;
}

// The same records written straight to RocksDB: one WriteBatch (record + index entry) per
// append, sync=true, from `writers` threads (RocksDB groups concurrent writers itself).
double BareRocksRate(const Flags& f, int writers) {
  std::string path = f.dir + "/bare";
  std::filesystem::remove_all(path);
  rocksdb::Options o;
  o.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(o, path, &raw).ok()) std::exit(1);
  std::unique_ptr<rocksdb::DB> db(raw);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> next{0};
  std::vector<std::thread> threads;
  auto start = Clock::now();
  for (int t = 0; t < writers; ++t) {
    threads.emplace_back([&, t] {
      rocksdb::WriteOptions wo;
      wo.sync = true;
      while (!stop) {
        uint64_t n = next++;
        char key[8];
        for (int i = 0; i < 8; ++i) key[i] = static_cast<char>(n >> (56 - 8 * i));
        rocksdb::WriteBatch batch;
        batch.Put(rocksdb::Slice(key, 8), kPayload);
        batch.Put("idx:" + std::to_string(t) + ":" + std::to_string(n), rocksdb::Slice(key, 8));
        if (!db->Write(wo, &batch).ok()) std::exit(1);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(f.seconds));
  stop = true;
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  return next / secs;
}

// Fills a log with `events` in 50-event streams. Like real cases, a stream's events are spread
// over the log: each append adds one event to each of 50 different streams.
std::unique_ptr<Log> Populate(const Flags& f, uint64_t events) {
  auto log = OpenFresh(f.dir + "/scan");
  const uint64_t streams = events / 50;
  for (uint64_t round = 0; round < 50; ++round) {
    for (uint64_t first = 0; first < streams; first += 50) {
      AppendRequest req;
      for (uint64_t s = first; s < std::min(first + 50, streams); ++s) {
        req.writes.push_back({StreamId("case:C-" + std::to_string(s)), ExpectedVersion::Exact(round),
                              {{"Event", kPayload}}});
      }
      if (!log->Append(req).ok()) std::exit(1);
    }
  }
  return log;
}

double ScanRate(Log& log) {
  auto start = Clock::now();
  uint64_t n = 0;
  for (uint64_t from = 1;;) {
    auto batch = log.ReadAll(Position(from), 4096);
    if (!batch.ok()) std::exit(1);
    if (batch->empty()) break;
    n += batch->size();
    from = batch->back().position.value() + 1;
  }
  return n / std::chrono::duration<double>(Clock::now() - start).count();
}

void StreamReadLatency(Log& log, uint64_t streams, double* p50_us, double* p99_us) {
  std::vector<double> us;
  uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    StreamId s("case:C-" + std::to_string(x % streams));
    auto start = Clock::now();
    auto r = log.ReadStream(s, StreamVersion(1), Direction::kForward, 100);
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    if (!r.ok() || r->size() != 50) std::exit(1);
  }
  std::sort(us.begin(), us.end());
  *p50_us = us[us.size() / 2];
  *p99_us = us[us.size() * 99 / 100];
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--seconds")) f.seconds = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--scan-events")) f.scan_events = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--dir")) f.dir = argv[i + 1];
  }
  std::filesystem::create_directories(f.dir);
  std::printf("| appenders | casetrail log appends/s | mean group | bare RocksDB synced batches/s | ratio |\n");
  std::printf("|---:|---:|---:|---:|---:|\n");
  for (int n : {1, 16, 64}) {
    double group = 0;
    double ours = LogAppendRate(f, n, &group);
    double bare = BareRocksRate(f, n);
    std::printf("| %d | %.0f | %.1f | %.0f | %.2f |\n", n, ours, group, bare, ours / bare);
    std::fflush(stdout);
  }
  auto log = Populate(f, f.scan_events);
  double p50 = 0, p99 = 0;
  StreamReadLatency(*log, f.scan_events / 50, &p50, &p99);
  std::printf("\n| measure | value |\n|---|---:|\n");
  std::printf("| full-log scan (%llu events, decoded) | %.0f events/s |\n",
              static_cast<unsigned long long>(f.scan_events), ScanRate(*log));
  std::printf("| 50-event stream read p50 | %.1f µs |\n| 50-event stream read p99 | %.1f µs |\n", p50, p99);
  log.reset();
  std::filesystem::remove_all(f.dir);
}
