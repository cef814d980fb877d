// Core integrity over the real server and its RocksDB data directory: registration serialised per
// personal number and atomic across the key store and the log (also across a SIGKILL between
// the two), and read models that report failing reads instead of serving stale data.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <atomic>
#include <set>
#include <thread>

#include "tests/support/cli_runner.h"
#include "tests/support/http_client.h"
#include "tests/support/personal_numbers.h"
#include "tests/support/rocksdb_head.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;

class IntegrityE2ETest : public ::testing::Test {
 protected:
  void SetUp() override { server_ = std::make_unique<ServerProcess>(dir_); }

  HttpResponse Post(const std::string& path, const std::string& who, const json::value& body) {
    return Http(server_->port(), "POST", path, TokenOf(who), json::serialize(body));
  }
  HttpResponse Register(const std::string& pnr) {
    return Post("/v1/subjects", "A-J1", {{"personal_number", pnr}, {"name", "Tolvan Tolvansson"}, {"gender", "female"}});
  }
  HttpResponse Lookup(const std::string& pnr) { return Post("/v1/subjects/lookup", "C-1", {{"personal_number", pnr}}); }
  bool VerifyOk() {
    auto v = Http(server_->port(), "GET", "/v1/verify", TokenOf("C-1"));
    return v.status == 200 && v.Str("ok") == "true";
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(IntegrityE2ETest, SixteenConcurrentRegistrationsOfOneNumberMakeOneSubject) {
  // 100 lookups by one user within seconds: over the per-user limit (auth_e2e_test.cc), which
  // this test is not about.
  server_->SetExtraArgs({"--lookups-per-minute", "0"});
  ASSERT_TRUE(server_->Start());
  for (int round = 0; round < 100; ++round) {
    const std::string pnr = TestNumber(round);
    std::vector<HttpResponse> answers(16);
    std::atomic<int> ready{0};
    std::vector<std::thread> clients;
    for (int i = 0; i < 16; ++i) {
      clients.emplace_back([&, i] {
        ++ready;
        while (ready < 16) std::this_thread::yield();  // start together
        answers[i] = Register(pnr);
      });
    }
    for (auto& t : clients) t.join();
    int created = 0, existing = 0;
    std::set<std::string> ids;
    for (const auto& a : answers) {
      if (a.status == 201) ++created;
      if (a.status == 200) ++existing;
      ids.insert(a.Str("subject_id"));
    }
    ASSERT_EQ(created, 1) << "round " << round;
    ASSERT_EQ(existing, 15) << "round " << round;
    ASSERT_EQ(ids.size(), 1u) << "round " << round;
    ASSERT_EQ(Lookup(pnr).Str("subject_id"), *ids.begin());
  }
  EXPECT_TRUE(VerifyOk());
}

// SIGKILL between the key store write and the log append of a registration, 50 times: each
// restart must leave no subject (the key store's half is rolled back) and a valid chain, and the
// number must register afresh as one whole subject.
TEST_F(IntegrityE2ETest, KillBetweenKeyStoreAndLogLeavesAWholeSubjectOrNone) {
  for (int round = 0; round < 50; ++round) {
    const std::string pnr = TestNumber(1000 + round);
    server_->SetEnv("CASETRAIL_FAILPOINT", "register-after-keys");
    ASSERT_TRUE(server_->Start()) << "round " << round;
    auto cut = Register(pnr);
    EXPECT_EQ(cut.status, 0) << "the failpoint should have killed the server: " << cut.body;
    int status = 0;
    ASSERT_TRUE(server_->WaitExit(10000, &status)) << "round " << round;
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "round " << round;

    ASSERT_TRUE(server_->Start()) << "round " << round;
    EXPECT_EQ(Lookup(pnr).status, 404) << "round " << round << ": a half-registered subject answered a lookup";
    ASSERT_TRUE(VerifyOk()) << "round " << round;
    auto again = Register(pnr);
    ASSERT_EQ(again.status, 201) << "round " << round << ": " << again.body;
    const std::string id = again.Str("subject_id");
    EXPECT_EQ(Lookup(pnr).Str("subject_id"), id);
    EXPECT_EQ(Http(server_->port(), "GET", "/v1/subjects/" + id + "/extract", TokenOf("C-1")).status, 200);
    server_->Stop(SIGTERM);
  }
}

TEST_F(IntegrityE2ETest, FailingReadsOfAReadModelAreReportedAndNeverServedStale) {
  server_->SetEnv("CASETRAIL_FAULT", "subscription-read");
  ASSERT_TRUE(server_->Start());
  ASSERT_EQ(Register(TestNumber(7)).status, 201);

  auto health = Http(server_->port(), "GET", "/healthz");
  ASSERT_EQ(health.status, 200);
  EXPECT_EQ(health.Str("status"), "degraded") << health.body;
  bool cases_reported = false;
  for (const auto& m : health.Json().at("read_models").as_array()) {
    if (m.at("name").as_string() != "cases") continue;
    cases_reported = true;
    EXPECT_GT(m.at("lag").as_int64(), 0);
    EXPECT_GT(m.at("failures").as_int64(), 0);
    EXPECT_FALSE(m.at("last_error").as_string().empty());
  }
  EXPECT_TRUE(cases_reported) << health.body;

  auto listing = Http(server_->port(), "GET", "/v1/cases", TokenOf("C-1"));
  EXPECT_EQ(listing.status, 503) << listing.body;
  EXPECT_EQ(listing.Str("code"), "read_model_behind");
  EXPECT_EQ(listing.headers["Retry-After"], "2");
  auto metrics = Http(server_->port(), "GET", "/metrics");
  EXPECT_THAT(metrics.body, ::testing::HasSubstr("casetrail_read_model_failing{model=\"cases\"} 1"));
  EXPECT_THAT(metrics.body, ::testing::ContainsRegex("casetrail_read_model_lag_events\\{model=\"cases\"\\} [1-9]"));

  // Without the fault the same data directory is served fresh and healthy.
  server_->Stop(SIGTERM);
  ASSERT_TRUE(server_->Start());
  EXPECT_EQ(Http(server_->port(), "GET", "/v1/cases", TokenOf("C-1")).status, 200);
  EXPECT_EQ(Http(server_->port(), "GET", "/healthz").Str("status"), "ok");
}

// A head that disagrees with the stored log (here: naming position 1 of many) makes the server
// refuse to start and `casetrail verify` fail, naming the positions; nothing is overwritten.
TEST_F(IntegrityE2ETest, AHeadThatDisagreesWithTheLogStopsStartAndVerify) {
  ASSERT_TRUE(server_->Start());
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Register(TestNumber(300 + i)).status, 201);
  server_->Stop(SIGTERM);
  ASSERT_TRUE(EditRawHead(server_->data_dir() + "/log", [](std::optional<std::string> head) {
    if (head && head->size() == 40) head->replace(0, 8, std::string("\0\0\0\0\0\0\0\1", 8));  // position 1
    return head;
  }));
  auto verify = Cli(dir_, "verify --data " + server_->data_dir() + " --master-key " + dir_.Sub("master.key"));
  EXPECT_NE(verify.exit_code, 0);
  EXPECT_THAT(verify.err, ::testing::HasSubstr("corruption: the head names position 1"));
  EXPECT_FALSE(server_->Start()) << "the server must not open a log whose head disagrees with it";
}

}  // namespace
}  // namespace casetrail::testing
