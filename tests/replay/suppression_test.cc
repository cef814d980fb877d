#include "replay/suppression.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace casetrail::replay {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;

SuppressedSet Block(uint64_t women, uint64_t men, uint64_t unknown, uint64_t num, uint64_t den) {
  SuppressedSet b;
  b.figures.referrals = 40;
  b.figures.cases_booked = 3;
  b.figures.group_activities = 0;
  b.figures.held_women = women;
  b.figures.held_men = men;
  b.figures.held_unknown = unknown;
  b.figures.started_after_conversation = {num, den};
  b.figures.rom_started = {0, 0};
  return b;
}

TEST(SuppressionTest, SmallCountsHiddenZerosAndLargeShown) {
  auto b = Block(30, 25, 0, 20, 55);
  SuppressSmallCells(b, 5);
  EXPECT_THAT(b.hidden, ElementsAre("cases_booked"));
  EXPECT_TRUE(b.Hidden("cases_booked"));
  EXPECT_FALSE(b.Hidden("referrals"));
  EXPECT_FALSE(b.Hidden("group_activities")) << "a zero identifies no one";
}

TEST(SuppressionTest, ASingleHiddenPartBesideAShownTotalTakesAnotherWithIt) {
  auto b = Block(30, 2, 9, 20, 41);
  SuppressSmallCells(b, 5);
  EXPECT_TRUE(b.Hidden("conversations_held.men"));
  EXPECT_TRUE(b.Hidden("conversations_held.unknown")) << "the next smallest part, or men = total − women − unknown";
  EXPECT_FALSE(b.Hidden("conversations_held.women"));
  EXPECT_FALSE(b.Hidden("conversations_held.total"));
  EXPECT_THAT(b.hidden, Contains("conversations_held.unknown"));
}

TEST(SuppressionTest, RatiosWithASmallPartAreHiddenWhole) {
  auto b = Block(30, 25, 0, 53, 55);  // 2 did not start: identifiable
  SuppressSmallCells(b, 5);
  EXPECT_TRUE(b.Hidden("started_after_conversation"));
  EXPECT_THAT(b.hidden, Contains("started_after_conversation.numerator"));
  EXPECT_THAT(b.hidden, Contains("started_after_conversation.denominator"));
  EXPECT_THAT(b.hidden, Contains("started_after_conversation.share"));
  auto off = Block(1, 1, 1, 1, 3);
  SuppressSmallCells(off, 1);
  EXPECT_TRUE(off.hidden.empty()) << "threshold 1 suppresses nothing";
}

// A ratio without a denominator has no share: hiding it names the numerator and denominator only.
TEST(SuppressionTest, AHiddenRatioWithoutADenominatorNamesNoShare) {
  std::map<std::string, SuppressedSet> units{{"a", Block(30, 25, 0, 20, 55)}, {"b", Block(30, 25, 0, 20, 55)}};
  units["a"].figures.rom_started = {0, 0};
  units["b"].figures.rom_started = {0, 0};
  SuppressedSet total = Block(60, 50, 0, 40, 110);
  total.figures.rom_started = {0, 0};
  total.hidden.push_back("rom_started.numerator");  // as if hidden: the zeros beside it are derivable
  total.hidden.push_back("rom_started.denominator");
  total.hidden.push_back("rom_started.share");
  SuppressAcrossUnits(units, total, 5);
  EXPECT_TRUE(units["b"].Hidden("rom_started")) << "a hidden total of shown zeros takes a zero unit cell";
  EXPECT_THAT(units["b"].hidden, Contains("rom_started.denominator"));
  EXPECT_THAT(units["b"].hidden, Not(Contains("rom_started.share")));
}

// Across units: a unit's hidden cell next to the total and the other units' shown cells could be
// had by subtraction, so the smallest other unit's cell goes too; the total stays.
TEST(SuppressionTest, AHiddenUnitCellTakesTheSmallestOtherUnitCellWithIt) {
  std::map<std::string, SuppressedSet> units{{"jarva", Block(30, 25, 0, 20, 55)},
                                             {"globen", Block(30, 25, 0, 20, 55)},
                                             {"city", Block(30, 25, 0, 20, 55)}};
  units["jarva"].figures.referrals = 3;
  units["globen"].figures.referrals = 20;
  units["city"].figures.referrals = 30;
  SuppressedSet total = Block(90, 75, 0, 60, 165);
  total.figures.referrals = 53;
  for (auto& [u, b] : units) SuppressSmallCells(b, 5);
  SuppressSmallCells(total, 5);
  ASSERT_TRUE(units["jarva"].Hidden("referrals"));
  EXPECT_FALSE(units["globen"].Hidden("referrals")) << "before the step across units";
  SuppressAcrossUnits(units, total, 5);
  EXPECT_TRUE(units["globen"].Hidden("referrals")) << "53 − 30 − 20 would give Järva's 3";
  EXPECT_FALSE(units["city"].Hidden("referrals"));
  EXPECT_FALSE(total.Hidden("referrals"));
  EXPECT_THAT(units["globen"].hidden, Contains("referrals"));
  EXPECT_THAT(units["city"].hidden, Not(Contains("referrals")));
  // Cells no unit hides are untouched.
  EXPECT_TRUE(units["city"].Hidden("cases_booked")) << "3 is small in every unit";
  EXPECT_FALSE(units["globen"].Hidden("conversations_held.women"));
}

// A hidden conversation part taken across units can expose another part inside that unit: the
// repeat hides it as well.
TEST(SuppressionTest, TheStepAcrossUnitsRepeatsUntilNothingCanBeDerived) {
  std::map<std::string, SuppressedSet> units{{"jarva", Block(2, 40, 30, 20, 72)},
                                             {"globen", Block(20, 40, 30, 20, 90)},
                                             {"city", Block(30, 40, 30, 20, 100)}};
  SuppressedSet total = Block(52, 120, 90, 60, 262);
  for (auto& [u, b] : units) SuppressSmallCells(b, 5);
  SuppressSmallCells(total, 5);
  SuppressAcrossUnits(units, total, 5);
  const auto& g = units["globen"];
  EXPECT_TRUE(g.Hidden("conversations_held.women")) << "52 − 30 − 20 would give Järva's 2";
  int shown = 0;
  for (const char* k : {"conversations_held.women", "conversations_held.men", "conversations_held.unknown"}) shown += !g.Hidden(k);
  EXPECT_LE(shown, 1) << "with Globen's total shown, one hidden part would be derivable";
}

// SuppressTable runs both steps over every unit (a unit missing from the figures counts zeros)
// and the total, and no row sum of the result has exactly one hidden cell.
TEST(SuppressionTest, ATableLeavesNoSumWithOneHiddenCell) {
  std::map<std::string, IndicatorSet> all;
  all["jarva"] = Block(2, 40, 30, 20, 72).figures;
  all["globen"] = Block(20, 40, 30, 20, 90).figures;
  all[""] = Block(22, 80, 60, 40, 162).figures;
  all[""].referrals = 80;
  const auto t = SuppressTable(all, {"city", "globen", "jarva"}, 5);
  ASSERT_EQ(t.units.size(), 3u);
  EXPECT_EQ(t.units.at("city").figures, IndicatorSet{});
  for (const char* cell : {"referrals", "cases_booked", "group_activities", "conversations_held.women", "conversations_held.men",
                           "conversations_held.unknown", "conversations_held.total", "started_after_conversation",
                           "rom_started"}) {
    int hidden = t.total.Hidden(cell);
    for (const auto& [u, b] : t.units) hidden += b.Hidden(cell);
    EXPECT_NE(hidden, 1) << cell;
  }
  EXPECT_EQ(ShownCount(3, 5), std::nullopt);
  EXPECT_EQ(ShownCount(0, 5), std::optional<uint64_t>(0));
  EXPECT_EQ(ShownCount(5, 5), std::optional<uint64_t>(5));
}

}  // namespace
}  // namespace casetrail::replay
