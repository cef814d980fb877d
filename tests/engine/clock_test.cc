#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "engine/clock.h"
#include "engine/timers.h"
#include "storage/base/status_matchers.h"

namespace casetrail::engine {
namespace {

using std::chrono::microseconds;

// Parses and formats back, so each case reads as input => UTC output.
std::string Utc(std::string_view text) {
  auto t = ParseRfc3339(text);
  return t.ok() ? FormatRfc3339(*t) : "error: " + t.status().ToString();
}

TEST(Rfc3339Test, FormatsUtcWithMicrosecondsOnlyWhenPresent) {
  EXPECT_EQ(FormatRfc3339(Timestamp{}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(Timestamp{microseconds(1)}), "1970-01-01T00:00:00.000001Z");
  EXPECT_EQ(FormatRfc3339(Timestamp{std::chrono::seconds(1736757600)}), "2025-01-13T08:40:00Z");
  // Before 1970 the day must be floored, not truncated towards zero.
  EXPECT_EQ(FormatRfc3339(Timestamp{microseconds(-500000)}), "1969-12-31T23:59:59.500000Z");
}

TEST(Rfc3339Test, AppliesOffsets) {
  EXPECT_EQ(Utc("2025-01-13T09:40:00+01:00"), "2025-01-13T08:40:00Z");
  EXPECT_EQ(Utc("2025-01-13T08:40:00Z"), "2025-01-13T08:40:00Z");
  EXPECT_EQ(Utc("2025-01-13t08:40:00z"), "2025-01-13T08:40:00Z");
  EXPECT_EQ(Utc("2025-06-30T16:00:00-02:30"), "2025-06-30T18:30:00Z");
  EXPECT_EQ(Utc("2025-01-01T00:30:00+01:00"), "2024-12-31T23:30:00Z");  // crosses a year
  EXPECT_EQ(Utc("2024-02-28T23:00:00-01:00"), "2024-02-29T00:00:00Z");
  EXPECT_EQ(*ParseRfc3339("2025-01-13T09:40:00+01:00"), *ParseRfc3339("2025-01-13T08:40:00Z"));
}

TEST(Rfc3339Test, KeepsFractionsToTheMicrosecond) {
  EXPECT_EQ(Utc("2025-06-30T16:00:00.25Z"), "2025-06-30T16:00:00.250000Z");
  EXPECT_EQ(Utc("2025-06-30T16:00:00.000001Z"), "2025-06-30T16:00:00.000001Z");
  EXPECT_EQ(Utc("2025-06-30T16:00:00.123456789Z"), "2025-06-30T16:00:00.123456Z");  // nanoseconds dropped
  EXPECT_EQ(Utc("2025-06-30T16:00:00.000Z"), "2025-06-30T16:00:00Z");
  EXPECT_EQ(Utc("1969-12-31T23:59:59.5Z"), "1969-12-31T23:59:59.500000Z");
}

TEST(Rfc3339Test, ChecksTheCalendar) {
  EXPECT_THAT(ParseRfc3339("2024-02-29T00:00:00Z"), IsOk());
  EXPECT_THAT(ParseRfc3339("2000-02-29T00:00:00Z"), IsOk());  // divisible by 400
  for (const char* bad : {"1900-02-29T00:00:00Z", "2025-02-29T00:00:00Z", "2025-04-31T00:00:00Z",
                          "2025-01-32T00:00:00Z", "2025-13-01T00:00:00Z", "2025-00-01T00:00:00Z",
                          "2025-01-00T00:00:00Z", "2025-01-13T24:00:00Z", "2025-01-13T23:60:00Z",
                          "2025-01-13T23:59:60Z", "2025-01-13T09:40:00+24:00", "2025-01-13T09:40:00+01:60"}) {
    EXPECT_THAT(ParseRfc3339(bad), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
}

TEST(Rfc3339Test, RejectsMalformedText) {
  for (const char* bad : {"", "2025-01-13", "2025-01-13T09:40:00", "2025-01-13 09:40:00Z", "2025-1-13T09:40:00Z",
                          "2025-01-13T09:40Z", "2025-01-13T09:40:00+0100", "2025-01-13T09:40:00+01",
                          "2025-01-13T09:40:00Zjunk", " 2025-01-13T09:40:00Z", "2025-01-13T09:40:00.Z",
                          "2025-01-13T09:40:00.1234567890Z", "2025-01-13T09:40:00,5Z", "+025-01-13T09:40:00Z"}) {
    EXPECT_THAT(ParseRfc3339(bad), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
}

TEST(Rfc3339Test, ErrorsDoNotRepeatTheInput) {
  auto r = ParseRfc3339("2025-02-29T00:00:00Z");
  ASSERT_THAT(r, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(r.status().ToString().find("2025"), std::string::npos) << r.status().ToString();
}

// Fuzzing ("Hardening"): the first and last instants the formatter can write as four-digit years.
TEST(Rfc3339Test, RangeIsYearsOneToNineThousandNineHundredNinetyNine) {
  EXPECT_EQ(FormatRfc3339(kMinTime), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(kMaxTime), "9999-12-31T23:59:59.999999Z");
  EXPECT_EQ(*ParseRfc3339("0001-01-01T00:00:00Z"), kMinTime);
  EXPECT_EQ(*ParseRfc3339("9999-12-31T23:59:59.999999Z"), kMaxTime);
}

// Fuzzing ("Hardening"): every time, however far out, formats without overflow and as a time
// the parser reads back; outside years 0001-9999 it is clamped to the nearest end.
TEST(Rfc3339Test, FormatIsTotalAndClampsToTheRange) {
  const Timestamp lowest{microseconds(std::numeric_limits<int64_t>::min())};
  const Timestamp highest{microseconds(std::numeric_limits<int64_t>::max())};
  EXPECT_EQ(FormatRfc3339(lowest), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(highest), "9999-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatRfc3339(kMinTime - microseconds(1)), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(kMaxTime + microseconds(1)), "9999-12-31T23:59:59.999999Z");
  for (Timestamp t : {lowest, highest, kMinTime - microseconds(1), kMaxTime + microseconds(1), kMinTime, kMaxTime}) {
    EXPECT_THAT(ParseRfc3339(FormatRfc3339(t)), IsOk()) << FormatRfc3339(t);
  }
}

// Fuzzing ("Hardening"): "0000-01-01T00:00:00+00:01" was accepted and formatted as year -1.
// The parser refuses every time whose UTC instant is outside the range, whatever its offset,
// and every time it accepts formats back to the same instant.
TEST(Rfc3339Test, RefusesInstantsOutsideTheRangeAndRoundTripsTheRest) {
  for (const char* bad : {"0000-01-01T00:00:00+00:01", "0000-01-01T00:00:00Z", "0000-12-31T23:59:59.999999Z",
                          "0001-01-01T00:00:00+00:01", "0001-01-01T00:59:59+01:00",
                          "9999-12-31T23:59:59-00:01", "9999-12-31T23:00:00-01:00", "9999-12-31T23:59:59.999999-23:59"}) {
    EXPECT_THAT(ParseRfc3339(bad), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
  // The text's own date may lie outside the range when its offset brings the instant inside.
  for (const char* edge : {"0001-01-01T00:00:00Z", "0001-01-01T00:00:00-00:01", "0000-12-31T23:59:59-00:01",
                           "0001-01-01T23:59:59+23:59", "9999-12-31T23:59:59.999999Z",
                           "9999-12-31T23:59:59.999999999Z", "9999-12-31T23:59:59+00:01", "9999-12-31T00:00:00-23:59",
                           "1970-01-01T00:00:00+23:59", "1969-12-31T23:59:59.999999Z"}) {
    auto t = ParseRfc3339(edge);
    ASSERT_THAT(t, IsOk()) << edge;
    EXPECT_GE(*t, kMinTime) << edge;
    EXPECT_LE(*t, kMaxTime) << edge;
    auto again = ParseRfc3339(FormatRfc3339(*t));
    ASSERT_THAT(again, IsOk()) << edge;
    EXPECT_EQ(*again, *t) << edge;
  }
}

// Fuzzing ("Hardening"): "P100000000W" overflowed the microseconds of the sum. Durations are
// checked at every step and limited to the span of the time range.
TEST(DurationTest, RefusesDurationsBeyondTheTimeRange) {
  EXPECT_EQ(*ParseDuration("P14D"), std::chrono::hours(24 * 14));
  EXPECT_EQ(*ParseDuration("PT1H30M"), std::chrono::minutes(90));
  EXPECT_EQ(*ParseDuration("-P1D"), -std::chrono::hours(24));
  EXPECT_EQ(*ParseDuration("P1W1DT1H1M1S"), std::chrono::seconds(8 * 86400 + 3661));
  EXPECT_EQ(*ParseDuration("P3652058D"), kMaxTime - kMinTime + microseconds(1) - std::chrono::hours(24));
  for (const char* bad : {"P100000000W", "-P100000000W", "P100000000D", "PT100000000H", "P3652059D", "P521723W",
                          "P521722W100D", "P3652000DT100000000H", "P50000000DP50000000D", "P999999999999999999999D",
                          "PT100000000S100000000M100000000H"}) {
    EXPECT_THAT(ParseDuration(bad), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
  // The longest duration added to any time of the range does not overflow.
  const auto longest = *ParseDuration("P3652058D");
  EXPECT_GT((kMaxTime + longest).time_since_epoch().count(), 0);
  EXPECT_LT((kMinTime - longest).time_since_epoch().count(), 0);
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

TEST(FakeClockTest, ConcurrentAdvancesAreNotLost) {
  FakeClock clock(Timestamp{});
  constexpr int kThreads = 4, kSteps = 20000;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < kSteps; ++j) {
        clock.Advance(microseconds(1));
        (void)clock.Now();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(clock.Now(), Timestamp{microseconds(kThreads * kSteps)});
}

TEST(SystemClockTest, ReportsTheCurrentYear) {
  std::unique_ptr<Clock> clock = NewSystemClock();
  Timestamp a = clock->Now();
  EXPECT_LE(a, clock->Now());
  EXPECT_GT(a, *ParseRfc3339("2024-01-01T00:00:00Z"));
}

}  // namespace
}  // namespace casetrail::engine
