// The HTTP server's limits on the real binary over loopback (docs/reliability.md): one deadline
// per phase, so a long handler's committed answer is still written; any exception a 500 that
// leaks neither data nor the in-flight count; the token checked before a body is read; caps on
// connections (in all and per address) and on the handler queue, answered 503 with Retry-After.
// Short deadlines and CASETRAIL_FAILPOINT (slow or throwing handlers) keep each test to seconds.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "tests/support/http_client.h"
#include "tests/support/personal_numbers.h"
#include "tests/support/raw_connection.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

class ServerLimitsE2ETest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> flags, const std::string& failpoint = "") {
    server_ = std::make_unique<ServerProcess>(dir_);
    server_->SetExtraArgs(std::move(flags));
    if (!failpoint.empty()) server_->SetEnv("CASETRAIL_FAILPOINT", failpoint);
    ASSERT_TRUE(server_->Start());
  }
  HttpResponse Register(const std::string& number) {
    return Http(server_->port(), "POST", "/v1/subjects", TokenOf("A-J1"),
                json::serialize(json::value{{"personal_number", number}, {"name", "Gränsa Testsson"}}));
  }
  // A gauge or counter from /metrics (no token needed), -1 when absent.
  long Metric(const std::string& series) {
    auto m = Http(server_->port(), "GET", "/metrics");
    size_t at = m.body.find("\n" + series + " ");
    return at == std::string::npos ? -1 : std::atol(m.body.c_str() + at + series.size() + 2);
  }
  static double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

// The handler runs 1.5 s after it committed, past both the 1 s read and the 1 s write deadline:
// the write deadline starts when the handler ends, so the answer arrives and the subject exists.
TEST_F(ServerLimitsE2ETest, ALongHandlerStillGetsItsCommittedAnswerWritten) {
  Start({"--read-timeout", "1", "--write-timeout", "1"}, "handler-slow");
  const auto start = Clock::now();
  auto registered = Register(TestNumber(1));
  EXPECT_GE(Seconds(start), 1.4) << "the failpoint did not slow the handler";
  ASSERT_EQ(registered.status, 201) << "the committed answer was lost";
  const std::string subject = registered.Str("subject_id");
  auto lookup = Http(server_->port(), "POST", "/v1/subjects/lookup", TokenOf("A-J1"),
                     json::serialize(json::value{{"personal_number", TestNumber(1)}}));
  EXPECT_EQ(lookup.status, 200) << lookup.body;
  EXPECT_EQ(lookup.Str("subject_id"), subject);
}

// The read deadline covers a request that never finishes arriving: the connection is closed.
TEST_F(ServerLimitsE2ETest, AClientThatStallsMidRequestIsCutOffByTheReadDeadline) {
  Start({"--read-timeout", "1"});
  RawConnection slow(server_->port());
  ASSERT_TRUE(slow.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n"));  // and never the blank line
  const auto start = Clock::now();
  EXPECT_TRUE(slow.ClosedWithin(3000));
  EXPECT_LT(Seconds(start), 2.5);
  EXPECT_EQ(Http(server_->port(), "GET", "/healthz").status, 200);
}

// A kj::Exception (not a std::exception) from a handler: 500 problem+json that repeats nothing of
// the request, the in-flight gauge back to the scrape alone, and SIGTERM does not wait for a
// request that never ends.
TEST_F(ServerLimitsE2ETest, ANonStandardExceptionIsA500WithoutDataAndLeaksNothing) {
  Start({}, "handler-throws-kj");
  const std::string number = TestNumber(2);
  for (int i = 0; i < 3; ++i) {
    auto r = Register(number);
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(r.content_type, "application/problem+json");
    EXPECT_EQ(r.Str("code"), "internal");
    EXPECT_EQ(r.body.find(number.substr(0, 8)), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("Testsson"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("injected"), std::string::npos) << "the exception's text stays inside";
  }
  EXPECT_EQ(Metric("casetrail_http_requests_in_flight"), 1) << "only the scrape itself";
  EXPECT_EQ(Http(server_->port(), "GET", "/healthz").status, 200);
  const auto start = Clock::now();
  const int status = server_->Stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_LT(Seconds(start), 5.0) << "shutdown waited for a leaked in-flight count";
}

// The token is checked on the headers: a 1 MB upload with a wrong token is answered 401 though
// its body never comes, and 200 such uploads leave the server's peak memory where it was.
TEST_F(ServerLimitsE2ETest, AnUnauthenticatedUploadIsAnswered401BeforeItsBodyIsRead) {
  // 200 wrong tokens from one address would lock it out (429, auth_e2e_test.cc): this test is
  // about the unread body, so the sign-in limit is off.
  Start({"--sign-in-failures-per-minute", "0"});
  const std::string head =
      "POST /v1/subjects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer not-a-token\r\n"
      "Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n";
  {
    RawConnection c(server_->port());
    ASSERT_TRUE(c.Send(head));
    RawResponse r = c.ReadResponse(3000);
    EXPECT_EQ(r.status, 401) << "the server waited for the body";
    EXPECT_EQ(r.headers["www-authenticate"], "Bearer");
    EXPECT_EQ(r.headers["content-type"], "application/problem+json");
    EXPECT_TRUE(c.ClosedWithin(3000)) << "a connection with an unread body is not reused";
  }
  const long peak_before = PeakResidentKiB(server_->pid());
  const std::string part(64 << 10, ' ');  // the start of each body
  for (int round = 0; round < 4; ++round) {
    std::vector<std::unique_ptr<RawConnection>> uploads;
    for (int i = 0; i < 50; ++i) {
      uploads.push_back(std::make_unique<RawConnection>(server_->port()));
      uploads.back()->Send(head + part);
    }
    for (auto& u : uploads) EXPECT_EQ(u->ReadResponse(3000).status, 401);
  }
  const long grown_kib = PeakResidentKiB(server_->pid()) - peak_before;
  EXPECT_LT(grown_kib, 32 << 10) << "200 uploads of 1 MB raised the peak by " << grown_kib << " KiB";
  // A signed-in client's body is still read and handled.
  EXPECT_EQ(Register(TestNumber(3)).status, 201);
}

// Per address 3, in all 6: the 4th connection from one address and the 7th in all are answered
// 503 with Retry-After; 500 idle connections beyond the caps hold no descriptors once refused.
TEST_F(ServerLimitsE2ETest, ConnectionsBeyondTheCapsAre503AndHoldNoDescriptors) {
  Start({"--max-connections", "6", "--max-connections-per-address", "3"});
  const int baseline = OpenDescriptors(server_->pid());
  const std::string get = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  std::vector<std::unique_ptr<RawConnection>> held;
  auto hold = [&](const char* from) {
    held.push_back(std::make_unique<RawConnection>(server_->port(), from));
    ASSERT_TRUE(held.back()->Send(get));
    ASSERT_EQ(held.back()->ReadResponse(3000).status, 200) << from;  // kept alive, still counted
  };
  auto refused = [&](const char* from, const std::string& limit) {
    RawConnection extra(server_->port(), from);
    extra.Send(get);
    RawResponse r = extra.ReadResponse(3000);
    EXPECT_EQ(r.status, 503) << from;
    EXPECT_EQ(r.headers["retry-after"], "2");
    EXPECT_EQ(r.headers["content-type"], "application/problem+json");
    EXPECT_EQ(std::string(json::parse(r.body).at("limit").as_string()), limit) << r.body;
  };
  for (int i = 0; i < 3; ++i) hold("127.0.0.1");
  refused("127.0.0.1", "connections_per_address");
  for (int i = 0; i < 3; ++i) hold("127.0.0.2");
  refused("127.0.0.3", "connections");

  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 500; ++i) idle.push_back(std::make_unique<RawConnection>(server_->port()));
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));  // refusals linger 1 s at most
  const int held_now = OpenDescriptors(server_->pid());
  EXPECT_LE(held_now, baseline + 6 + 4) << "500 idle connections hold " << held_now - baseline << " descriptors";

  held.clear();
  idle.clear();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(Http(server_->port(), "GET", "/healthz").status, 200) << "places are given back";
  EXPECT_GE(Metric("casetrail_http_refused_total{limit=\"connections\"}"), 502);
}

// One handler thread and a queue of one: of four requests at once, two run (one after the other)
// and two are answered 503 at once, before any handler ran.
TEST_F(ServerLimitsE2ETest, AFullHandlerQueueIsAnswered503) {
  Start({"--handler-threads", "1", "--max-queue", "1"}, "handler-slow");
  std::vector<std::future<HttpResponse>> calls;
  for (int i = 0; i < 4; ++i) {
    calls.push_back(std::async(std::launch::async, [&] { return Http(server_->port(), "GET", "/v1/me", TokenOf("V-1")); }));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  int ok = 0, busy = 0;
  for (auto& c : calls) {
    HttpResponse r = c.get();
    if (r.status == 200) ++ok;
    if (r.status == 503) {
      ++busy;
      EXPECT_EQ(r.headers["Retry-After"], "2");
      EXPECT_EQ(r.Str("code"), "overloaded");
      EXPECT_EQ(r.Str("limit"), "queue");
    }
  }
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(busy, 2);
}

// A request that waited for a handler past --queue-timeout is answered 503 and never runs.
TEST_F(ServerLimitsE2ETest, ARequestThatWaitedPastTheQueueDeadlineDoesNotRun) {
  Start({"--handler-threads", "1", "--queue-timeout", "1"}, "handler-slow");
  auto first = std::async(std::launch::async, [&] { return Register(TestNumber(4)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto second = Register(TestNumber(5));
  EXPECT_EQ(second.status, 503) << second.body;
  EXPECT_EQ(second.Str("limit"), "queue");
  EXPECT_EQ(first.get().status, 201);
  auto lookup = Http(server_->port(), "POST", "/v1/subjects/lookup", TokenOf("A-J1"),
                     json::serialize(json::value{{"personal_number", TestNumber(5)}}));
  EXPECT_EQ(lookup.status, 404) << "the refused request ran: " << lookup.body;
}

// SIGTERM while a request runs: its answer is written, then the process exits at once (the drain
// waits on the in-flight count, not for the drain time).
TEST_F(ServerLimitsE2ETest, ShutdownWaitsForTheRequestInFlightAndNoLonger) {
  Start({}, "handler-slow");
  auto running = std::async(std::launch::async, [&] { return Register(TestNumber(6)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto start = Clock::now();
  const int status = server_->Stop(SIGTERM);
  EXPECT_EQ(running.get().status, 201);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_LT(Seconds(start), 4.0);
}

}  // namespace
}  // namespace casetrail::testing
