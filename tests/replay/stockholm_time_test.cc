// Stockholm calendar dates at the ends of the time range (fuzzing, "Hardening"): no overflow, no
// exception from the formatter, and never a year outside 0001-9999.
#include "replay/stockholm_time.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <limits>
#include <vector>

#include "storage/base/status_matchers.h"

namespace casetrail::replay {
namespace {

using engine::kMaxTime;
using engine::kMinTime;
using engine::Timestamp;
using std::chrono::microseconds;

TEST(StockholmTimeTest, DatesFollowTheStockholmDay) {
  EXPECT_EQ(StockholmDate(*engine::ParseRfc3339("2025-01-13T22:59:59Z")), "2025-01-13");
  EXPECT_EQ(StockholmDate(*engine::ParseRfc3339("2025-01-13T23:00:00Z")), "2025-01-14");
  EXPECT_EQ(StockholmDate(*engine::ParseRfc3339("2025-06-30T22:00:00Z")), "2025-07-01");
}

TEST(StockholmTimeTest, DatesAreTotalAndStayInTheRange) {
  const Timestamp lowest{microseconds(std::numeric_limits<int64_t>::min())};
  const Timestamp highest{microseconds(std::numeric_limits<int64_t>::max())};
  EXPECT_EQ(StockholmDate(lowest), "0001-01-01");
  EXPECT_EQ(StockholmDate(kMinTime - microseconds(1)), "0001-01-01");
  EXPECT_EQ(StockholmDate(kMinTime), "0001-01-01");
  EXPECT_EQ(StockholmDate(*engine::ParseRfc3339("9999-12-31T12:00:00Z")), "9999-12-31");
  // 9999-12-31T23:00Z is already 10000-01-01 in Stockholm: the last date is kept.
  EXPECT_EQ(StockholmDate(kMaxTime), "9999-12-31");
  EXPECT_EQ(StockholmDate(kMaxTime + microseconds(1)), "9999-12-31");
  EXPECT_EQ(StockholmDate(highest), "9999-12-31");
}

TEST(StockholmTimeTest, EndOfDayAtTheEndsOfTheRange) {
  auto last = EndOfStockholmDay("9999-12-31");
  ASSERT_THAT(last, IsOk());
  EXPECT_LE(*last, kMaxTime);
  EXPECT_EQ(engine::FormatRfc3339(*last), "9999-12-31T23:00:00Z");
  auto first = EndOfStockholmDay("0001-01-01");
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(StockholmDate(*first), "0001-01-02");
  EXPECT_THAT(EndOfStockholmDay("0000-12-31"), StatusIs(StatusCode::kInvalidArgument));
}

// StockholmDate caches the date per UTC hour. Every 20 minutes across 2025 (both DST changes),
// forwards and then backwards, it agrees with the offsets of the year: CEST (+2) from
// 2025-03-30T01:00Z to 2025-10-26T01:00Z, CET (+1) otherwise.
TEST(StockholmTimeTest, TheHourlyCacheAgreesWithTheOffsetsAcrossTheYear) {
  const int64_t start = 1735689600;  // 2025-01-01T00:00:00Z
  const int64_t summer = 1743296400, winter = 1761440400;  // 2025-03-30T01:00Z, 2025-10-26T01:00Z
  std::vector<int64_t> seconds;
  for (int64_t t = start - 3600; t < start + 366 * 86400; t += 1200) seconds.push_back(t);
  for (int pass = 0; pass < 2; ++pass) {
    for (int64_t t : seconds) {
      const std::time_t local = t + (t >= summer && t < winter ? 7200 : 3600);
      char expected[16];
      std::strftime(expected, sizeof(expected), "%Y-%m-%d", std::gmtime(&local));
      ASSERT_EQ(StockholmDate(Timestamp(microseconds(t * 1000000 + 999999))), expected) << t;
      ASSERT_EQ(StockholmDate(Timestamp(microseconds(t * 1000000))), expected) << t;
    }
    std::reverse(seconds.begin(), seconds.end());
  }
}

}  // namespace
}  // namespace casetrail::replay
