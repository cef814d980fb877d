// Kills a child that appends from several threads with SIGKILL at random moments, 20 times, and
// checks after each kill that every acknowledged append is present, in order, on a valid chain.
//
// SIGKILL leaves the page cache intact, so this proves the log's recovery logic and that
// acknowledgement follows the write, not that fdatasync works (the sync-fault test covers the
// error path; power_cut_test.cc drops what was not synced).
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <random>
#include <sstream>

#include "storage/base/status_matchers.h"
#include "storage/rocksdb_log.h"
#include "tests/support/temp_dir.h"

namespace casetrail::storage {
namespace {

struct Ack {
  std::string stream;
  uint64_t version;
  uint64_t position;
};

// Runs the child for `run_ms`, SIGKILLs it, and returns the acknowledged appends it reported.
std::vector<Ack> RunAndKill(const std::string& dir, int run, int run_ms) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::close(fds[0]);
    ::close(fds[1]);
    std::string r = std::to_string(run);
    ::execl(CRASH_CHILD, CRASH_CHILD, dir.c_str(), "6", r.c_str(), nullptr);
    std::_Exit(127);
  }
  ::close(fds[1]);
  std::string out;
  char buf[65536];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(run_ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) > 0) {
      ssize_t n = ::read(fds[0], buf, sizeof(buf));
      if (n <= 0) break;
      out.append(buf, n);
    }
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof(buf))) > 0;) out.append(buf, n);
  ::close(fds[0]);
  EXPECT_TRUE(WIFSIGNALED(status)) << "child exited on its own: status " << status;

  std::vector<Ack> acks;
  std::istringstream lines(out.substr(0, out.rfind('\n') + 1));  // a torn last line is no ack
  for (Ack a; lines >> a.stream >> a.version >> a.position;) acks.push_back(a);
  return acks;
}

TEST(CrashTest, EveryAcknowledgedAppendSurvivesSigkill) {
  testing::TempDir dir;
  std::mt19937 rng(20251113);
  uint64_t total_acks = 0;
  for (int run = 0; run < 20; ++run) {
    const int run_ms = std::uniform_int_distribution<int>(80, 400)(rng);
    std::vector<Ack> acks = RunAndKill(dir.path(), run, run_ms);
    total_acks += acks.size();

    LogOptions options;
    options.path = dir.path();
    auto log = OpenRocksLog(options);
    ASSERT_THAT(log, IsOk()) << "run " << run;
    for (const Ack& a : acks) {
      auto ev = (*log)->ReadStream(StreamId(a.stream), StreamVersion(a.version), Direction::kForward, 1);
      ASSERT_THAT(ev, IsOk());
      ASSERT_EQ(ev->size(), 1u) << "run " << run << ": lost " << a.stream << " v" << a.version;
      EXPECT_EQ((*ev)[0].position.value(), a.position) << "run " << run;
    }
    // In order: within a stream, later acks have later positions.
    std::map<std::string, uint64_t> last;
    for (const Ack& a : acks) {
      EXPECT_GT(a.position, last[a.stream]);
      last[a.stream] = a.position;
    }
    auto report = (*log)->Verify(nullptr);
    ASSERT_THAT(report, IsOk());
    ASSERT_TRUE(report->ok) << "run " << run << ": broken at "
                            << report->first_bad_position->value() << ": " << report->problem;
  }
  EXPECT_GT(total_acks, 100u) << "the child hardly appended; the test proves little";
}

}  // namespace
}  // namespace casetrail::storage
