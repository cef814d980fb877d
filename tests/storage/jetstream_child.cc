// Child process for the JetStream fault tests: a casetrail node that writes. It opens a JetStream
// log and appends from several threads for ever, each thread on its own stream with exact expected
// versions, and reports on stdout:
//   "ok STREAM VERSION POSITION"  for each acknowledged append
//   "refused CODE"                for each refused one (then it retries after a pause)
//   "status WRITER STEP_DOWNS"    every 100 ms
// The parent stops it with SIGSTOP/SIGCONT and kills it with SIGKILL.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/jetstream/jetstream_log.h"

int main(int argc, char** argv) {
  using namespace casetrail;
  using namespace casetrail::storage;
  if (argc != 7) {
    std::fprintf(stderr, "usage: jetstream_child SERVERS STREAM NODE_ID INDEX_DIR THREADS LEASE_MS\n");
    return 2;
  }
  JetStreamLogOptions o;
  o.nats.servers = ParseNatsServers(argv[1]);
  o.stream = argv[2];
  o.node_id = argv[3];
  o.advertise = std::string("child-") + argv[3];
  o.index.path = argv[4];
  o.lease_ttl = std::chrono::milliseconds(std::atoi(argv[6]));
  auto log = OpenJetStreamLog(o);
  if (!log.ok()) {
    std::fprintf(stderr, "open failed: %s\n", log.status().ToString().c_str());
    return 1;
  }
  std::mutex out_mu;
  auto say = [&](const std::string& line) {
    std::lock_guard lock(out_mu);
    if (::write(1, line.data(), line.size()) < 0) std::_Exit(1);
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < std::atoi(argv[5]); ++t) {
    threads.emplace_back([&, t] {
      StreamId stream(std::string("child:") + argv[3] + ":" + std::to_string(t));
      for (uint64_t version = 0;;) {
        AppendRequest req;
        req.writes.push_back({stream, ExpectedVersion::Exact(version), {{"e", std::string(32, 'x')}}});
        auto r = (*log)->Append(req);
        if (!r.ok()) {
          say("refused " + std::to_string(static_cast<int>(r.status().code())) + "\n");
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
          auto v = (*log)->CurrentVersion(stream);
          if (v.ok()) version = v->value();
          continue;
        }
        version = r->stream_versions[0].value();
        say("ok " + stream.value() + " " + std::to_string(version) + " " + std::to_string(r->last_position.value()) + "\n");
      }
    });
  }
  for (;;) {
    auto st = (*log)->GetStatus();
    say("status " + std::to_string(st.writer) + " " + std::to_string(st.step_downs) + "\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}
