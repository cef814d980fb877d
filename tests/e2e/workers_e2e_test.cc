// Background workers over real HTTP with the manual clock: reminders derived from the DOMAIN §7
// fixture's calendar, fired once and delivered to a webhook receiver on loopback (signed,
// retried), cancelled by a close or a consent withdrawal, and not lost across a SIGKILL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/fixture_steps.h"
#include "tests/support/http_client.h"
#include "tests/support/personal_numbers.h"
#include "tests/support/referral_over_http.h"
#include "tests/support/server_process.h"
#include "tests/support/smtp_listener.h"
#include "tests/support/webhook_receiver.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;
constexpr const char* kSecret = "webhook-secret-for-tests-0001";

class WorkersE2ETest : public ::testing::Test {
 protected:
  // `failpoint`: CASETRAIL_FAILPOINT for this first start only (storage/base/failpoint.h).
  void Start(int fail_first = 0, int delay_ms = 0, const std::string& failpoint = "") {
    receiver_ = std::make_unique<WebhookReceiver>(kSecret, fail_first, delay_ms);
    {
      std::ofstream secret(dir_.Sub("webhook.secret"));
      secret << kSecret << "\n";
    }
    server_ = std::make_unique<ServerProcess>(dir_);
    server_->SetExtraArgs({"--webhook", "http://127.0.0.1:" + std::to_string(receiver_->port()) + "/hook",
                           "--webhook-secret", dir_.Sub("webhook.secret"), "--worker-poll-ms", "50"});
    if (!failpoint.empty()) server_->SetEnv("CASETRAIL_FAILPOINT", failpoint);
    ASSERT_TRUE(server_->Start());
  }
  HttpResponse Post(const std::string& path, const std::string& who, const json::value& body) {
    return Http(server_->port(), "POST", path, TokenOf(who), json::serialize(body));
  }
  HttpResponse Get(const std::string& path, const std::string& who) { return Http(server_->port(), "GET", path, TokenOf(who)); }
  void SetClock(const std::string& t) { ASSERT_EQ(Post("/v1/admin/clock", "ADM-1", {{"set", t}}).status, 200) << t; }
  std::string Case(const std::string& pnr) {
    const ReferredCase c = ReferOverHttp(server_->port(), pnr, "Påminnelse Testsson");
    subjects_[c.case_id] = c.subject_id;
    return c.case_id;
  }
  // reminders of a case by kind → status
  std::multimap<std::string, std::string> Reminders(const std::string& case_id) {
    std::multimap<std::string, std::string> out;
    auto r = Get("/v1/reminders?status=all", "W-1");
    EXPECT_EQ(r.status, 200) << r.body;
    for (const auto& x : r.Json().at("reminders").as_array()) {
      if (x.at("case_id").as_string() == case_id) out.emplace(std::string(x.at("kind").as_string()), std::string(x.at("status").as_string()));
    }
    return out;
  }
  bool WaitDelivered(size_t n, int ms = 10000) {
    for (int i = 0; i < ms / 20; ++i) {
      if (receiver_->processed().size() >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  TempDir dir_;
  std::unique_ptr<WebhookReceiver> receiver_;
  std::unique_ptr<ServerProcess> server_;
  std::map<std::string, std::string> subjects_;
};

TEST_F(WorkersE2ETest, FixtureCalendarFiresEachReminderOnceAndDeliversIt) {
  Start(/*fail_first=*/1);  // the first delivery fails once: retried with backoff
  SetClock("2025-01-13T09:55:00+01:00");
  const std::string c = Case("19121212-1212");
  using ::testing::Pair;
  using ::testing::UnorderedElementsAre;
  EXPECT_THAT(Reminders(c), UnorderedElementsAre(Pair("booking_overdue", "scheduled")));
  // F03 booking: the booking reminder is cancelled, the appointment reminder (J13) scheduled.
  SetClock("2025-01-20T14:10:00+01:00");
  ASSERT_EQ(Post("/v1/cases/" + c + "/commands", "V-1", {{"command", "BookConversation"}, {"data", FixtureSteps()[0].data}}).status, 200);
  EXPECT_THAT(Reminders(c), UnorderedElementsAre(Pair("booking_overdue", "cancelled"), Pair("appointment", "scheduled")));
  // F04: 08:00 the day before the slot the appointment reminder fires (the clock move answers
  // after the due job has committed).
  SetClock("2025-01-27T07:59:00+01:00");
  EXPECT_THAT(Reminders(c), UnorderedElementsAre(Pair("booking_overdue", "cancelled"), Pair("appointment", "scheduled")));
  SetClock("2025-01-27T08:00:00+01:00");
  EXPECT_THAT(Reminders(c), UnorderedElementsAre(Pair("booking_overdue", "cancelled"), Pair("appointment", "sent")));
  auto sent = Get("/v1/reminders?status=sent", "W-1").Json().at("reminders").as_array();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].at("due_at").as_string(), "2025-01-27T07:00:00Z");
  // F05 no-show, then the no-show follow-up (J6) after 7 days, fired when the clock passes it.
  SetClock("2025-01-28T10:30:00+01:00");
  ASSERT_EQ(Post("/v1/cases/" + c + "/commands", "V-1", {{"command", "RecordNoShow"}}).status, 200);
  SetClock("2025-02-05T15:00:00+01:00");
  EXPECT_EQ(Reminders(c).count("no_show_follow_up"), 1u);
  EXPECT_EQ(Reminders(c).find("no_show_follow_up")->second, "sent");
  // Both reached the receiver exactly once, signed, after one failed attempt was retried.
  SetClock("2025-02-05T16:00:00+01:00");  // past the retry backoff
  ASSERT_TRUE(WaitDelivered(2));
  auto counts = receiver_->requests_by_id();
  ASSERT_EQ(counts.size(), 2u);
  for (const auto& [id, n] : counts) EXPECT_EQ(n, 1) << id << ": no crash, so no request is ever repeated";
  EXPECT_EQ(receiver_->bad_signatures(), 0);
  for (const auto& body : receiver_->bodies()) {
    EXPECT_EQ(body.find("Påminnelse"), std::string::npos);
    EXPECT_EQ(body.find("19121212"), std::string::npos);
    EXPECT_NE(body.find(c), std::string::npos) << "messages carry the case id";
  }
  auto all = Get("/v1/reminders?status=sent", "W-1").Json().at("reminders").as_array();
  for (const auto& r : all) EXPECT_EQ(r.at("delivery").at("webhook").at("state").as_string(), "delivered");
  EXPECT_EQ(Get("/v1/reminders", "A-J1").status, 403);
  EXPECT_EQ(Get("/v1/reminders?status=late", "W-1").Str("field"), "status");
}

TEST_F(WorkersE2ETest, ClosingACaseOrWithdrawingConsentCancelsPendingReminders) {
  Start();
  const std::string declined = Case("19121212-1212");
  const std::string withdrawn = Case("19800101-0001");
  EXPECT_EQ(Reminders(declined).begin()->second, "scheduled");
  ASSERT_EQ(Post("/v1/cases/" + declined + "/commands", "A-J1", {{"command", "RecordCustomerDeclined"}}).status, 200);
  ASSERT_EQ(Post("/v1/subjects/" + subjects_[withdrawn] + "/consents/withdraw", "A-J1", {{"scopes", "all"}}).status, 200);
  EXPECT_THAT(Reminders(declined), ::testing::ElementsAre(::testing::Pair("booking_overdue", "cancelled")));
  EXPECT_THAT(Reminders(withdrawn), ::testing::ElementsAre(::testing::Pair("booking_overdue", "cancelled")));
  SetClock("2025-03-01T09:00:00+01:00");  // long past their due time: nothing fires
  EXPECT_TRUE(Get("/v1/reminders?status=sent", "W-1").Json().at("reminders").as_array().empty());
  EXPECT_EQ(receiver_->requests(), 0);
}

TEST_F(WorkersE2ETest, SigkillWhileFiringAndDeliveringLosesNothingAndDeliversNothingTwice) {
  Start(/*fail_first=*/0, /*delay_ms=*/15);
  constexpr int kCases = 24;
  for (int i = 0; i < kCases; ++i) Case(TestNumber(i));
  // Every case's booking reminder falls due at once; the server dies mid-way through delivering.
  std::thread mover([&] { Post("/v1/admin/clock", "ADM-1", {{"set", "2025-02-01T09:00:00+01:00"}}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  server_->Stop(SIGKILL);
  mover.join();
  const size_t before_restart = receiver_->processed().size();
  EXPECT_LT(before_restart, static_cast<size_t>(kCases)) << "the kill came before every delivery";

  ASSERT_TRUE(server_->Start());  // the manual clock restarts at its start: move it again
  SetClock("2025-02-01T09:00:00+01:00");
  ASSERT_TRUE(WaitDelivered(kCases));
  auto sent = Get("/v1/reminders?status=sent", "W-1").Json().at("reminders").as_array();
  EXPECT_EQ(sent.size(), static_cast<size_t>(kCases)) << "every due reminder fired, once";
  std::map<std::string, int> in_doubt;
  for (const auto& r : sent) {
    const auto& webhook = r.at("delivery").at("webhook");
    EXPECT_EQ(webhook.at("state").as_string(), "delivered");
    in_doubt[std::string(r.at("id").as_string())] = static_cast<int>(webhook.at("in_doubt").as_int64());
  }
  EXPECT_EQ(in_doubt.size(), static_cast<size_t>(kCases));
  EXPECT_EQ(receiver_->processed().size(), static_cast<size_t>(kCases)) << "no reminder lost";
  // None delivered twice: the receiver processed each id once, and the wire carried an id again
  // only for an attempt the outbox recorded as cut short by the kill, flagged as a redelivery.
  int repeats = 0;
  for (const auto& [id, n] : receiver_->requests_by_id()) {
    ASSERT_TRUE(in_doubt.count(id)) << id;
    EXPECT_LE(n, 1 + in_doubt[id]) << id << ": sent again without an attempt in doubt";
    repeats += n - 1;
  }
  EXPECT_EQ(receiver_->unflagged_repeats(), 0);
  EXPECT_EQ(receiver_->bad_signatures(), 0);
  std::cout << "requests repeated after SIGKILL (all flagged, none processed twice): " << repeats << " of " << kCases << "\n";
}

// The window a timed kill can only hope to hit: the receiver has answered 2xx, DeliverySucceeded
// is not yet written. A failpoint kills the server exactly there.
TEST_F(WorkersE2ETest, AKillBetweenTheReceiversAnswerAndItsRecordIsRedeliveredFlaggedAndProcessedOnce) {
  Start(0, 0, "deliver-after-response");
  Case(TestNumber(0));
  std::thread mover([&] { Http(server_->port(), "POST", "/v1/admin/clock", TokenOf("ADM-1"),
                               json::serialize(json::value{{"set", "2025-02-01T09:00:00+01:00"}})); });
  int status = 0;
  ASSERT_TRUE(server_->WaitExit(10000, &status)) << "the failpoint did not fire";
  mover.join();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  ASSERT_EQ(receiver_->requests_by_id().size(), 1u) << "the receiver had the delivery before the kill";

  ASSERT_TRUE(server_->Start());  // without the failpoint
  SetClock("2025-02-01T09:00:00+01:00");
  auto sent = Get("/v1/reminders?status=sent", "W-1").Json().at("reminders").as_array();
  ASSERT_EQ(sent.size(), 1u);
  const auto& webhook = sent[0].at("delivery").at("webhook");
  EXPECT_EQ(webhook.at("state").as_string(), "delivered");
  EXPECT_EQ(webhook.at("attempts").as_int64(), 2);
  EXPECT_EQ(webhook.at("in_doubt").as_int64(), 1);
  const std::string id(sent[0].at("id").as_string());
  EXPECT_EQ(receiver_->requests_by_id().at(id), 2) << "sent again: the outbox could not know it had arrived";
  EXPECT_EQ(receiver_->processed(), std::set<std::string>{id});
  EXPECT_EQ(receiver_->unflagged_repeats(), 0) << "the repeat said it was one";
  EXPECT_EQ(receiver_->bodies().size(), 1u);
}

// A reminder that fired but could not be delivered yet is cancelled, not sent, once its case closes.
TEST_F(WorkersE2ETest, AFiredReminderIsNotDeliveredAfterItsCaseCloses) {
  Start(/*fail_first=*/2);  // the receiver is down for the first attempts
  const std::string declined = Case(TestNumber(0));
  const std::string withdrawn = Case(TestNumber(1));
  SetClock("2025-02-01T09:00:00+01:00");  // both booking reminders fire; delivery fails
  EXPECT_EQ(receiver_->requests(), 2);
  for (const auto& c : {declined, withdrawn}) {
    EXPECT_THAT(Reminders(c), ::testing::ElementsAre(::testing::Pair("booking_overdue", "sent")));
  }
  ASSERT_EQ(Post("/v1/cases/" + declined + "/commands", "A-J1", {{"command", "RecordCustomerDeclined"}}).status, 200);
  ASSERT_EQ(Post("/v1/subjects/" + subjects_[withdrawn] + "/consents/withdraw", "A-J1", {{"scopes", "all"}}).status, 200);
  SetClock("2025-02-01T10:00:00+01:00");  // past the backoff: the receiver is up again
  EXPECT_EQ(receiver_->requests(), 2) << "nothing sent after the close";
  EXPECT_TRUE(receiver_->processed().empty());
  const auto sent = Get("/v1/reminders?status=sent", "W-1");
  ASSERT_EQ(sent.Json().at("reminders").as_array().size(), 2u);
  for (const auto& r : sent.Json().at("reminders").as_array()) {
    EXPECT_EQ(r.at("delivery").at("webhook").at("state").as_string(), "cancelled") << r.at("case_id").as_string();
    EXPECT_EQ(r.at("delivery").at("webhook").at("attempts").as_int64(), 1);
  }
}

}  // namespace
}  // namespace casetrail::testing

namespace casetrail::testing {
namespace {

// DOMAIN §7 assertions 3 and 4: the monthly and quarterly lists the fixture's case appears on.
TEST_F(WorkersE2ETest, FixtureCalendarMonthlyAndQuarterlyLists) {
  Start();
  SetClock("2025-01-13T09:55:00+01:00");
  const std::string c = Case("19121212-1212");
  auto list = [&](const std::string& kind, const std::string& key, const std::string& period) {
    return Get("/v1/lists/" + kind + "?unit=jarva&" + key + "=" + period, "V-1");
  };
  auto listed = [&](const HttpResponse& r) -> std::optional<bool> {  // carried_over if listed
    for (const auto& x : r.Json().at("cases").as_array()) {
      if (x.at("case_id").as_string() == c) return x.as_object().contains("carried_over") && x.at("carried_over").as_bool();
    }
    return std::nullopt;
  };
  EXPECT_EQ(list("monthly", "month", "2025-02").status, 404) << "not before 06:00 two days before the meeting";
  bool checked_feb = false, checked_mar = false;
  for (const auto& st : FixtureSteps()) {
    if (!checked_feb && st.at > "2025-02-03T06:00:00+01:00") {
      SetClock("2025-02-03T06:00:00+01:00");  // F06
      auto feb = list("monthly", "month", "2025-02");
      ASSERT_EQ(feb.status, 200) << feb.body;
      EXPECT_EQ(feb.Str("list_id"), "monthly:jarva:2025-02");
      EXPECT_EQ(feb.Str("since"), "2025-01-08") << "January's meeting: the first Wednesday that is not a holiday";
      EXPECT_EQ(listed(feb), std::optional<bool>(false));
      checked_feb = true;
    }
    if (!checked_mar && st.at > "2025-03-03T06:00:00+01:00") {
      SetClock("2025-03-03T06:00:00+01:00");
      auto mar = list("monthly", "month", "2025-03");
      ASSERT_EQ(mar.status, 200);
      EXPECT_EQ(listed(mar), std::optional<bool>(true)) << "Unplanned: on the list under the carry-over rule";
      checked_mar = true;
    }
    SetClock(st.at);
    if (!st.publish.empty()) {
      ASSERT_EQ(Post("/v1/lists/progression/publish", "A-J1", {{"unit", "jarva"}, {"quarter", st.publish}}).status, 200);
    }
    json::object body{{"command", st.command}, {"data", st.data}};
    if (!st.effective.empty()) body["effective_at"] = st.effective;
    ASSERT_EQ(Post("/v1/cases/" + c + "/commands", st.who, body).status, 200) << st.command;
  }
  SetClock("2026-01-20T09:30:00+01:00");  // F19–F20
  ASSERT_EQ(Post("/v1/subjects/" + subjects_[c] + "/consents/withdraw", "A-J1", {{"scopes", "all"}}).status, 200);
  SetClock("2026-04-01T09:00:00+02:00");
  EXPECT_FALSE(listed(list("monthly", "month", "2025-04")).has_value()) << "Planned: never listed from April";
  for (const char* q : {"2025-Q2", "2025-Q3", "2025-Q4"}) {
    auto r = list("progression", "quarter", q);
    ASSERT_EQ(r.status, 200) << q;
    EXPECT_TRUE(listed(r).has_value()) << q;
  }
  EXPECT_FALSE(listed(list("progression", "quarter", "2026-Q1")).has_value()) << "closed: not in 2026 Q1";
  EXPECT_FALSE(listed(list("progression", "quarter", "2025-Q1")).has_value()) << "not yet studying in Q1";

  // Immutable: the same content hash on every read; exports; publishing by the unit's AF officer.
  auto q2 = list("progression", "quarter", "2025-Q2");
  EXPECT_EQ(q2.Str("content_hash"), list("progression", "quarter", "2025-Q2").Str("content_hash"));
  EXPECT_TRUE(q2.Json().at("published_at").is_null());
  auto csv = Http(server_->port(), "GET", "/v1/lists/progression?unit=jarva&quarter=2025-Q2", TokenOf("V-1"), "",
                  {{"Accept", "text/csv"}});
  EXPECT_EQ(csv.status, 200);
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_NE(csv.body.find("progression:jarva:2025-Q2," + c + ",studying"), std::string::npos) << "the state as known when generated";
  auto xlsx = Http(server_->port(), "GET", "/v1/lists/progression?unit=jarva&quarter=2025-Q2", TokenOf("V-1"), "",
                   {{"Accept", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}});
  EXPECT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK") << "an XLSX file is a zip archive";
  EXPECT_EQ(Post("/v1/lists/progression/publish", "V-1", {{"unit", "jarva"}, {"quarter", "2025-Q2"}}).status, 403);
  auto published = Post("/v1/lists/progression/publish", "A-J2", {{"unit", "jarva"}, {"quarter", "2025-Q2"}});
  ASSERT_EQ(published.status, 200) << published.body;
  EXPECT_EQ(published.Str("content_hash"), q2.Str("content_hash"));
  EXPECT_FALSE(list("progression", "quarter", "2025-Q2").Json().at("published_at").is_null());
  // J4 never chases a closed case (this one closed when consent was withdrawn).
  SetClock("2026-04-16T09:00:00+02:00");
  EXPECT_EQ(Reminders(c).count("feedback_chaser"), 0u);
  EXPECT_EQ(Get("/v1/lists/monthly?unit=jarva&month=2025-02", "A-G1").status, 403) << "another unit's list";
  EXPECT_EQ(Get("/v1/lists/monthly?unit=jarva&month=2025-13", "V-1").Str("field"), "month");
  // Meetings move the next list's "since".
  ASSERT_EQ(Post("/v1/meetings", "A-J1", {{"unit", "jarva"}, {"kind", "monthly"}, {"held_on", "2026-03-11"},
                                          {"participants", {"V-1", "A-J2"}}}).status, 201);
  EXPECT_EQ(Get("/v1/meetings?unit=jarva", "V-1").Json().at("meetings").as_array().size(), 1u);
  SetClock("2026-05-04T06:00:00+02:00");  // May's list (meeting 2026-05-06) is generated on 05-04
  EXPECT_EQ(list("monthly", "month", "2026-05").Str("since"), "2026-04-01") << "April's unrecorded default meeting";
  SetClock("2026-05-07T15:00:00+02:00");
  ASSERT_EQ(Post("/v1/meetings", "A-J1", {{"unit", "jarva"}, {"kind", "monthly"}, {"held_on", "2026-05-07"}}).status, 201);
  SetClock("2026-06-01T06:00:00+02:00");  // June's list (meeting 2026-06-03)
  EXPECT_EQ(list("monthly", "month", "2026-06").Str("since"), "2026-05-07") << "May's recorded meeting";

  // The CLI reads the same immutable list from the stopped server's data directory.
  ASSERT_EQ(server_->Stop(SIGTERM), 0);
  const std::string flags = " --data " + server_->data_dir() + " --master-key " + dir_.Sub("master.key");
  ASSERT_EQ(std::system((std::string(CASETRAIL_BIN) + " lists" + flags + " --unit jarva --quarter 2025-Q2 --format csv --out " +
                         dir_.Sub("q2.csv") + " > /dev/null 2>&1").c_str()), 0);
  std::ifstream q2csv(dir_.Sub("q2.csv"));
  const std::string csv_file((std::istreambuf_iterator<char>(q2csv)), {});
  EXPECT_EQ(csv_file, csv.body) << "the CLI export equals the API's";
  ASSERT_EQ(std::system((std::string(CASETRAIL_BIN) + " lists" + flags + " --unit jarva --quarter 2025-Q2 --format xlsx --out " +
                         dir_.Sub("q2.xlsx") + " > /dev/null 2>&1").c_str()), 0);
  EXPECT_GT(std::filesystem::file_size(dir_.Sub("q2.xlsx")), 1000u);
  EXPECT_NE(std::system((std::string(CASETRAIL_BIN) + " lists" + flags + " --unit jarva --quarter 2030-Q1 > /dev/null 2>&1").c_str()), 0)
      << "a list not generated is an error";
}

}  // namespace
}  // namespace casetrail::testing


namespace casetrail::testing {
namespace {

TEST_F(WorkersE2ETest, RemindersAreMailedThroughARealSmtpListener) {
  SmtpListener smtp;
  server_ = std::make_unique<ServerProcess>(dir_);
  server_->SetExtraArgs({"--smtp", "127.0.0.1:" + std::to_string(smtp.port()), "--mail-from", "casetrail@af.example",
                         "--mail-to", "jarva-syv@vux.example", "--worker-poll-ms", "50"});
  ASSERT_TRUE(server_->Start());
  const std::string c = Case("19121212-1212");
  SetClock("2025-01-27T10:00:00+01:00");  // the booking reminder (J5, 14 days) is due
  std::vector<SmtpListener::Message> got;
  for (int i = 0; i < 250 && got.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    got = smtp.messages();
  }
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].from, "<casetrail@af.example>");
  EXPECT_EQ(got[0].to, "<jarva-syv@vux.example>");
  EXPECT_NE(got[0].data.find("Subject: casetrail reminder: booking_overdue " + c), std::string::npos) << got[0].data;
  EXPECT_NE(got[0].data.find("/v1/cases/" + c), std::string::npos);
  EXPECT_EQ(got[0].data.find("Påminnelse"), std::string::npos) << "no personal data in mail";
  auto sent = Get("/v1/reminders?status=sent", "W-1").Json().at("reminders").as_array();
  ASSERT_EQ(sent.size(), 1u);
  for (int i = 0; i < 100; ++i) {
    sent = Get("/v1/reminders?status=sent", "W-1").Json().at("reminders").as_array();
    if (sent[0].at("delivery").as_object().contains("email") &&
        sent[0].at("delivery").at("email").at("state").as_string() == "delivered") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(sent[0].at("delivery").at("email").at("state").as_string(), "delivered");
  SetClock("2025-01-28T10:00:00+01:00");
  EXPECT_EQ(smtp.messages().size(), 1u) << "mailed once";
}

}  // namespace
}  // namespace casetrail::testing

namespace casetrail::testing {
namespace {

TEST_F(WorkersE2ETest, RescheduleReArmsTheAppointmentAndFeedbackIsChasedOnce) {
  Start();
  SetClock("2025-04-01T09:00:00+02:00");
  const std::string chased = Case("19121212-1212"), answered = Case("19800101-0001");
  for (const auto& c : {chased, answered}) {
    ASSERT_EQ(Post("/v1/cases/" + c + "/commands", "V-1", {{"command", "BookConversation"}, {"data", {{"slot", "2025-04-10T10:00:00+02:00"}}}}).status, 200);
  }
  // A reschedule replaces the appointment reminder: one pending, for the new slot.
  ASSERT_EQ(Post("/v1/cases/" + chased + "/commands", "V-1", {{"command", "RescheduleConversation"}, {"data", {{"slot", "2025-04-15T10:00:00+02:00"}}}}).status, 200);
  auto r = Reminders(chased);
  EXPECT_EQ(r.count("appointment"), 2u);
  EXPECT_EQ(std::count_if(r.begin(), r.end(), [](const auto& x) { return x.first == "appointment" && x.second == "scheduled"; }), 1);
  SetClock("2025-04-15T11:00:00+02:00");
  auto due = Get("/v1/reminders?status=sent", "W-1").Json().at("reminders").as_array();
  int appointments = 0;
  for (const auto& x : due) {
    if (x.at("case_id").as_string() == chased && x.at("kind").as_string() == "appointment") {
      ++appointments;
      EXPECT_EQ(x.at("due_at").as_string(), "2025-04-14T06:00:00Z") << "08:00 Stockholm the day before the new slot";
    }
  }
  EXPECT_EQ(appointments, 1);
  for (const auto& c : {chased, answered}) {
    ASSERT_EQ(Post("/v1/cases/" + c + "/commands", "V-1", {{"command", "RecordConversationHeld"}, {"data", {{"outcome", "plan"}}}}).status, 200);
    ASSERT_EQ(Post("/v1/cases/" + c + "/commands", "V-1", {{"command", "RecordStudiesStarted"}, {"data", {{"start_date", "2025-04-15"}}}}).status, 200);
  }
  // J3 generates Q2's list on 30 June; the unit publishes it; Vux answers for one case only.
  SetClock("2025-06-30T16:00:00+02:00");
  ASSERT_EQ(Post("/v1/lists/progression/publish", "A-J2", {{"unit", "jarva"}, {"quarter", "2025-Q2"}}).status, 200);
  ASSERT_EQ(Post("/v1/cases/" + answered + "/commands", "V-2",
                 {{"command", "RecordProgressionFeedback"}, {"data", {{"list", "progression:jarva:2025-Q2"}, {"pace", "part_time"}}}}).status, 200);
  SetClock("2025-07-14T15:00:00+02:00");
  EXPECT_EQ(Reminders(chased).count("feedback_chaser"), 0u) << "not before 14 days";
  SetClock("2025-07-14T17:00:00+02:00");
  EXPECT_EQ(Reminders(chased).count("feedback_chaser"), 1u);
  EXPECT_EQ(Reminders(answered).count("feedback_chaser"), 0u) << "answered: not chased";
  SetClock("2025-08-01T09:00:00+02:00");
  EXPECT_EQ(Reminders(chased).count("feedback_chaser"), 1u) << "chased once";
}

}  // namespace
}  // namespace casetrail::testing

namespace casetrail::testing {
namespace {

// J2: two days after a monthly meeting, each listed case still before `planned` without a review
// naming that meeting gets one review_missing reminder, delivered like the others.
TEST_F(WorkersE2ETest, AfterAMonthlyMeetingUnreviewedListedCasesAreChased) {
  Start();
  const std::string reviewed = Case(TestNumber(0));
  const std::string missed = Case(TestNumber(1));
  const std::string planned = Case(TestNumber(2));
  SetClock("2025-02-03T06:00:00+01:00");  // February's list (meeting on Wednesday 5 February)
  auto feb = Get("/v1/lists/monthly?unit=jarva&month=2025-02", "V-1");
  ASSERT_EQ(feb.status, 200);
  ASSERT_EQ(feb.Json().at("cases").as_array().size(), 3u);
  SetClock("2025-02-05T11:00:00+01:00");
  ASSERT_EQ(Post("/v1/cases/" + reviewed + "/commands", "V-1",
                 {{"command", "RecordMonthlyReview"}, {"data", {{"meeting", "monthly:jarva:2025-02"}}}}).status, 200);
  ASSERT_EQ(Post("/v1/cases/" + planned + "/commands", "V-1",
                 {{"command", "BookConversation"}, {"data", {{"slot", "2025-02-06T10:00:00+01:00"}}}}).status, 200);
  ASSERT_EQ(Post("/v1/meetings", "A-J1", {{"unit", "jarva"}, {"kind", "monthly"}, {"held_on", "2025-02-05"}}).status, 201);
  SetClock("2025-02-06T11:00:00+01:00");
  ASSERT_EQ(Post("/v1/cases/" + planned + "/commands", "V-1",
                 {{"command", "RecordConversationHeld"}, {"data", {{"outcome", "plan"}}}}).status, 200);
  SetClock("2025-02-07T05:59:00+01:00");
  EXPECT_EQ(Reminders(missed).count("review_missing"), 0u) << "not before 06:00 two days after the meeting";
  SetClock("2025-02-07T06:00:00+01:00");
  EXPECT_EQ(Reminders(missed).count("review_missing"), 1u);
  EXPECT_EQ(Reminders(reviewed).count("review_missing"), 0u) << "reviewed at the meeting";
  EXPECT_EQ(Reminders(planned).count("review_missing"), 0u) << "planned since: nothing to review";
  const std::string id = "J2:review_missing:monthly:jarva:2025-02:" + missed;
  ASSERT_TRUE(WaitDelivered(1));
  EXPECT_EQ(receiver_->requests_by_id().count(id), 1u);
  SetClock("2025-03-20T06:00:00+01:00");  // later passes and a restart do not chase again
  server_->Stop(SIGTERM);
  ASSERT_TRUE(server_->Start());
  SetClock("2025-03-21T06:00:00+01:00");
  EXPECT_EQ(Reminders(missed).count("review_missing"), 1u);
  EXPECT_EQ(receiver_->requests_by_id().at(id), 1);
}

// A receiver that never answers 2xx: attempts back off 30 s, 1, 2 and 4 min apart; after the
// fifth failure the delivery is dead-lettered and nothing more is sent.
TEST_F(WorkersE2ETest, FailingDeliveriesBackOffAndAreDeadLetteredAfterFiveAttempts) {
  Start(/*fail_first=*/1000);
  const std::string c = Case(TestNumber(0));
  auto delivery = [&]() -> std::pair<std::string, int64_t> {
    const auto r = Get("/v1/reminders?status=sent", "W-1");
    for (const auto& x : r.Json().at("reminders").as_array()) {
      if (x.at("case_id").as_string() == c) {
        const auto& w = x.at("delivery").at("webhook");
        return {std::string(w.at("state").as_string()), w.at("attempts").as_int64()};
      }
    }
    return {"", 0};
  };
  SetClock("2025-01-27T09:00:00+01:00");  // J5 fires; attempt 1 fails
  EXPECT_EQ(receiver_->requests(), 1);
  SetClock("2025-01-27T09:00:29+01:00");
  EXPECT_EQ(receiver_->requests(), 1) << "backing off: 30 s before attempt 2";
  const char* retries[] = {"2025-01-27T09:00:30+01:00", "2025-01-27T09:01:30+01:00", "2025-01-27T09:03:30+01:00",
                           "2025-01-27T09:07:30+01:00"};
  for (int i = 0; i < 4; ++i) {
    SetClock(retries[i]);
    EXPECT_EQ(receiver_->requests(), i + 2) << retries[i];
    // After the fifth failure the next pass (the polling thread's, at once) dead-letters it.
    if (i < 3) {
      EXPECT_EQ(delivery(), std::make_pair(std::string("pending"), int64_t{i + 2}));
    }
  }
  SetClock("2025-01-27T09:30:00+01:00");  // a pass after the fifth failure, whoever's
  EXPECT_EQ(delivery(), std::make_pair(std::string("dead_lettered"), int64_t{5}));
  SetClock("2025-02-27T09:30:00+01:00");
  EXPECT_EQ(receiver_->requests(), 5) << "a dead letter is never retried";
  EXPECT_TRUE(receiver_->processed().empty());
}

// GET /v1/reminders pages in (due_at, id) order and filters by case and kind.
TEST_F(WorkersE2ETest, RemindersPageAndFilter) {
  Start();
  std::vector<std::string> cases;
  for (int i = 0; i < 3; ++i) cases.push_back(Case(TestNumber(i)));
  const auto all = Get("/v1/reminders?status=all", "W-1");
  ASSERT_EQ(all.Json().at("reminders").as_array().size(), 3u);
  EXPECT_TRUE(all.Json().at("next_page_token").is_null());
  const auto first = Get("/v1/reminders?limit=2", "W-1");
  ASSERT_EQ(first.Json().at("reminders").as_array().size(), 2u);
  const std::string token(first.Json().at("next_page_token").as_string());
  const auto second = Get("/v1/reminders?limit=2&page_token=" + token, "W-1");
  ASSERT_EQ(second.Json().at("reminders").as_array().size(), 1u);
  EXPECT_TRUE(second.Json().at("next_page_token").is_null());
  std::vector<std::string> paged, whole;
  for (const auto* page : {&first, &second}) {
    for (const auto& r : page->Json().at("reminders").as_array()) paged.emplace_back(r.at("id").as_string());
  }
  for (const auto& r : all.Json().at("reminders").as_array()) whole.emplace_back(r.at("id").as_string());
  EXPECT_EQ(paged, whole) << "two pages give the whole list, in order";
  const auto mine = Get("/v1/reminders?case_id=" + cases[1], "W-1");
  ASSERT_EQ(mine.Json().at("reminders").as_array().size(), 1u);
  EXPECT_EQ(mine.Json().at("reminders").as_array()[0].at("case_id").as_string(), cases[1]);
  EXPECT_TRUE(Get("/v1/reminders?kind=appointment", "W-1").Json().at("reminders").as_array().empty());
  EXPECT_EQ(Get("/v1/reminders?page_token=garbage", "W-1").Str("field"), "page_token");
  EXPECT_EQ(Get("/v1/reminders?limit=0", "W-1").Str("field"), "limit");
}

TEST_F(WorkersE2ETest, TheListCalendarIsConfiguration) {
  {
    std::ofstream(dir_.Sub("calendar.json")) << R"({"meeting_weekday":"thursday","list_days_before":1,"list_hour":7})";
    std::ofstream(dir_.Sub("bad-calendar.json")) << R"({"meeting_weekday":"someday"})";
  }
  server_ = std::make_unique<ServerProcess>(dir_);
  server_->SetExtraArgs({"--calendar", dir_.Sub("bad-calendar.json")});
  EXPECT_FALSE(server_->Start()) << "a bad calendar stops the server from starting";
  server_->SetExtraArgs({"--calendar", dir_.Sub("calendar.json"), "--worker-poll-ms", "50"});
  ASSERT_TRUE(server_->Start());
  const std::string c = Case("19121212-1212");
  // February 2025's first Thursday is the 6th: the list comes at 07:00 the day before.
  SetClock("2025-02-05T06:59:00+01:00");
  EXPECT_EQ(Get("/v1/lists/monthly?unit=jarva&month=2025-02", "V-1").status, 404);
  SetClock("2025-02-05T07:00:00+01:00");
  auto feb = Get("/v1/lists/monthly?unit=jarva&month=2025-02", "V-1");
  ASSERT_EQ(feb.status, 200) << feb.body;
  EXPECT_EQ(feb.Str("since"), "2025-01-02") << "January's first Thursday";
  EXPECT_NE(feb.body.find(c), std::string::npos);
}

}  // namespace
}  // namespace casetrail::testing
