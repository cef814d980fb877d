// The bytes of an append forwarded to the writer (storage/jetstream/forwarding.h): a request and
// both kinds of answer survive the round trip, and truncated or padded bytes are refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "storage/base/status_matchers.h"
#include "storage/jetstream/forwarding.h"

namespace casetrail::storage::jetstream {
namespace {

AppendRequest Sample() {
  AppendRequest r;
  r.writes.push_back({StreamId("case:C-1"), ExpectedVersion::Exact(3), {{"A", "one"}, {"B", std::string("\0two", 4)}}});
  r.writes.push_back({StreamId("access:S-1"), ExpectedVersion::NoStream(), {{"PersonalDataRead", "x"}}});
  r.conditions.push_back({StreamId("subject:S-1"), StreamVersion(2)});
  r.idempotency_key = "k-1";
  r.idempotency_fingerprint = "fp";
  r.sync = false;
  return r;
}

TEST(JetStreamForwardingTest, ARequestSurvivesTheRoundTrip) {
  const std::string bytes = EncodeAppendRequest(Sample());
  auto back = DecodeAppendRequest(bytes);
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(EncodeAppendRequest(*back), bytes);
  ASSERT_EQ(back->writes.size(), 2u);
  EXPECT_EQ(back->writes[0].stream.value(), "case:C-1");
  EXPECT_EQ(back->writes[0].expected.kind, ExpectedVersion::Kind::kExact);
  EXPECT_EQ(back->writes[0].expected.version.value(), 3u);
  EXPECT_EQ(back->writes[0].events[1].data, std::string("\0two", 4));
  EXPECT_EQ(back->writes[1].expected.kind, ExpectedVersion::Kind::kNoStream);
  EXPECT_EQ(back->conditions[0].version.value(), 2u);
  EXPECT_EQ(back->idempotency_key, "k-1");
  EXPECT_FALSE(back->sync);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_FALSE(DecodeAppendRequest(bytes.substr(0, cut)).ok()) << cut;
  }
  EXPECT_FALSE(DecodeAppendRequest(bytes + "x").ok());
}

TEST(JetStreamForwardingTest, AnswersSurviveTheRoundTrip) {
  AppendResult r;
  r.first_position = Position(10);
  r.last_position = Position(12);
  r.stream_versions = {StreamVersion(4), StreamVersion(1)};
  r.deduplicated = true;
  auto ok = DecodeAppendAnswer(EncodeAppendAnswer(r));
  ASSERT_THAT(ok, IsOk());
  EXPECT_EQ(ok->last_position.value(), 12u);
  EXPECT_EQ(ok->stream_versions.size(), 2u);
  EXPECT_TRUE(ok->deduplicated);

  Status refused = Unavailable("this node is not the log's writer");
  refused.With("writer", "http://10.0.0.11:8080");
  auto no = DecodeAppendAnswer(EncodeAppendAnswer(refused));
  ASSERT_FALSE(no.ok());
  EXPECT_EQ(no.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(no.status().Get("writer"), "http://10.0.0.11:8080");
  EXPECT_THAT(DecodeAppendAnswer(""), StatusIs(StatusCode::kUnavailable));
}

}  // namespace
}  // namespace casetrail::storage::jetstream
