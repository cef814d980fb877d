// SuppressTableByBand on hand-made tables: band cells with a partner in every row and column, a
// margin hidden for its bands' sake, and I2 hidden with its band's conversations.
#include <gtest/gtest.h>

#include "replay/suppression_bands.h"

namespace casetrail::replay {
namespace {

IndicatorSet Referrals(uint64_t n) {
  IndicatorSet s;
  s.referrals = n;
  return s;
}

TEST(SuppressionBandsTest, ASmallBandTakesAPartnerInItsRow) {
  // Järva: 10 aged 16-24 and 3 aged 25-29 (13); the 3 goes, and so must the 10.
  const std::map<std::string, IndicatorSet> all = {{"jarva", Referrals(13)}, {"", Referrals(13)}};
  const std::map<std::string, std::map<std::string, IndicatorSet>> bands = {
      {"jarva", {{"16-24", Referrals(10)}, {"25-29", Referrals(3)}}}, {"", {{"16-24", Referrals(10)}, {"25-29", Referrals(3)}}}};
  const auto t = SuppressTableByBand(all, bands, {"jarva", "globen"}, 5);
  EXPECT_TRUE(t.bands.at("jarva").at("25-29").Hidden("referrals"));
  EXPECT_TRUE(t.bands.at("jarva").at("16-24").Hidden("referrals"));
  EXPECT_FALSE(t.table.units.at("jarva").Hidden("referrals"));
  EXPECT_FALSE(t.bands.at("jarva").at("30-39").Hidden("referrals")) << "zeros stay";
}

TEST(SuppressionBandsTest, AColumnCanHideAMarginWhichTheUnitsThenProtect) {
  // 16-24: Järva 7 (its only band), Globen 3, total 10. The 3 needs a partner in its column: Järva's
  // 7, whose row is then one hidden cell beside zeros, so Järva's figure goes; Globen's 3 is
  // already hidden, so the units' sum stays protected.
  const std::map<std::string, IndicatorSet> all = {{"jarva", Referrals(7)}, {"globen", Referrals(3)}, {"", Referrals(10)}};
  const std::map<std::string, std::map<std::string, IndicatorSet>> bands = {
      {"jarva", {{"16-24", Referrals(7)}}}, {"globen", {{"16-24", Referrals(3)}}}, {"", {{"16-24", Referrals(10)}}}};
  const auto t = SuppressTableByBand(all, bands, {"jarva", "globen"}, 5);
  EXPECT_TRUE(t.bands.at("jarva").at("16-24").Hidden("referrals"));
  EXPECT_TRUE(t.table.units.at("jarva").Hidden("referrals"));
  EXPECT_TRUE(t.table.units.at("globen").Hidden("referrals"));
  EXPECT_FALSE(t.table.total.Hidden("referrals"));
  EXPECT_FALSE(t.bands.at("").at("16-24").Hidden("referrals"));
}

TEST(SuppressionBandsTest, ABandsConversationsAndItsI2AreHiddenTogether) {
  IndicatorSet band;
  band.held_women = 10;
  band.started_after_conversation = {2, 10};  // a small numerator hides I2
  const std::map<std::string, IndicatorSet> all = {{"jarva", band}, {"", band}};
  const std::map<std::string, std::map<std::string, IndicatorSet>> bands = {{"jarva", {{"25-29", band}}}, {"", {{"25-29", band}}}};
  const auto t = SuppressTableByBand(all, bands, {"jarva"}, 5);
  EXPECT_TRUE(t.bands.at("jarva").at("25-29").Hidden("started_after_conversation"));
  EXPECT_TRUE(t.bands.at("jarva").at("25-29").Hidden("conversations_held.total")) << "it is I2's denominator";
  EXPECT_FALSE(SuppressTableByBand(all, bands, {"jarva"}, 1).bands.at("jarva").at("25-29").Hidden("started_after_conversation"));
}

}  // namespace
}  // namespace casetrail::replay
