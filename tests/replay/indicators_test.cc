// The indicator projection: periods, the rules of DOMAIN §5.5 on a small population, and a
// rebuild from the first event equal to the incrementally maintained projection.
#include "replay/indicators.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>

#include "tests/support/engine_harness.h"

namespace casetrail::testing {
namespace {

TEST(PeriodTest, LabelsMapToStockholmDateRanges) {
  auto check = [](const char* label, const char* from, const char* to) {
    auto p = replay::ParsePeriod(label);
    ASSERT_THAT(p, IsOk()) << label;
    EXPECT_EQ(p->from, from) << label;
    EXPECT_EQ(p->to, to) << label;
  };
  check("2025", "2025-01-01", "2026-01-01");
  check("2025-03", "2025-03-01", "2025-04-01");
  check("2025-12", "2025-12-01", "2026-01-01");
  check("2025-Q4", "2025-10-01", "2026-01-01");
  check("2025-T2", "2025-05-01", "2025-09-01");
  check("2025-H1", "2025-01-01", "2025-07-01");
  check("2025-HT", "2025-07-01", "2026-01-01");
  for (const char* bad : {"25", "2025-13", "2025-Q0", "2025-T4", "2025-X", "abcd"}) {
    EXPECT_THAT(replay::ParsePeriod(bad), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
  EXPECT_EQ(replay::SamePeriodYearBefore(*replay::ParsePeriod("2025-Q2")).from, "2024-04-01");
}

TEST(IndicatorProjectionTest, RebuildEqualsIncrementalAndRulesHold) {
  EngineHarness h;
  replay::LiveIndicators live(&h.log(), &h.registry());
  // Three cases in 2025: booked twice and held (woman, ROM) then started; declined; held without
  // studies (man).
  std::vector<std::string> cases;
  for (int i = 0; i < 3; ++i) {
    const std::string s = h.NewSubject(TestNumber(i), "P" + std::to_string(i), i == 2 ? "male" : "female");
    h.Consent(s);
    auto c = h.Refer(s, kOfficerJarva, EngineHarness::ReferralFields("jarva", i == 0));
    ASSERT_THAT(c, IsOk());
    cases.push_back(c->case_id);
  }
  ASSERT_THAT(h.Run(cases[0], kSyv, "BookConversation", {{"slot", std::string("2025-01-20T10:00:00+01:00")}}), IsOk());
  ASSERT_THAT(h.Run(cases[0], kSyv, "RescheduleConversation", {{"slot", std::string("2025-01-21T10:00:00+01:00")}}), IsOk());
  ASSERT_THAT(h.Run(cases[1], kOfficerJarva, "RecordCustomerDeclined"), IsOk());
  ASSERT_THAT(h.Run(cases[2], kSyv, "BookConversation", {{"slot", std::string("2025-01-22T10:00:00+01:00")}}), IsOk());
  h.SetTime("2025-01-23T09:00:00+01:00");
  ASSERT_THAT(h.Run(cases[0], kSyv, "RecordConversationHeld", {{"outcome", std::string("plan")}}), IsOk());
  ASSERT_THAT(h.Run(cases[2], kSyv, "RecordConversationHeld", {{"outcome", std::string("no_plan")}}), IsOk());
  ASSERT_THAT(h.Run(cases[0], kSyv, "RecordStudiesStarted", {{"start_date", std::string("2025-01-23")}}), IsOk());

  ASSERT_TRUE(live.WaitFor(h.log().GetHead().position, 5000));
  auto s = live.projection().Compute(*replay::ParsePeriod("2025"), std::nullopt);
  EXPECT_EQ(s.referrals, 3u);
  EXPECT_EQ(s.cases_booked, 2u) << "a reschedule is not a second booked case";
  EXPECT_EQ(s.held_women, 1u);
  EXPECT_EQ(s.held_men, 1u);
  EXPECT_EQ(s.started_after_conversation, (replay::Ratio{1, 2}));
  EXPECT_EQ(s.rom_started, (replay::Ratio{1, 1}));
  EXPECT_EQ(live.projection().Compute(*replay::ParsePeriod("2025"), "globen"), replay::IndicatorSet{});
  EXPECT_EQ(live.projection().Compute(*replay::ParsePeriod("2024"), std::nullopt), replay::IndicatorSet{});

  auto rebuilt = replay::RebuildIndicators(h.log(), &h.registry());
  ASSERT_THAT(rebuilt, IsOk());
  EXPECT_TRUE((*rebuilt)->SameFactsAs(live.projection()));
  EXPECT_EQ((*rebuilt)->Compute(*replay::ParsePeriod("2025"), std::nullopt), s);
  // A change the live projection has not seen makes them differ: the comparison can fail.
  ASSERT_THAT(h.Run(cases[2], kSyv, "CreateStudyPlan"), IsOk());
  ASSERT_THAT(h.Run(cases[2], kSyv, "RecordStudiesStarted", {{"start_date", std::string("2025-01-24")}}), IsOk());
  auto later = replay::RebuildIndicators(h.log(), &h.registry());
  ASSERT_THAT(later, IsOk());
  EXPECT_FALSE((*later)->SameFactsAs(**rebuilt));
  EXPECT_EQ((*later)->Compute(*replay::ParsePeriod("2025"), std::nullopt).started_after_conversation, (replay::Ratio{2, 2}));
}

// A unit's figures count what happened while the case was the unit's: a transfer after the
// conversation leaves the referral and the conversation with Järva and gives City what follows.
TEST(IndicatorProjectionTest, ATransferDoesNotMovePastFigures) {
  EngineHarness h;
  h.SetTime("2025-01-13T09:00:00+01:00");
  const std::string s = h.NewSubject(TestNumber(11), "P11", "female");
  h.Consent(s);
  auto c = h.Refer(s, kOfficerJarva, EngineHarness::ReferralFields("jarva", false));
  ASSERT_THAT(c, IsOk());
  ASSERT_THAT(h.Run(c->case_id, kSyv, "BookConversation", {{"slot", std::string("2025-01-20T10:00:00+01:00")}}), IsOk());
  h.SetTime("2025-01-20T11:00:00+01:00");
  ASSERT_THAT(h.Run(c->case_id, kSyv, "RecordConversationHeld", {{"outcome", std::string("no_plan")}}), IsOk());
  auto before = replay::RebuildIndicators(h.log(), &h.registry());
  ASSERT_THAT(before, IsOk());
  const auto year = *replay::ParsePeriod("2025");
  const auto jarva_before = (*before)->Compute(year, "jarva");
  EXPECT_EQ(jarva_before.referrals, 1u);
  EXPECT_EQ(jarva_before.held_women, 1u);

  h.SetTime("2025-02-10T09:00:00+01:00");
  ASSERT_THAT(h.Run(c->case_id, kOfficerJarva, "TransferCase", {{"to_unit", std::string("city")}}), IsOk());
  ASSERT_THAT(h.Run(c->case_id, kSyv, "CreateStudyPlan"), IsOk());
  ASSERT_THAT(h.Run(c->case_id, kSyv, "RecordStudiesStarted", {{"start_date", std::string("2025-02-10")}}), IsOk());
  auto after = replay::RebuildIndicators(h.log(), &h.registry());
  ASSERT_THAT(after, IsOk());
  const auto jarva = (*after)->Compute(year, "jarva");
  EXPECT_EQ(jarva.referrals, 1u) << "referred by Järva";
  EXPECT_EQ(jarva.held_women, 1u) << "held while Järva's";
  EXPECT_EQ(jarva.started_after_conversation, (replay::Ratio{1, 1})) << "the conversation's unit keeps its outcome";
  const auto city = (*after)->Compute(year, "city");
  EXPECT_EQ(city.referrals, 0u);
  EXPECT_EQ(city.held_women, 0u);
  EXPECT_EQ((*after)->Compute(year, std::nullopt).referrals, 1u);
  // One pass for all units gives what each Compute gives.
  auto all = (*after)->ComputeAll(year);
  EXPECT_EQ(all["jarva"], jarva);
  EXPECT_EQ(all["city"], city);
  EXPECT_EQ(all[""], (*after)->Compute(year, std::nullopt));
  EXPECT_EQ(all["globen"], (*after)->Compute(year, "globen"));
}

// Compute answers from per-day counters; ComputeByCases counts case by case. On cases spread over
// days and months, with reschedules (a second booking), conversations, studies started
// before and after them and transfers, both agree for every period and unit, live and rebuilt.
TEST(IndicatorProjectionTest, DayCountersAgreeWithCountingCaseByCase) {
  EngineHarness h;
  replay::LiveIndicators live(&h.log(), &h.registry());
  auto at = [](int day) {  // day 0 is 2025-01-02; 09:00 UTC is the same date in Stockholm
    std::tm t{};
    t.tm_year = 125, t.tm_mon = 0, t.tm_mday = 2 + day, t.tm_hour = 9;
    const std::time_t epoch = timegm(&t);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&epoch));
    return std::string(buf);
  };
  for (int i = 0; i < 24; ++i) {
    h.SetTime(at(7 * i));
    const bool globen = i % 3 == 1;
    const std::string s = h.NewSubject(TestNumber(100 + i), "P", i % 2 ? "male" : "female");
    h.Consent(s);
    auto c = h.Refer(s, globen ? kOfficerGloben : kOfficerJarva, EngineHarness::ReferralFields(globen ? "globen" : "jarva", i % 2 == 0));
    ASSERT_THAT(c, IsOk());
    if (i % 4 == 3) continue;  // referred only
    ASSERT_THAT(h.Run(c->case_id, kSyv, "BookConversation", {{"slot", at(7 * i + 3)}}), IsOk());
    if (i % 5 == 0) {
      h.SetTime(at(7 * i + 2));
      ASSERT_THAT(h.Run(c->case_id, kSyv, "RescheduleConversation", {{"slot", at(7 * i + 4)}}), IsOk());
    }
    if (i % 3 == 2) continue;  // booked only
    h.SetTime(at(7 * i + 5));
    ASSERT_THAT(h.Run(c->case_id, kSyv, "RecordConversationHeld", {{"outcome", std::string(i % 2 ? "plan" : "no_plan")}}), IsOk());
    if (i % 7 == 0) {
      ASSERT_THAT(h.Run(c->case_id, globen ? kOfficerGloben : kOfficerJarva, "TransferCase", {{"to_unit", std::string("city")}}), IsOk());
    }
    if (i % 2 == 1) {
      h.SetTime(at(7 * i + 6));
      ASSERT_THAT(h.Run(c->case_id, kSyv, "RecordStudiesStarted", {{"start_date", std::string("2025-03-03")}}), IsOk());
    }
  }
  ASSERT_TRUE(live.WaitFor(h.log().GetHead().position, 5000));
  auto rebuilt = replay::RebuildIndicators(h.log(), &h.registry());
  ASSERT_THAT(rebuilt, IsOk());
  const auto year = *replay::ParsePeriod("2025");
  const auto total = (*rebuilt)->Compute(year, std::nullopt);
  EXPECT_GT(total.referrals, 10u);
  EXPECT_GT(total.cases_booked, 5u);
  EXPECT_GT(total.HeldTotal(), 3u);
  EXPECT_GT(total.started_after_conversation.numerator, 0u);
  const auto bands = (*rebuilt)->ComputeAllByBand(year);
  EXPECT_FALSE(bands.at("").count("unknown")) << "every case carries its band from its opening event";
  for (const char* label : {"2024", "2024-12", "2025", "2025-01", "2025-02", "2025-03", "2025-Q1", "2025-H1"}) {
    const auto period = *replay::ParsePeriod(label);
    for (const replay::IndicatorProjection* p : std::vector<const replay::IndicatorProjection*>{&live.projection(), rebuilt->get()}) {
      auto all = p->ComputeAll(period);
      for (const std::optional<std::string>& unit : {std::optional<std::string>(), std::optional<std::string>("jarva"),
                                                      std::optional<std::string>("globen"), std::optional<std::string>("city")}) {
        const auto by_cases = p->ComputeByCases(period, unit);
        EXPECT_EQ(p->Compute(period, unit), by_cases) << label << " " << unit.value_or("all");
        EXPECT_EQ(all[unit.value_or("")], by_cases) << label << " " << unit.value_or("all");
        // The age bands of every figure add up to it (A1 has no band).
        replay::IndicatorSet sum;
        auto by_band = p->ComputeAllByBand(period);
        for (const auto& [band, b] : by_band[unit.value_or("")]) {
          sum.referrals += b.referrals;
          sum.cases_booked += b.cases_booked;
          sum.held_women += b.held_women;
          sum.held_men += b.held_men;
          sum.held_unknown += b.held_unknown;
          sum.started_after_conversation.numerator += b.started_after_conversation.numerator;
          sum.started_after_conversation.denominator += b.started_after_conversation.denominator;
          sum.rom_started.numerator += b.rom_started.numerator;
          sum.rom_started.denominator += b.rom_started.denominator;
        }
        sum.group_activities = by_cases.group_activities;
        EXPECT_EQ(sum, by_cases) << "bands of " << label << " " << unit.value_or("all");
      }
    }
  }
}

}  // namespace
}  // namespace casetrail::testing
