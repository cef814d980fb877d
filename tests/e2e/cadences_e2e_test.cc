// The strategic group's cadences over real HTTP with the manual clock (docs/strategic.md §11,
// docs/workers.md §1): J8 flags a half without enough strategic meetings and none convened,
// J9 tallies the year's group activities each month, J12 reminds the group of its governance
// work, each once — across clock moves and a restart. A1 and A2 in the indicators answer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/http_client.h"
#include "tests/support/referral_over_http.h"
#include "tests/support/server_test.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;

class CadencesE2ETest : public ServerTest {
 protected:
  void SetUp() override { StartServer({"--worker-poll-ms", "50"}); }
  json::object Cadences(const std::string& year) {
    auto r = Get("/v1/cadences?year=" + year, "G-1");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json().as_object();
  }
  static std::multiset<std::string> Reminders(const json::object& c) {
    std::multiset<std::string> out;
    for (const auto& r : c.at("governance_reminders").as_array()) {
      out.insert(std::string(r.at("kind").as_string()) + "@" + std::string(r.at("period").as_string()));
      EXPECT_EQ(r.at("to").as_string(), "strategic");
    }
    return out;
  }
};

TEST_F(CadencesE2ETest, StrategicMeetingsActivitiesAndRemindersOnceEach) {
  ReferOverHttp(server_->port(), "19121212-1212", "Kadens Testsson");  // the jobs run from the first referral
  SetClock("2025-01-16T09:00:00+01:00");  // J12: the yearly activity plan is due on 15 January
  SetClock("2025-02-20T17:00:00+01:00");
  ASSERT_EQ(Post("/v1/activities", "A-J1", {{"unit", "jarva"}, {"held_on", "2025-02-20"}, {"participants_total", 22}}).status, 201);
  SetClock("2025-03-02T09:00:00+01:00");  // J12: compliance check H1 (1 March)
  SetClock("2025-03-12T17:00:00+01:00");
  // The strategic forum meets and convenes its next meeting for 10 December (after the H2 cut-off).
  auto bad = Post("/v1/strategic-meetings", "G-1", {{"held_on", "2025-03-32"}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(Post("/v1/strategic-meetings", "G-1", {{"held_on", "2025-03-20"}}).status, 400) << "in the future";
  EXPECT_EQ(Post("/v1/strategic-meetings", "G-1", {{"held_on", "2025-03-12"}, {"next_meeting_on", "2025-03-01"}}).status, 400);
  EXPECT_EQ(Post("/v1/strategic-meetings", "A-J1", {{"held_on", "2025-03-12"}}).status, 403);
  EXPECT_EQ(Post("/v1/strategic-meetings", "G-1", {{"held_on", "2025-03-12"}, {"surprise", 1}}).status, 400);
  auto held = Post("/v1/strategic-meetings", "G-1", {{"held_on", "2025-03-12"}, {"next_meeting_on", "2025-12-10"}, {"convened_by", "vux"}});
  ASSERT_EQ(held.status, 201) << held.body;
  EXPECT_EQ(Get("/v1/strategic-meetings", "A-J1").status, 403);
  EXPECT_EQ(Get("/v1/strategic-meetings", "G-1").Json().at("meetings").as_array().size(), 1u);
  // A2: a listed activity; an unknown kind and another unit's officer are refused.
  SetClock("2025-04-10T17:00:00+02:00");
  EXPECT_EQ(Post("/v1/cooperation-activities", "V-1", {{"kind", "coffee"}, {"held_on", "2025-04-10"}}).status, 400);
  EXPECT_EQ(Post("/v1/cooperation-activities", "A-J1", {{"kind", "provider_information_meeting"}, {"held_on", "2025-04-10"}}).status, 403);
  EXPECT_EQ(Post("/v1/cooperation-activities", "A-J1", {{"kind", "provider_information_meeting"}, {"held_on", "2025-04-10"}, {"unit", "city"}}).status, 403);
  EXPECT_EQ(Post("/v1/cooperation-activities", "G-1", {{"kind", "provider_information_meeting"}, {"held_on", "2025-04-10"}}).status, 403);
  ASSERT_EQ(Post("/v1/cooperation-activities", "V-1", {{"kind", "provider_information_meeting"}, {"held_on", "2025-04-10"}}).status, 201);
  ASSERT_EQ(Post("/v1/activities", "V-1", {{"unit", "city"}, {"held_on", "2025-04-10"}, {"participants_total", 30}}).status, 201);

  // J9 at the start of June: May's tally — 2 activities so far, 3 expected (6 × 5/12), one outside 20–25.
  SetClock("2025-06-02T09:00:00+02:00");
  auto c = Cadences("2025");
  const json::object* may = nullptr;
  for (const auto& t : c.at("activity_tallies").as_array()) {
    if (t.at("month").as_string() == "2025-05") may = &t.as_object();
  }
  ASSERT_NE(may, nullptr) << json::serialize(c);
  EXPECT_EQ(may->at("year_to_date").as_int64(), 2);
  EXPECT_EQ(may->at("expected_by_now").as_int64(), 3);
  EXPECT_TRUE(may->at("behind").as_bool());
  EXPECT_EQ(may->at("participants_in_range").as_int64(), 1);
  EXPECT_EQ(may->at("participants_outside_range").as_int64(), 1);
  EXPECT_EQ(c.at("activity_tallies").as_array().size(), 5u) << "January to May";

  // A1 and A2 in the indicators answer.
  auto ind = Get("/v1/indicators?year=2025", "G-1");
  ASSERT_EQ(ind.status, 200) << ind.body;
  const auto& act = ind.Json().at("activities").as_object();
  EXPECT_EQ(act.at("group_activities").at("count").as_int64(), 2);
  EXPECT_EQ(act.at("group_activities").at("in_range").as_int64(), 1);
  EXPECT_EQ(act.at("group_activities").at("outside_range").as_int64(), 1);
  EXPECT_EQ(act.at("group_activities").at("yearly_target").as_int64(), 6);
  EXPECT_EQ(json::serialize(act.at("group_activities").at("participants_range")), "[20,25]");
  EXPECT_TRUE(act.at("listed_activities").at("provider_information_meeting").at("done").as_bool());
  EXPECT_TRUE(act.at("listed_activities").at("group_activity").at("done").as_bool());
  EXPECT_FALSE(act.at("listed_activities").at("jobbtorg_cooperation_review").at("done").as_bool());
  auto city = Get("/v1/indicators?year=2025&unit=city", "G-1").Json();
  EXPECT_EQ(city.at("activities").at("group_activities").at("count").as_int64(), 1);

  // J8: H1 (cut-off 15 June) has its one meeting. H2 (cut-off 15 November) has one of two, but
  // the next is convened for 10 December: no flag in 2025. 2026 H1 has none and none convened.
  SetClock("2025-06-16T09:00:00+02:00");
  SetClock("2025-09-02T09:00:00+02:00");  // J12: compliance check H2 (1 September)
  SetClock("2025-10-02T09:00:00+02:00");  // J12: agreement revision (1 October)
  SetClock("2025-11-16T09:00:00+01:00");
  EXPECT_TRUE(Cadences("2025").at("strategic_meetings").at("overdue_flags").as_array().empty());
  SetClock("2025-12-02T09:00:00+01:00");  // J12: term follow-up HT (1 December)
  SetClock("2026-06-16T09:00:00+02:00");
  auto flags = Cadences("2026").at("strategic_meetings").at("overdue_flags").as_array();
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].at("half").as_string(), "H1");
  EXPECT_EQ(flags[0].at("held").as_int64(), 0);
  EXPECT_EQ(flags[0].at("required").as_int64(), 1);

  using ::testing::UnorderedElementsAre;
  EXPECT_THAT(Reminders(Cadences("2025")),
              UnorderedElementsAre("activity_plan@2025", "compliance_check@2025-H1", "term_follow_up@2025-VT",
                                   "compliance_check@2025-H2", "agreement_revision@2025", "term_follow_up@2025-HT"))
      << "each once";
  // 2026: the clock jumped from December to June; what was more than 30 days overdue is moot.
  EXPECT_THAT(Reminders(Cadences("2026")), UnorderedElementsAre("term_follow_up@2026-VT"));

  // Another pass and a restart write nothing twice.
  SetClock("2026-06-16T10:00:00+02:00");
  const auto before2025 = Reminders(Cadences("2025"));
  const auto tallies = Cadences("2025").at("activity_tallies").as_array().size();
  server_->Stop();
  ASSERT_TRUE(server_->Start());
  SetClock("2026-06-16T11:00:00+02:00");
  EXPECT_EQ(Reminders(Cadences("2025")), before2025);
  EXPECT_EQ(Cadences("2025").at("activity_tallies").as_array().size(), tallies);
  EXPECT_EQ(tallies, 12u);
  EXPECT_EQ(Cadences("2026").at("strategic_meetings").at("overdue_flags").as_array().size(), 1u);
  EXPECT_EQ(Get("/v1/cadences?year=2026", "A-J1").status, 403);
  EXPECT_EQ(Get("/v1/cadences?year=26", "G-1").status, 400);
}

}  // namespace
}  // namespace casetrail::testing
