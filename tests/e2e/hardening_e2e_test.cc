// The HTTP server against oversized requests: a too-long target answers 414 and too-large
// headers 431, both as problem+json, before any handler runs, and the server keeps serving.
// Refused commands are recorded without a synced write of their own (docs/reliability.md §2).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/http_client.h"
#include "tests/support/personal_numbers.h"
#include "tests/support/referral_over_http.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

class HardeningE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_);
    ASSERT_TRUE(server_->Start());
  }
  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(HardeningE2ETest, OversizedTargetsAndHeadersAreAnsweredNotDropped) {
  auto long_target = Http(server_->port(), "GET", "/v1/cases?state=" + std::string(10000, 'a'), TokenOf("C-1"));
  EXPECT_EQ(long_target.status, 414) << long_target.body;
  EXPECT_EQ(long_target.content_type, "application/problem+json");
  EXPECT_EQ(long_target.Str("code"), "uri_too_long");

  auto big_headers = Http(server_->port(), "GET", "/v1/cases", TokenOf("C-1"), "", {{"X-Padding", std::string(40000, 'b')}});
  EXPECT_EQ(big_headers.status, 431) << big_headers.body;
  EXPECT_EQ(big_headers.content_type, "application/problem+json");
  EXPECT_EQ(big_headers.Str("code"), "headers_too_large");

  // Limits are limits, not refusals of ordinary requests.
  EXPECT_EQ(Http(server_->port(), "GET", "/healthz?pad=" + std::string(6000, 'a')).status, 200);
  EXPECT_EQ(Http(server_->port(), "GET", "/v1/cases", TokenOf("C-1"), "", {{"X-Padding", std::string(20000, 'c')}}).status, 200);
  EXPECT_EQ(Http(server_->port(), "GET", "/healthz").status, 200);
}

long Counter(uint16_t port, const std::string& series) {
  auto m = Http(port, "GET", "/metrics");
  size_t at = m.body.find("\n" + series + " ");
  return at == std::string::npos ? -1 : std::atol(m.body.c_str() + at + series.size() + 2);
}

// 30 refused commands: each answered and recorded (the head grows by 30, and keeps them over a
// restart), but none forces a synced write; before, each was a synced append of its own.
TEST_F(HardeningE2ETest, RefusalsAreRecordedWithoutForcingASyncEach) {
  const ReferredCase c = ReferOverHttp(server_->port(), TestNumber(7), "Vägra Testsson");
  const long synced_before = Counter(server_->port(), "casetrail_log_synced_writes_total");
  const long head_before = Counter(server_->port(), "casetrail_log_head_position");
  for (int i = 0; i < 30; ++i) {
    auto r = Http(server_->port(), "POST", "/v1/cases/" + c.case_id + "/commands", TokenOf("V-1"),
                  R"({"command":"NoSuchCommand"})");
    ASSERT_EQ(r.status, 422) << r.body;
  }
  // At least: the worker may append a record of its own meanwhile (and sync it).
  const long head_after = Counter(server_->port(), "casetrail_log_head_position");
  EXPECT_GE(head_after, head_before + 30) << "every refusal recorded";
  EXPECT_LE(Counter(server_->port(), "casetrail_log_synced_writes_total") - synced_before, 5)
      << "refusals forced synced writes";
  EXPECT_GE(Counter(server_->port(), "casetrail_log_unsynced_writes_total"), 1);
  ASSERT_EQ(server_->Stop(SIGTERM), 0);
  ASSERT_TRUE(server_->Start());
  EXPECT_GE(Counter(server_->port(), "casetrail_log_head_position"), head_after) << "kept over a restart";
}

}  // namespace
}  // namespace casetrail::testing
