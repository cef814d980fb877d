#include "adapters/http/suppression.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace casetrail::adapters {
namespace {

namespace json = boost::json;

json::object Block(int women, int men, int unknown, int num, int den) {
  return {{"referrals", 40}, {"cases_booked", 3}, {"group_activities", 0},
          {"conversations_held", {{"women", women}, {"men", men}, {"unknown", unknown}, {"total", women + men + unknown}}},
          {"started_after_conversation", {{"numerator", num}, {"denominator", den}, {"share", den ? 1.0 * num / den : 0.0}}},
          {"rom_started", {{"numerator", 0}, {"denominator", 0}, {"share", nullptr}}}};
}

TEST(SuppressionTest, SmallCountsHiddenZerosAndLargeShown) {
  auto b = Block(30, 25, 0, 20, 55);
  std::vector<std::string> hidden;
  SuppressSmallCells(b, 5, "", &hidden);
  EXPECT_THAT(hidden, ::testing::ElementsAre("cases_booked"));
  EXPECT_TRUE(b["cases_booked"].is_null());
  EXPECT_EQ(b["referrals"].as_int64(), 40);
  EXPECT_EQ(b["group_activities"].as_int64(), 0) << "a zero identifies no one";
}

TEST(SuppressionTest, ASingleHiddenPartBesideAShownTotalTakesAnotherWithIt) {
  auto b = Block(30, 2, 9, 20, 41);
  std::vector<std::string> hidden;
  SuppressSmallCells(b, 5, "previous_year.", &hidden);
  const auto& h = b["conversations_held"].as_object();
  EXPECT_TRUE(h.at("men").is_null());
  EXPECT_TRUE(h.at("unknown").is_null()) << "the next smallest part, or men = total − women − unknown";
  EXPECT_EQ(h.at("women").as_int64(), 30);
  EXPECT_EQ(h.at("total").as_int64(), 41);
  EXPECT_THAT(hidden, ::testing::Contains("previous_year.conversations_held.unknown"));
}

TEST(SuppressionTest, RatiosWithASmallPartAreHiddenWhole) {
  auto b = Block(30, 25, 0, 53, 55);  // 2 did not start: identifiable
  std::vector<std::string> hidden;
  SuppressSmallCells(b, 5, "", &hidden);
  const auto& r = b["started_after_conversation"].as_object();
  EXPECT_TRUE(r.at("numerator").is_null());
  EXPECT_TRUE(r.at("denominator").is_null());
  EXPECT_TRUE(r.at("share").is_null());
  auto off = Block(1, 1, 1, 1, 3);
  hidden.clear();
  SuppressSmallCells(off, 1, "", &hidden);
  EXPECT_TRUE(hidden.empty()) << "threshold 1 suppresses nothing";
}

}  // namespace
}  // namespace casetrail::adapters
