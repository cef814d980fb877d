// GET /v1/work over the real server with the manual clock (issue 18, the start page): the
// reminders that are due and still hold, the bookings whose slot passed without an outcome, and
// the progression feedback due on published lists — for the caller's cases only, without data of
// events the caller may not see, with no personal data and without writing anything.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/http_client.h"
#include "tests/support/personal_numbers.h"
#include "tests/support/referral_over_http.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class WorkE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_);
    server_->SetExtraArgs({"--worker-poll-ms", "50"});
    ASSERT_TRUE(server_->Start());
  }
  HttpResponse Post(const std::string& path, const std::string& who, const json::value& body) {
    return Http(server_->port(), "POST", path, TokenOf(who), json::serialize(body));
  }
  HttpResponse Get(const std::string& path, const std::string& who) { return Http(server_->port(), "GET", path, TokenOf(who)); }
  void SetClock(const std::string& t) { ASSERT_EQ(Post("/v1/admin/clock", "ADM-1", {{"set", t}}).status, 200) << t; }
  void Command(const std::string& case_id, const std::string& command, const json::object& data, const std::string& who = "V-1") {
    auto r = Post("/v1/cases/" + case_id + "/commands", who, {{"command", command}, {"data", data}});
    ASSERT_EQ(r.status, 200) << command << " " << r.body;
  }
  json::object Work(const std::string& who) {
    auto r = Get("/v1/work", who);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body.find("Arbete"), std::string::npos) << "no names";
    EXPECT_EQ(r.body.find("19121212"), std::string::npos) << "no personal numbers";
    return r.status == 200 ? r.Json().as_object() : json::object{};
  }
  // "<kind> <case>" of each reminder, in the answer's order.
  std::vector<std::string> Reminders(const std::string& who) {
    std::vector<std::string> out;
    const json::object work = Work(who);
    for (const auto& r : work.at("reminders").as_array()) {
      out.push_back(std::string(r.at("kind").as_string()) + " " + std::string(r.at("case_id").as_string()));
    }
    return out;
  }
  std::vector<std::string> Ids(const std::string& who, const char* key) {
    std::vector<std::string> out;
    const json::object work = Work(who);
    for (const auto& r : work.at(key).as_array()) out.emplace_back(r.at("case_id").as_string());
    return out;
  }
  int64_t Head() { return Get("/v1/verify", "C-1").Json().at("head").at("position").as_int64(); }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(WorkE2ETest, ListsWhatIsDueForTheCallerAndDropsItOnceDone) {
  // 2025-01-13 09:00: two Järva referrals.
  const ReferredCase a = ReferOverHttp(server_->port(), "19121212-1212", "Arbete Testsson");
  const ReferredCase b = ReferOverHttp(server_->port(), TestNumber(7), "Arbete Andersson");
  for (const char* who : {"V-1", "A-J1", "A-G1"}) {
    auto w = Work(who);
    EXPECT_THAT(w.at("reminders").as_array(), IsEmpty()) << who << ": the booking reminders are due on 01-27";
    EXPECT_THAT(w.at("passed_bookings").as_array(), IsEmpty());
    EXPECT_THAT(w.at("feedback_due").as_array(), IsEmpty());
  }
  // Roles that handle no cases are refused; any parameter is a 400 problem.
  for (const char* who : {"C-1", "G-1", "W-1", "ADM-1"}) EXPECT_EQ(Get("/v1/work", who).status, 403) << who;
  auto bad = Get("/v1/work?unit=jarva", "V-1");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.content_type, "application/problem+json");

  // A is booked; on 01-27 at 09:30 A's appointment reminder (08:00 the day before the slot) and
  // B's booking reminder (14 days after the referral) are due: oldest first.
  SetClock("2025-01-20T14:10:00+01:00");
  Command(a.case_id, "BookConversation", {{"slot", "2025-01-28T10:00:00+01:00"}});
  SetClock("2025-01-27T09:30:00+01:00");
  const std::vector<std::string> both = {"appointment " + a.case_id, "booking_overdue " + b.case_id};
  EXPECT_EQ(Reminders("V-1"), both);
  EXPECT_EQ(Reminders("A-J1"), both) << "the booking is Vux's, shown to AF while share_guidance holds";
  EXPECT_THAT(Reminders("A-G1"), IsEmpty()) << "another unit's cases";
  auto first = Work("V-1").at("reminders").at(1).as_object();
  EXPECT_EQ(first.at("id").as_string(), "J5:booking_overdue:" + b.case_id + ":1");
  EXPECT_EQ(first.at("due_at").as_string(), "2025-01-27T08:00:00Z");
  EXPECT_EQ(first.at("state").as_string(), "referred");
  EXPECT_FALSE(first.at("sent_at").is_null()) << "the clock move answers once the worker fired what is due";

  // Once B is booked its fired reminder no longer holds and leaves the list.
  Command(b.case_id, "BookConversation", {{"slot", "2025-02-03T10:00:00+01:00"}});
  EXPECT_THAT(Reminders("V-1"), ElementsAre("appointment " + a.case_id));
  EXPECT_THAT(Ids("V-1", "passed_bookings"), IsEmpty());

  // After A's slot: a passed booking without an outcome (B's slot is still to come).
  SetClock("2025-01-28T10:30:00+01:00");
  auto passed = Work("V-1").at("passed_bookings").as_array();
  ASSERT_EQ(passed.size(), 1u);
  EXPECT_EQ(passed[0].at("case_id").as_string(), a.case_id);
  EXPECT_EQ(passed[0].at("slot").as_string(), "2025-01-28T09:00:00Z");
  EXPECT_EQ(passed[0].at("state").as_string(), "booked");
  EXPECT_EQ(passed[0].at("version").as_int64(), 2);
  EXPECT_THAT(Ids("A-J1", "passed_bookings"), ElementsAre(a.case_id));
  // Without share_guidance, the AF officer no longer learns of Vux's booking; the SYV still does.
  ASSERT_EQ(Post("/v1/subjects/" + a.subject_id + "/consents/withdraw", "A-J1", {{"scopes", {"share_guidance"}}}).status, 200);
  EXPECT_THAT(Ids("A-J1", "passed_bookings"), IsEmpty());
  EXPECT_THAT(Reminders("A-J1"), IsEmpty());
  EXPECT_THAT(Ids("V-1", "passed_bookings"), ElementsAre(a.case_id));

  // The outcome recorded (a plan), then the start: nothing left to do on A.
  Command(a.case_id, "RecordConversationHeld", {{"outcome", "plan"}});
  EXPECT_THAT(Ids("V-1", "passed_bookings"), IsEmpty());
  Command(a.case_id, "RecordStudiesStarted", {{"start_date", "2025-02-03"}, {"pace", "full_time"}}, "A-J1");
  EXPECT_THAT(Reminders("V-1"), IsEmpty()) << "B's appointment reminder is due on 02-02";

  // The Q1 progression list lists A; feedback is due once the unit's AF officer publishes it.
  SetClock("2025-04-01T09:00:00+02:00");
  ASSERT_EQ(Get("/v1/lists/progression?unit=jarva&quarter=2025-Q1", "V-1").status, 200);
  EXPECT_THAT(Ids("V-1", "feedback_due"), IsEmpty()) << "not published";
  ASSERT_EQ(Post("/v1/lists/progression/publish", "A-J2", {{"unit", "jarva"}, {"quarter", "2025-Q1"}}).status, 200);
  auto due = Work("V-1").at("feedback_due").as_array();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].at("case_id").as_string(), a.case_id);
  EXPECT_EQ(due[0].at("list_id").as_string(), "progression:jarva:2025-Q1");
  EXPECT_EQ(due[0].at("state").as_string(), "studying");
  EXPECT_THAT(Ids("A-J1", "feedback_due"), ElementsAre(a.case_id)) << "AF waits for the answer";
  EXPECT_THAT(Ids("A-G1", "feedback_due"), IsEmpty());
  EXPECT_THAT(Ids("V-1", "passed_bookings"), ElementsAre(b.case_id));
  // Reading the work writes nothing (no personal data is read).
  const int64_t head = Head();
  Work("V-1");
  Work("A-J1");
  EXPECT_EQ(Head(), head);
  // Answered: gone.
  Command(a.case_id, "RecordProgressionFeedback", {{"list", "progression:jarva:2025-Q1"}, {"pace", "part_time"}});
  EXPECT_THAT(Ids("V-1", "feedback_due"), IsEmpty());
  EXPECT_THAT(Ids("A-J1", "feedback_due"), IsEmpty());
}

// AF chose whom on the quarterly list to ask about (000 §5.1): feedback is due only for the chosen,
// as J4 chases only them, so the start pages and the reminders agree.
TEST_F(WorkE2ETest, FeedbackDueHonoursTheSelectionOfTheQuarterlyList) {
  const ReferredCase a = ReferOverHttp(server_->port(), "19121212-1212", "Arbete Testsson");
  const ReferredCase b = ReferOverHttp(server_->port(), TestNumber(7), "Arbete Andersson");
  SetClock("2025-01-20T14:10:00+01:00");
  for (const auto* c : {&a, &b}) Command(c->case_id, "BookConversation", {{"slot", "2025-01-28T10:00:00+01:00"}});
  SetClock("2025-01-28T10:30:00+01:00");
  for (const auto* c : {&a, &b}) {
    Command(c->case_id, "RecordConversationHeld", {{"outcome", "plan"}});
    Command(c->case_id, "RecordStudiesStarted", {{"start_date", "2025-02-03"}, {"pace", "full_time"}}, "A-J1");
  }
  SetClock("2025-04-01T09:00:00+02:00");
  auto list = Get("/v1/lists/progression?unit=jarva&quarter=2025-Q1", "V-1");
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.Json().at("cases").as_array().size(), 2u) << "both are studying";
  auto chose = Post("/v1/lists/progression/selection", "A-J2", {{"unit", "jarva"}, {"quarter", "2025-Q1"}, {"case_ids", {b.case_id}}});
  ASSERT_EQ(chose.status, 201) << chose.body;
  ASSERT_EQ(Post("/v1/lists/progression/publish", "A-J2", {{"unit", "jarva"}, {"quarter", "2025-Q1"}}).status, 200);
  EXPECT_THAT(Ids("V-1", "feedback_due"), ElementsAre(b.case_id)) << "only the chosen person is asked about";
  EXPECT_THAT(Ids("A-J1", "feedback_due"), ElementsAre(b.case_id));
  Command(b.case_id, "RecordProgressionFeedback", {{"list", "progression:jarva:2025-Q1"}, {"pace", "part_time"}});
  EXPECT_THAT(Ids("V-1", "feedback_due"), IsEmpty()) << a.case_id << " was not chosen";
}

}  // namespace
}  // namespace casetrail::testing
