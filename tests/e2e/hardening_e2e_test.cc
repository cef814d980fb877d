// The HTTP server against oversized requests: a too-long target answers 414 and too-large
// headers 431, both as problem+json, before any handler runs, and the server keeps serving.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/http_client.h"
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

}  // namespace
}  // namespace casetrail::testing
