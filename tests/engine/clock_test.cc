#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/clock.h"
#include "storage/base/status_matchers.h"

namespace casetrail::engine {
namespace {

TEST(Rfc3339Test, ParsesOffsetsAndFormatsUtc) {
  auto t = ParseRfc3339("2025-01-13T09:40:00+01:00");
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(FormatRfc3339(*t), "2025-01-13T08:40:00Z");
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2025-06-30T16:00:00.25-02:30")), "2025-06-30T18:30:00.250000Z");
  EXPECT_EQ(*ParseRfc3339("2025-01-13T08:40:00Z"), *t);
}

TEST(Rfc3339Test, RejectsMalformedAndImpossibleTimes) {
  for (const char* bad : {"2025-01-13", "2025-01-13T09:40:00", "2025-02-29T00:00:00Z", "2025-13-01T00:00:00Z",
                          "2025-01-13T24:00:00Z", "2025-01-13T09:40:00+0100", "2025-01-13T09:40:00Zjunk", ""}) {
    EXPECT_THAT(ParseRfc3339(bad), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
  EXPECT_THAT(ParseRfc3339("2024-02-29T00:00:00Z"), IsOk());
}

TEST(FakeClockTest, MovesOnlyWhenTold) {
  FakeClock clock(*ParseRfc3339("2025-01-13T09:00:00Z"));
  Timestamp t0 = clock.Now();
  EXPECT_EQ(clock.Now(), t0);
  clock.Advance(std::chrono::hours(24));
  EXPECT_EQ(FormatRfc3339(clock.Now()), "2025-01-14T09:00:00Z");
  clock.Set(t0);
  EXPECT_EQ(clock.Now(), t0);
}

}  // namespace
}  // namespace casetrail::engine
