// Faults of the JetStream log on three real nats-server processes: the stream leader killed under
// load, a writer frozen (SIGSTOP) past its lease while another node takes over, a nats node
// restarted with an empty disk. Each test prints its figures ("FIGURE name value") for
// docs/reliability.md.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "storage/base/status_matchers.h"
#include "storage/jetstream/jetstream_log.h"
#include "tests/support/nats_cluster.h"
#include "tests/support/temp_dir.h"

namespace casetrail::storage {
namespace {

using Clock = std::chrono::steady_clock;
using casetrail::testing::NatsCluster;
using casetrail::testing::TempDir;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

void Figure(const std::string& name, double value) {
  std::printf("FIGURE %s %.2f\n", name.c_str(), value);
  std::fflush(stdout);
}

JetStreamLogOptions Options(const NatsCluster& cluster, const std::string& stream, const std::string& node,
                            const std::string& index) {
  JetStreamLogOptions o;
  o.nats.servers = cluster.Urls();
  o.stream = stream;
  o.node_id = node;
  o.advertise = "node-" + node;
  o.index.path = index;
  return o;
}

struct Ack {
  std::string stream;
  uint64_t version, position;
  Clock::time_point at;
};

// Every acknowledged append is in the log at the position it was acknowledged with, the chain
// verifies, and no position holds two events.
void ExpectAcksIntact(Log& log, const std::vector<Ack>& acks) {
  std::set<uint64_t> positions;
  for (const auto& a : acks) {
    EXPECT_TRUE(positions.insert(a.position).second) << "position " << a.position << " acknowledged twice";
    auto r = log.ReadStream(StreamId(a.stream), StreamVersion(a.version), Direction::kForward, 1);
    ASSERT_THAT(r, IsOk());
    ASSERT_EQ(r->size(), 1u) << a.stream << " v" << a.version << " lost";
    EXPECT_EQ((*r)[0].position.value(), a.position) << a.stream << " v" << a.version;
    EXPECT_EQ((*r)[0].version.value(), a.version);
  }
  auto report = log.Verify(nullptr);
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->events, log.GetHead().position.value());
}

// Appends from `threads` threads, each on its own stream with exact versions, until stopped.
class Load {
 public:
  Load(Log& log, int threads, const std::string& prefix) {
    for (int t = 0; t < threads; ++t) {
      threads_.emplace_back([this, &log, t, prefix] {
        const std::string stream = prefix + std::to_string(t);
        uint64_t version = 0;
        while (!stop_) {
          AppendRequest req;
          req.writes.push_back({StreamId(stream), ExpectedVersion::Exact(version), {{"e", std::string(48, 'l')}}});
          auto r = log.Append(req);
          std::lock_guard lock(mu_);
          if (r.ok()) {
            version = r->stream_versions[0].value();
            acks_.push_back({stream, version, r->last_position.value(), Clock::now()});
          } else {
            refusals_++;
            mu_.unlock();
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            auto v = log.CurrentVersion(StreamId(stream));
            mu_.lock();
            if (v.ok()) version = v->value();
          }
        }
      });
    }
  }
  ~Load() { Stop(); }
  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  size_t acked() {
    std::lock_guard lock(mu_);
    return acks_.size();
  }
  std::vector<Ack> acks() {
    std::lock_guard lock(mu_);
    return acks_;
  }
  uint64_t refusals() {
    std::lock_guard lock(mu_);
    return refusals_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<Ack> acks_;
  uint64_t refusals_ = 0;
  std::vector<std::thread> threads_;
};

template <typename F>
bool WaitFor(F condition, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

TEST(JetStreamFaultTest, KillingTheStreamLeaderUnderLoadLosesNoAcknowledgedEvent) {
  NatsCluster cluster;
  ASSERT_TRUE(cluster.Start());
  TempDir dir;
  const std::string stream = "FAULT_LEADER";
  auto opened = OpenJetStreamLog(Options(cluster, stream, "w", dir.Sub("w")));
  ASSERT_THAT(opened, IsOk());
  auto& log = **opened;
  Load load(log, 8, "leader:");
  ASSERT_TRUE(WaitFor([&] { return load.acked() >= 300; }, std::chrono::seconds(30)));
  const size_t before = load.acked();
  const int leader = cluster.StreamLeader(stream);
  ASSERT_GE(leader, 0);
  const auto killed_at = Clock::now();
  cluster.Kill(leader);
  // Load goes on until appends have flowed again for two seconds.
  ASSERT_TRUE(WaitFor([&] {
    auto acks = load.acks();
    return !acks.empty() && acks.back().at > killed_at && Clock::now() - killed_at > std::chrono::seconds(2) &&
           std::count_if(acks.begin(), acks.end(), [&](const Ack& a) { return a.at > killed_at; }) > 200;
  }, std::chrono::seconds(60))) << "appends did not resume after the leader was killed";
  load.Stop();
  auto acks = load.acks();
  // Unavailability: the longest time without an acknowledged append around the kill.
  std::vector<Clock::time_point> times;
  for (const auto& a : acks) times.push_back(a.at);
  std::sort(times.begin(), times.end());
  double gap = 0;
  for (size_t i = 1; i < times.size(); ++i) {
    if (times[i] > killed_at) gap = std::max(gap, Seconds(times[i] - std::max(times[i - 1], killed_at)));
  }
  Figure("leader_kill.unavailable_seconds", gap);
  Figure("leader_kill.acked_before", static_cast<double>(before));
  Figure("leader_kill.acked_total", static_cast<double>(acks.size()));
  Figure("leader_kill.refused_appends", static_cast<double>(load.refusals()));
  Figure("leader_kill.writer_step_downs", static_cast<double>(log.GetStatus().step_downs));
  EXPECT_LT(gap, 30.0);
  ExpectAcksIntact(log, acks);

  // A second node, built from the stream alone, holds the same log.
  auto reader = OpenJetStreamLog([&] {
    auto o = Options(cluster, stream, "r", dir.Sub("r"));
    o.writer_candidate = false;
    return o;
  }());
  ASSERT_THAT(reader, IsOk());
  ASSERT_THAT((*reader)->CatchUp(std::chrono::seconds(30)), IsOk());
  EXPECT_EQ((*reader)->GetHead().hash, log.GetHead().hash);
  EXPECT_EQ((*reader)->GetHead().position, log.GetHead().position);
  ExpectAcksIntact(**reader, acks);
}

// The writer as a child process (tests/storage/jetstream_child.cc), so it can be frozen.
class Child {
 public:
  Child(const std::vector<std::string>& args) {
    int fds[2];
    if (::pipe(fds) != 0) std::abort();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::dup2(fds[1], 1);
      ::close(fds[0]);
      ::close(fds[1]);
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    fd_ = fds[0];
    reader_ = std::thread([this] {
      std::string buf;
      char chunk[4096];
      for (;;) {
        ssize_t n = ::read(fd_, chunk, sizeof(chunk));
        if (n <= 0) return;
        buf.append(chunk, n);
        size_t nl;
        while ((nl = buf.find('\n')) != std::string::npos) {
          std::lock_guard lock(mu_);
          lines_.push_back({buf.substr(0, nl), Clock::now()});
          buf.erase(0, nl + 1);
        }
      }
    });
  }
  ~Child() {
    Kill();
    reader_.join();
    ::close(fd_);
  }
  void Signal(int sig) { ::kill(pid_, sig); }
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGCONT);
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }
  std::vector<std::pair<std::string, Clock::time_point>> lines() {
    std::lock_guard lock(mu_);
    return lines_;
  }
  size_t Count(const std::string& prefix) {
    size_t n = 0;
    for (const auto& [l, t] : lines()) n += l.rfind(prefix, 0) == 0;
    return n;
  }

 private:
  pid_t pid_ = 0;
  int fd_ = -1;
  std::thread reader_;
  std::mutex mu_;
  std::vector<std::pair<std::string, Clock::time_point>> lines_;
};

TEST(JetStreamFaultTest, AFrozenWriterIsFencedOffAndStepsDownWhenItResumes) {
  NatsCluster cluster;
  ASSERT_TRUE(cluster.Start());
  TempDir dir;
  const std::string stream = "FAULT_FROZEN";
  const int kLeaseMs = 2000;
  std::string servers;
  for (const auto& u : cluster.Urls()) servers += (servers.empty() ? "" : ",") + u;
  Child a({JETSTREAM_CHILD, servers, stream, "A", dir.Sub("a"), "4", std::to_string(kLeaseMs)});
  ASSERT_TRUE(WaitFor([&] { return a.Count("ok ") >= 100; }, std::chrono::seconds(30))) << "child A never wrote";

  auto o = Options(cluster, stream, "B", dir.Sub("b"));
  o.lease_ttl = std::chrono::milliseconds(kLeaseMs);
  auto opened = OpenJetStreamLog(o);
  ASSERT_THAT(opened, IsOk());
  auto& b = **opened;
  // While A holds the lease, B refuses writes and names A.
  ASSERT_TRUE(WaitFor([&] { return b.GetStatus().writer_address == "child-A"; }, std::chrono::seconds(10)));
  AppendRequest probe;
  probe.writes.push_back({StreamId("b:probe"), ExpectedVersion::Any(), {{"e", ""}}});
  auto refused = b.Append(probe);
  EXPECT_THAT(refused, StatusIs(StatusCode::kUnavailable));
  EXPECT_FALSE(b.GetStatus().writer);

  a.Signal(SIGSTOP);
  const auto stopped_at = Clock::now();
  const size_t a_before_stop = a.Count("ok ");
  ASSERT_TRUE(WaitFor([&] { return b.GetStatus().writer; }, std::chrono::seconds(30))) << "B never took over";
  Figure("frozen_writer.takeover_seconds", Seconds(Clock::now() - stopped_at));
  Figure("frozen_writer.lease_ttl_seconds", kLeaseMs / 1000.0);
  std::vector<Ack> b_acks;
  for (int i = 0; i < 50; ++i) {
    AppendRequest req;
    req.writes.push_back({StreamId("b:takeover"), ExpectedVersion::Exact(i), {{"e", ""}}});
    auto r = b.Append(req);
    ASSERT_THAT(r, IsOk());
    b_acks.push_back({"b:takeover", r->stream_versions[0].value(), r->last_position.value(), Clock::now()});
  }

  const auto resumed_at = Clock::now();
  a.Signal(SIGCONT);
  // A's writes are refused and it steps down.
  ASSERT_TRUE(WaitFor([&] {
    for (const auto& [line, t] : a.lines()) {
      if (t > resumed_at && line.rfind("status 0 ", 0) == 0 && line != "status 0 0") return true;
    }
    return false;
  }, std::chrono::seconds(20))) << "A did not step down";
  double stepped_down = 0;
  for (const auto& [line, t] : a.lines()) {
    if (t > resumed_at && line.rfind("status 0 ", 0) == 0 && line != "status 0 0") {
      stepped_down = Seconds(t - resumed_at);
      break;
    }
  }
  Figure("frozen_writer.step_down_after_resume_seconds", stepped_down);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  size_t refused_after = 0, acked_after = 0;
  for (const auto& [line, t] : a.lines()) {
    if (t <= resumed_at) continue;
    refused_after += line.rfind("refused ", 0) == 0;
    acked_after += line.rfind("ok ", 0) == 0;
  }
  Figure("frozen_writer.refused_after_resume", static_cast<double>(refused_after));
  Figure("frozen_writer.acked_after_resume", static_cast<double>(acked_after));
  EXPECT_GT(refused_after, 0u);
  // Acknowledgements A received after it resumed can only be for publishes that reached the stream
  // before B took over (at most one group in flight when it froze).
  EXPECT_LE(acked_after, 4u);
  // B is still the writer.
  AppendRequest again;
  again.writes.push_back({StreamId("b:takeover"), ExpectedVersion::Exact(50), {{"e", ""}}});
  auto r = b.Append(again);
  ASSERT_THAT(r, IsOk());
  b_acks.push_back({"b:takeover", 51, r->last_position.value(), Clock::now()});
  a.Kill();

  std::vector<Ack> all = b_acks;
  for (const auto& [line, t] : a.lines()) {
    std::istringstream in(line);
    std::string word;
    Ack ack;
    if (in >> word && word == "ok" && in >> ack.stream >> ack.version >> ack.position) all.push_back(ack);
  }
  EXPECT_GE(all.size(), a_before_stop + b_acks.size());
  ASSERT_THAT(b.CatchUp(std::chrono::seconds(10)), IsOk());
  ExpectAcksIntact(b, all);
}

// Safety does not rest on the lease: a second node that writes without it (as a deposed writer
// that missed its lapse would) is refused by the stream's expected-last-sequence fence, steps
// down, and no position is written twice.
TEST(JetStreamFaultTest, TheStreamFenceRefusesAWriterWithoutTheLease) {
  NatsCluster cluster;
  ASSERT_TRUE(cluster.Start());
  TempDir dir;
  const std::string stream = "FAULT_FENCE";
  auto first = OpenJetStreamLog(Options(cluster, stream, "one", dir.Sub("one")));
  ASSERT_THAT(first, IsOk());
  auto o = Options(cluster, stream, "two", dir.Sub("two"));
  o.TEST_write_without_lease = true;
  auto second = OpenJetStreamLog(o);
  ASSERT_THAT(second, IsOk());
  std::vector<Ack> acks;
  uint64_t refusals = 0;
  {
    Load one(**first, 4, "one:");
    Load two(**second, 4, "two:");
    ASSERT_TRUE(WaitFor([&] { return one.acked() >= 100 && two.acked() >= 100; }, std::chrono::seconds(60)));
    one.Stop();
    two.Stop();
    acks = one.acks();
    for (const auto& a : two.acks()) acks.push_back(a);
    refusals = one.refusals() + two.refusals();
  }
  const uint64_t step_downs = (*first)->GetStatus().step_downs + (*second)->GetStatus().step_downs;
  Figure("fence.acked", static_cast<double>(acks.size()));
  Figure("fence.refused", static_cast<double>(refusals));
  Figure("fence.step_downs", static_cast<double>(step_downs));
  EXPECT_GT(step_downs, 0u);
  EXPECT_GT(refusals, 0u);
  ASSERT_THAT((*first)->CatchUp(std::chrono::seconds(10)), IsOk());
  ASSERT_THAT((*second)->CatchUp(std::chrono::seconds(10)), IsOk());
  EXPECT_EQ((*first)->GetHead().hash, (*second)->GetHead().hash);
  ExpectAcksIntact(**first, acks);
  ExpectAcksIntact(**second, acks);
}

std::string ReadTree(const std::string& root) {
  std::string all;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    all.append(std::istreambuf_iterator<char>(in), {});
  }
  return all;
}

TEST(JetStreamFaultTest, ANatsNodeRestartedWithAnEmptyDiskCatchesUp) {
  NatsCluster cluster;
  ASSERT_TRUE(cluster.Start());
  TempDir dir;
  const std::string stream = "FAULT_EMPTY";
  auto opened = OpenJetStreamLog(Options(cluster, stream, "w", dir.Sub("w")));
  ASSERT_THAT(opened, IsOk());
  auto& log = **opened;
  {
    Load load(log, 4, "before:");
    ASSERT_TRUE(WaitFor([&] { return load.acked() >= 300; }, std::chrono::seconds(30)));
  }
  const int leader = cluster.StreamLeader(stream);
  ASSERT_GE(leader, 0);
  const int victim = (leader + 1) % cluster.size();
  cluster.Kill(victim);
  cluster.WipeStore(victim);
  {
    Load load(log, 4, "while-down:");
    ASSERT_TRUE(WaitFor([&] { return load.acked() >= 100; }, std::chrono::seconds(30)));
  }
  const auto restarted_at = Clock::now();
  ASSERT_TRUE(cluster.StartNode(victim));
  ASSERT_TRUE(cluster.WaitReady(victim));
  {
    Load load(log, 4, "after:");
    ASSERT_TRUE(WaitFor([&] { return load.acked() >= 100; }, std::chrono::seconds(30)));
  }
  ASSERT_TRUE(WaitFor([&] { return cluster.ReplicaCurrent(stream, victim); }, std::chrono::seconds(60)))
      << "the restarted node did not catch up";
  Figure("empty_node.catch_up_seconds", Seconds(Clock::now() - restarted_at));
  // Its disk now holds every record: the hash of each one (inside the group messages) is there.
  auto records = log.ReadAll(Position(1), 100000);
  ASSERT_THAT(records, IsOk());
  ASSERT_GE(records->size(), 500u);
  std::string store;
  ASSERT_TRUE(WaitFor([&] {
    store = ReadTree(cluster.StoreDir(victim));
    for (const auto& e : *records) {
      if (store.find(std::string(reinterpret_cast<const char*>(e.hash.data()), e.hash.size())) == std::string::npos) return false;
    }
    return true;
  }, std::chrono::seconds(30))) << "the restarted node's store lacks records";
  Figure("empty_node.records", static_cast<double>(records->size()));
  auto report = log.Verify(nullptr);
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->ok) << report->problem;
}

}  // namespace
}  // namespace casetrail::storage
