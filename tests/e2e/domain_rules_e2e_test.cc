// The cooperation rules of DOMAIN.md §3–§6 that issue 16 completes, over the real server:
// G-MEETING and G-LIST accept only a list that exists, is of the case's unit, holds the case and
// (G-LIST) was published; T16 RegisterCustomerInStudies (rev3); a health reason for an
// interruption is sealed, shown only as the model allows, never in the strategic group's outputs
// and erased with the person; the list calendar's defaults come from the model; an erasure's
// legal basis and reference are up to 200 characters (not bytes) and shown as written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "tests/support/http_client.h"
#include "tests/support/personal_numbers.h"
#include "tests/support/referral_over_http.h"
#include "tests/support/server_test.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;

class DomainRulesE2ETest : public ServerTest {
 protected:
  void Start(const std::string& clock, std::vector<std::string> extra = {}) { StartServer(std::move(extra), clock); }
  std::string Subject(const std::string& pnr, const std::string& who = "A-J1",
                      json::array scopes = {"transfer_referral", "share_guidance", "share_study_progress"}) {
    auto s = Post("/v1/subjects", who, {{"personal_number", pnr}, {"name", "Regel Testsson"}, {"gender", "female"}});
    EXPECT_TRUE(s.status == 201 || s.status == 200) << s.body;
    EXPECT_EQ(Post("/v1/subjects/" + s.Str("subject_id") + "/consents", who, {{"scopes", scopes}, {"method", "signed_form"}}).status, 201);
    return s.Str("subject_id");
  }
  std::string Refer(const std::string& subject, const std::string& unit, const std::string& who) {
    auto c = Post("/v1/cases", who, {{"subject_id", subject}, {"unit", unit}, {"channel", "space"}, {"long_term_unemployed", true},
                                     {"lacks_upper_secondary", true}, {"resident_stockholm", true}, {"need_assessed", true}});
    EXPECT_EQ(c.status, 201) << c.body;
    return c.Str("case_id");
  }
  HttpResponse Command(const std::string& c, const std::string& who, const std::string& command, json::object data = {}) {
    return Post("/v1/cases/" + c + "/commands", who, {{"command", command}, {"data", std::move(data)}});
  }
  std::string Version(const std::string& c) { return Get("/v1/cases/" + c, "C-1").Str("version"); }
  // A refusal by the named guard that left the case as it was.
  void ExpectGuard(const std::string& c, const std::string& who, const std::string& command, json::object data,
                   const std::string& guard) {
    const std::string before = Version(c);
    auto r = Command(c, who, command, std::move(data));
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(r.content_type, "application/problem+json");
    EXPECT_EQ(r.Str("code"), "guard_failed") << r.body;
    EXPECT_EQ(r.Str("guard"), guard);
    EXPECT_EQ(Version(c), before) << "nothing appended to the case";
  }
  // Booked, held with a plan and started: the case is studying from `start_date`.
  void Study(const std::string& c, const std::string& slot, const std::string& after, const std::string& start_date) {
    ASSERT_EQ(Command(c, "V-1", "BookConversation", {{"slot", slot}}).status, 200);
    SetClock(after);
    ASSERT_EQ(Command(c, "V-1", "RecordConversationHeld", {{"outcome", "plan"}}).status, 200);
    auto started = Command(c, "V-1", "RecordStudiesStarted", {{"start_date", start_date}});
    ASSERT_EQ(started.status, 200) << started.body;
  }
};

// G-MEETING: a monthly meeting of the case's unit whose list holds the case. Before the list is
// generated, for a case referred after it, for another unit's meeting and for a month without a
// list the review is refused; the listed case's review is recorded.
TEST_F(DomainRulesE2ETest, AMonthlyReviewNeedsTheUnitsGeneratedListHoldingTheCase) {
  Start("2025-01-13T09:55:00+01:00");
  const std::string c = ReferOverHttp(server_->port(), "19121212-1212", "Möte Testsson").case_id;
  const std::string g = Refer(Subject(TestNumber(1), "A-G1"), "globen", "A-G1");
  SetClock("2025-02-01T10:00:00+01:00");
  ExpectGuard(c, "V-1", "RecordMonthlyReview", {{"meeting", "monthly:jarva:2025-02"}}, "G-MEETING");  // list due 3 Feb 06:00

  SetClock("2025-02-03T06:30:00+01:00");
  ASSERT_EQ(Get("/v1/lists/monthly?unit=jarva&month=2025-02", "V-1").status, 200);
  const std::string late = ReferOverHttp(server_->port(), TestNumber(2), "Sen Testsson").case_id;
  ExpectGuard(late, "V-1", "RecordMonthlyReview", {{"meeting", "monthly:jarva:2025-02"}}, "G-MEETING");
  ExpectGuard(late, "A-J1", "MarkUnplanned", {{"reason", "not_reached"}, {"meeting", "monthly:jarva:2025-02"}}, "G-MEETING");
  ExpectGuard(c, "V-1", "RecordMonthlyReview", {{"meeting", "monthly:globen:2025-02"}}, "G-MEETING");
  ExpectGuard(c, "V-1", "RecordMonthlyReview", {{"meeting", "monthly:jarva:2025-03"}}, "G-MEETING");
  ExpectGuard(g, "V-1", "RecordMonthlyReview", {{"meeting", "monthly:jarva:2025-02"}}, "G-MEETING");

  auto ok = Command(c, "V-1", "RecordMonthlyReview", {{"meeting", "monthly:jarva:2025-02"}, {"joint_plan", "rebook_digital"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Command(g, "V-1", "RecordMonthlyReview", {{"meeting", "monthly:globen:2025-02"}}).status, 200);
  EXPECT_EQ(Command(late, "A-J1", "MarkUnplanned", {{"reason", "not_reached"}}).status, 200) << "without a meeting: allowed";
}

// G-LIST: a published progression list of the case's unit holding the case. Unpublished, another
// unit's, not generated, or without the case: refused; an ad hoc report without a list is allowed.
TEST_F(DomainRulesE2ETest, ProgressionFeedbackNeedsAPublishedListOfTheUnitHoldingTheCase) {
  Start("2025-01-13T09:55:00+01:00");
  const std::string c = ReferOverHttp(server_->port(), "19121212-1212", "Lista Testsson").case_id;
  const std::string d = ReferOverHttp(server_->port(), TestNumber(3), "Senare Testsson").case_id;
  Study(c, "2025-01-20T10:00:00+01:00", "2025-01-20T11:00:00+01:00", "2025-01-20");
  ASSERT_EQ(Command(d, "V-1", "BookConversation", {{"slot", "2025-01-21T10:00:00+01:00"}}).status, 200);
  SetClock("2025-01-21T11:00:00+01:00");
  ASSERT_EQ(Command(d, "V-1", "RecordConversationHeld", {{"outcome", "plan"}}).status, 200);

  SetClock("2025-03-31T16:00:00+02:00");  // Q1's lists are generated
  ASSERT_EQ(Get("/v1/lists/progression?unit=jarva&quarter=2025-Q1", "V-1").status, 200);
  const json::object q1{{"list", "progression:jarva:2025-Q1"}, {"pace", "part_time"}};
  ExpectGuard(c, "V-2", "RecordProgressionFeedback", q1, "G-LIST");  // not published yet
  ASSERT_EQ(Post("/v1/lists/progression/publish", "A-J1", {{"unit", "jarva"}, {"quarter", "2025-Q1"}}).status, 200);
  ExpectGuard(c, "V-2", "RecordProgressionFeedback", {{"list", "progression:globen:2025-Q1"}}, "G-LIST");
  ExpectGuard(c, "V-2", "RecordProgressionFeedback", {{"list", "progression:jarva:2025-Q2"}}, "G-LIST");
  auto answered = Command(c, "V-2", "RecordProgressionFeedback", q1);
  ASSERT_EQ(answered.status, 200) << answered.body;

  SetClock("2025-04-02T10:00:00+02:00");
  ASSERT_EQ(Command(d, "V-1", "RecordStudiesStarted", {{"start_date", "2025-04-02"}}).status, 200);
  ExpectGuard(d, "V-2", "RecordStudyPace", {{"pace", "full_time"}, {"list", "progression:jarva:2025-Q1"}}, "G-LIST");
  ExpectGuard(d, "V-2", "RecordLackOfProgression", {{"list", "progression:jarva:2025-Q1"}}, "G-LIST");
  EXPECT_EQ(Command(d, "V-2", "RecordStudyPace", {{"pace", "full_time"}}).status, 200) << "an ad hoc report";
}

// T16: AF registers a customer who is already studying, with consent; the case starts in
// `studying` under rev3 and is on the next quarterly list.
TEST_F(DomainRulesE2ETest, AnOfficerRegistersACustomerAlreadyInStudies) {
  Start("2025-12-15T09:00:00+01:00");
  const std::string s = Subject("19121212-1212");
  json::object body{{"subject_id", s}, {"command", "RegisterCustomerInStudies"}, {"unit", "jarva"},
                    {"start_date", "2025-11-03"}, {"pace", "part_time"}};
  auto before = Post("/v1/cases", "A-J1", body);
  EXPECT_EQ(before.status, 422) << before.body;
  EXPECT_EQ(before.Str("code"), "unknown_command") << "rev2, in force until 2026, has no T16";

  SetClock("2026-02-02T09:00:00+01:00");
  const std::string partial = Subject(TestNumber(4), "A-J1", {"transfer_referral"});
  json::object without = body;
  without["subject_id"] = partial;
  auto missing = Post("/v1/cases", "A-J1", without);
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(missing.Str("code"), "consent_missing");
  EXPECT_EQ(missing.Str("scope"), "share_study_progress");
  EXPECT_EQ(Post("/v1/cases", "V-1", body).status, 403) << "AF registers, not the SYV";
  EXPECT_EQ(Post("/v1/cases", "A-G1", body).status, 403) << "an officer of another unit";
  json::object wrong = body;
  wrong["command"] = "BookConversation";
  EXPECT_EQ(Post("/v1/cases", "A-J1", wrong).Str("code"), "unknown_command") << "not a command that opens a case";
  EXPECT_EQ(Get("/v1/subjects/" + s + "/extract", "C-1").Json().at("cases").as_array().size(), 0u) << "nothing opened";

  auto opened = Post("/v1/cases", "A-J1", body);
  ASSERT_EQ(opened.status, 201) << opened.body;
  EXPECT_EQ(opened.Str("state"), "studying");
  EXPECT_EQ(opened.Str("pace"), "part_time");
  const std::string c = opened.Str("case_id");
  EXPECT_EQ(Get("/v1/cases/" + c, "A-J1").Str("revision"), "study-referral@3");
  auto events = Get("/v1/cases/" + c + "/events", "C-1").Json().at("events").as_array();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].at("type"), "CustomerInStudiesRegistered");
  EXPECT_EQ(events[0].at("data").at("route"), "komvux");
  EXPECT_EQ(Command(c, "V-1", "RecordStudyPace", {{"pace", "full_time"}}).status, 200) << "followed like any studying case";

  SetClock("2026-03-31T16:00:00+02:00");
  auto q1 = Get("/v1/lists/progression?unit=jarva&quarter=2026-Q1", "A-J1");
  ASSERT_EQ(q1.status, 200) << q1.body;
  bool listed = false;
  const json::value q1_json = q1.Json();
  for (const auto& x : q1_json.at("cases").as_array()) listed |= x.at("case_id").as_string() == c;
  EXPECT_TRUE(listed) << "on the next quarterly list (DOMAIN Q17)";
}

// A health reason (GDPR Art. 9) is sealed under rev3: the SYV and compliance see it, AF only under
// the model's read rule, the strategic group never (decision audit, indicators: counted as
// `other`, as is a health reason recorded in clear under rev2), and it is erased with the person.
TEST_F(DomainRulesE2ETest, AHealthReasonIsSealedKeptFromTheStrategicGroupAndErased) {
  Start("2025-09-01T09:00:00+02:00");
  const std::string old_case = ReferOverHttp(server_->port(), TestNumber(5), "Tidig Testsson").case_id;
  Study(old_case, "2025-09-02T10:00:00+02:00", "2025-09-02T11:00:00+02:00", "2025-09-02");
  ASSERT_EQ(Command(old_case, "V-1", "RecordInterruption", {{"reason", "health"}}).status, 200);

  SetClock("2026-02-02T09:00:00+01:00");
  const auto referred = ReferOverHttp(server_->port(), "19121212-1212", "Hälsa Testsson");
  const std::string c = referred.case_id;
  Study(c, "2026-02-03T10:00:00+01:00", "2026-02-03T11:00:00+01:00", "2026-02-03");
  auto interrupted = Command(c, "V-1", "RecordInterruption", {{"reason", "health"}, {"scope", "all_courses"}});
  ASSERT_EQ(interrupted.status, 200) << interrupted.body;
  // The interruption's data as `who` reads it (an erasure closes the case after it).
  auto last_data = [&](const std::string& who) {
    const json::value events = Get("/v1/cases/" + c + "/events", who).Json();
    for (const auto& e : events.at("events").as_array()) {
      if (e.at("type") == "StudiesInterrupted") return e.at("data").as_object();
    }
    return json::object{};
  };
  // The reason as `who` reads it, or the whole data when it has none (redacted, erased).
  auto last_reason = [&](const std::string& who) {
    const json::object data = last_data(who);
    return data.contains("reason") ? json::serialize(data.at("reason")) : json::serialize(data);
  };
  EXPECT_EQ(last_reason("C-1"), "\"health\"");
  EXPECT_EQ(last_reason("V-1"), "\"health\"");
  auto audit = Get("/v1/cases/" + c + "/audit", "C-1").Json();
  const auto& stored = audit.at("events").as_array().back().as_object();
  EXPECT_FALSE(stored.at("facts").as_object().contains("reason")) << "not in clear in the log";
  EXPECT_TRUE(stored.at("has_personal_data").as_bool());

  for (const char* period : {"2025", "2026"}) {
    for (const char* who : {"G-1", "C-1"}) {
      auto decisions = Get(std::string("/v1/audits/decisions?period=") + period, who);
      ASSERT_EQ(decisions.status, 200) << decisions.body;
      EXPECT_EQ(decisions.body.find("health"), std::string::npos) << who << " " << period;
      auto indicators = Get(std::string("/v1/indicators?period=") + period, who);
      EXPECT_EQ(indicators.body.find("health"), std::string::npos) << who << " " << period;
    }
    bool other = false;
    const json::value audit_json = Get(std::string("/v1/audits/decisions?period=") + period, "C-1").Json();
    for (const auto& x : audit_json.at("decisions").at("interruptions").as_array()) {
      other |= x.at("reason") == "other";
    }
    EXPECT_TRUE(other) << period << ": counted, without naming it";
  }
  EXPECT_NE(Get("/v1/cases/" + c + "/events", "G-1").status, 200);

  // AF sees it only while the model's rule lets it (share_study_progress).
  ASSERT_EQ(Post("/v1/subjects/" + referred.subject_id + "/consents/withdraw", "A-J1", {{"scopes", {"share_study_progress"}}}).status, 200);
  EXPECT_EQ(last_reason("A-J1"), R"({"redacted":true})");

  ASSERT_EQ(Post("/v1/subjects/" + referred.subject_id + "/erasure", "C-1", {{"legal_basis", "Art. 17.1 a"}, {"reference", "dnr 2026/12"}}).status, 200);
  auto after = Get("/v1/cases/" + c + "/events", "C-1");
  EXPECT_EQ(after.body.find("health"), std::string::npos) << "erased with the person";
  const json::object erased = last_data("C-1");
  EXPECT_FALSE(erased.contains("reason"));
  EXPECT_TRUE(erased.at("erased").as_bool());
  EXPECT_EQ(erased.at("scope"), "all_courses") << "the clear facts stay";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The list calendar's defaults are part of the model: a model version with another lead time
// moves the monthly list without a rebuild; a --calendar file still overrides it key by key.
TEST_F(DomainRulesE2ETest, TheListCalendarComesFromTheModelAndAFlagOverridesIt) {
  json::object model = json::parse(ReadFile(std::string(CASETRAIL_SOURCE_DIR) + "/workflows/study-referral/model.json")).as_object();
  ASSERT_TRUE(model.at("settings").at("list_calendar").is_object()) << "the shipped model names the calendar";
  model["model"] = model.at("model").as_int64() + 1;
  model["settings"].as_object()["list_calendar"].as_object()["list_days_before"] = 5;
  const std::string file = dir_.Sub("model-5-days.json");
  std::ofstream(file) << json::serialize(model);
  Start("2025-01-13T09:55:00+01:00", {"--model", file});
  ReferOverHttp(server_->port(), "19121212-1212", "Kalender Testsson");
  SetClock("2025-01-31T06:00:00+01:00");
  EXPECT_EQ(Get("/v1/lists/monthly?unit=jarva&month=2025-02", "V-1").status, 200) << "5 days before Wednesday 5 February";
  ASSERT_EQ(server_->Stop(SIGTERM), 0);

  TempDir other;
  const std::string calendar = other.Sub("calendar.json");
  std::ofstream(calendar) << R"({"list_days_before": 1})";
  server_ = std::make_unique<ServerProcess>(other, "2025-01-13T09:55:00+01:00");
  server_->SetExtraArgs({"--model", file, "--calendar", calendar});
  ASSERT_TRUE(server_->Start());
  ReferOverHttp(server_->port(), "19121212-1212", "Kalender Testsson");
  SetClock("2025-02-03T06:00:00+01:00");
  EXPECT_EQ(Get("/v1/lists/monthly?unit=jarva&month=2025-02", "V-1").status, 404) << "the flag's 1 day wins";
  SetClock("2025-02-04T06:00:00+01:00");
  EXPECT_EQ(Get("/v1/lists/monthly?unit=jarva&month=2025-02", "V-1").status, 200);
  ASSERT_EQ(server_->Stop(SIGTERM), 0);  // before `other` is removed
  server_.reset();
}

// `text` padded with 'ä' (two bytes in UTF-8) to `chars` characters.
std::string Chars(std::string text, size_t chars) {
  size_t n = 0;
  for (unsigned char ch : text) n += (ch & 0xC0) != 0x80;
  while (n++ < chars) text += "ä";
  return text;
}

// An erasure's legal basis and reference: free text of up to 200 characters, however many bytes
// (API.md); longer is 400 problem+json and nothing is erased; the text is shown as written.
TEST_F(DomainRulesE2ETest, AnErasuresTextsAreUpTo200CharactersAndShownAsWritten) {
  Start("2025-03-03T09:00:00+01:00");
  const auto referred = ReferOverHttp(server_->port(), "19121212-1212", "Radera Testsson");
  const std::string erase = "/v1/subjects/" + referred.subject_id + "/erasure";
  const std::string basis = Chars("GDPR art. 17.1 a – samtycket återkallat; beslut av förvaltningens dataskyddsombud ", 200);
  const std::string reference = Chars("Begäran 2025-03-01, dnr 2025/117, ärendet hos registratur ", 200);
  ASSERT_GT(basis.size(), 200u) << "more bytes than characters";

  for (const auto& [b, r, field] : {std::tuple{basis + "ä", reference, "legal_basis"}, std::tuple{basis, reference + "ö", "reference"}}) {
    auto refused = Post(erase, "C-1", {{"legal_basis", b}, {"reference", r}});
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_EQ(refused.content_type, "application/problem+json");
    EXPECT_EQ(refused.Str("code"), "invalid_field");
    EXPECT_EQ(refused.Str("field"), field);
    EXPECT_EQ(Get("/v1/subjects/" + referred.subject_id + "/extract", "C-1").status, 200) << "not erased";
  }
  auto erased = Post(erase, "C-1", {{"legal_basis", basis}, {"reference", reference}});
  ASSERT_EQ(erased.status, 200) << erased.body;

  auto audit = Get("/v1/cases/" + referred.case_id + "/audit", "C-1");
  ASSERT_EQ(audit.status, 200) << audit.body;
  const json::value audit_json = audit.Json();
  const auto& erasure = audit_json.at("subject_erasure");
  EXPECT_EQ(erasure.at("legal_basis").as_string(), basis);
  EXPECT_EQ(erasure.at("reference").as_string(), reference);
  EXPECT_EQ(erasure.at("by").as_string(), "C-1");
  bool counted = false;
  const json::value decisions = Get("/v1/audits/decisions?period=2025", "C-1").Json();
  for (const auto& x : decisions.at("decisions").at("erasures").as_array()) {
    counted |= x.at("reason").as_string() == basis;
  }
  EXPECT_TRUE(counted) << "the decision audit names the legal basis as written";
}

}  // namespace
}  // namespace casetrail::testing
