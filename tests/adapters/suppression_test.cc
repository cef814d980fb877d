#include "adapters/http/suppression.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

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

// Across units: a unit's hidden cell next to the total and the other units' shown cells could be
// had by subtraction, so the smallest other unit's cell goes too; the total stays.
TEST(SuppressionTest, AHiddenUnitCellTakesTheSmallestOtherUnitCellWithIt) {
  std::map<std::string, json::object> units{{"jarva", Block(30, 25, 0, 20, 55)},
                                            {"globen", Block(30, 25, 0, 20, 55)},
                                            {"city", Block(30, 25, 0, 20, 55)}};
  units["jarva"]["referrals"] = 3;
  units["globen"]["referrals"] = 20;
  units["city"]["referrals"] = 30;
  json::object total = Block(90, 75, 0, 60, 165);
  total["referrals"] = 53;
  std::map<std::string, std::vector<std::string>> hidden;
  for (auto& [u, b] : units) SuppressSmallCells(b, 5, "", &hidden[u]);
  SuppressSmallCells(total, 5, "", &hidden[""]);
  ASSERT_TRUE(units["jarva"]["referrals"].is_null());
  EXPECT_EQ(units["globen"]["referrals"].as_int64(), 20) << "before the step across units";
  SuppressAcrossUnits(units, total, 5, "", &hidden);
  EXPECT_TRUE(units["globen"]["referrals"].is_null()) << "53 − 30 − 20 would give Järva's 3";
  EXPECT_EQ(units["city"]["referrals"].as_int64(), 30);
  EXPECT_EQ(total["referrals"].as_int64(), 53);
  EXPECT_THAT(hidden["globen"], ::testing::Contains("referrals"));
  EXPECT_THAT(hidden["city"], ::testing::Not(::testing::Contains("referrals")));
  // Cells no unit hides are untouched.
  EXPECT_EQ(units["city"]["cases_booked"].is_null(), true) << "3 is small in every unit";
  EXPECT_EQ(units["globen"]["conversations_held"].at("women").as_int64(), 30);
}

// A hidden conversation part taken across units can expose another part inside that unit: the
// repeat hides it as well.
TEST(SuppressionTest, TheStepAcrossUnitsRepeatsUntilNothingCanBeDerived) {
  std::map<std::string, json::object> units{{"jarva", Block(2, 40, 30, 20, 72)},
                                            {"globen", Block(20, 40, 30, 20, 90)},
                                            {"city", Block(30, 40, 30, 20, 100)}};
  json::object total = Block(52, 120, 90, 60, 262);
  std::map<std::string, std::vector<std::string>> hidden;
  for (auto& [u, b] : units) SuppressSmallCells(b, 5, "", &hidden[u]);
  SuppressSmallCells(total, 5, "", &hidden[""]);
  SuppressAcrossUnits(units, total, 5, "", &hidden);
  const auto& g = units["globen"]["conversations_held"].as_object();
  EXPECT_TRUE(g.at("women").is_null()) << "52 − 30 − 20 would give Järva's 2";
  int shown = 0;
  for (const char* k : {"women", "men", "unknown"}) shown += !g.at(k).is_null();
  EXPECT_LE(shown, 1) << "with Globen's total shown, one hidden part would be derivable";
}

}  // namespace
}  // namespace casetrail::adapters
