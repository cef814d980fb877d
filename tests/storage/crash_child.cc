// Child process for the crash test: appends from several threads forever and reports each
// acknowledged append on stdout as "stream version position". The parent kills it with SIGKILL.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/rocksdb_log.h"

int main(int argc, char** argv) {
  using namespace casetrail;
  using namespace casetrail::storage;
  if (argc != 4) {
    std::fprintf(stderr, "usage: crash_child DIR THREADS RUN\n");
    return 2;
  }
  LogOptions options;
  options.path = argv[1];
  options.checkpoint_interval = 100;  // exercise checkpoints inside groups too
  auto log = OpenRocksLog(options);
  if (!log.ok()) {
    std::fprintf(stderr, "open failed: %s\n", log.status().ToString().c_str());
    return 1;
  }
  std::mutex out_mu;
  std::vector<std::thread> threads;
  for (int t = 0; t < std::atoi(argv[2]); ++t) {
    threads.emplace_back([&, t] {
      StreamId stream(std::string("crash:") + argv[3] + ":" + std::to_string(t));
      for (uint64_t version = 0;;) {
        AppendRequest req;
        int n = 1 + (version % 3);
        req.writes.push_back({stream, ExpectedVersion::Exact(version), {}});
        for (int i = 0; i < n; ++i) req.writes[0].events.push_back({"e", std::string(64, 'x')});
        auto r = (*log)->Append(req);
        if (!r.ok()) {
          std::fprintf(stderr, "append failed: %s\n", r.status().ToString().c_str());
          std::_Exit(1);
        }
        version = r->stream_versions[0].value();
        std::string line = stream.value() + " " + std::to_string(version) + " " +
                           std::to_string(r->last_position.value()) + "\n";
        std::lock_guard lock(out_mu);
        if (::write(1, line.data(), line.size()) < 0) std::_Exit(1);
      }
    });
  }
  for (auto& t : threads) t.join();
}
