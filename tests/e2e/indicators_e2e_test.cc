// The strategic group's indicators over real HTTP: DOMAIN §7 assertion 5 for 2025 with variants
// (a) and (d), exact for compliance and suppressed for strategic, published snapshots, A1, and no
// personal value in anything the strategic role receives.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "tests/support/fixture_steps.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;

class IndicatorsE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_);
    ASSERT_TRUE(server_->Start());
    Walk();
  }
  HttpResponse Post(const std::string& path, const std::string& who, const json::value& body) {
    return Http(server_->port(), "POST", path, TokenOf(who), json::serialize(body));
  }
  HttpResponse Get(const std::string& path, const std::string& who) { return Http(server_->port(), "GET", path, TokenOf(who)); }
  void SetClock(const std::string& t) { ASSERT_EQ(Post("/v1/admin/clock", "ADM-1", {{"set", t}}).status, 200) << t; }
  std::string Subject(const std::string& pnr, const std::string& name, const std::string& gender) {
    auto r = Post("/v1/subjects", "A-J1", {{"personal_number", pnr}, {"name", name}, {"gender", gender},
                                           {"contact", {{"email", pnr.substr(0, 8) + "@example.test"}}}});
    EXPECT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(Post("/v1/subjects/" + r.Str("subject_id") + "/consents", "A-J1",
                   {{"scopes", {"transfer_referral", "share_guidance", "share_study_progress"}}, {"method", "signed_form"},
                    {"evidence_ref", "pärm-" + name}}).status, 201);
    return r.Str("subject_id");
  }
  json::object Referral(const std::string& s, const std::string& unit, const std::string& channel, bool rom) {
    return {{"subject_id", s}, {"unit", unit}, {"channel", channel}, {"long_term_unemployed", true},
            {"lacks_upper_secondary", true}, {"resident_stockholm", true}, {"rom_participant", rom},
            {"need_assessed", true}, {"note", "anteckning om " + s}};
  }
  void Command(const std::string& c, const std::string& who, const std::string& command, json::object data,
               const std::string& effective = "") {
    json::object body{{"command", command}, {"data", std::move(data)}};
    if (!effective.empty()) body["effective_at"] = effective;
    auto r = Post("/v1/cases/" + c + "/commands", who, body);
    EXPECT_EQ(r.status, 200) << command << ": " << r.body;
  }

  // The fixture (a woman at Järva), variant (a) (declines after referral) and variant (d) (a man
  // referred via a group activity who studies full-time and completes), all in 2025.
  void Walk() {
    SetClock("2025-01-13T09:40:00+01:00");
    const std::string s = Subject("19121212-1212", "Tolvan Tolvansson", "female");
    auto c = Post("/v1/cases", "A-J1", Referral(s, "jarva", "space", true));
    ASSERT_EQ(c.status, 201) << c.body;
    fixture_case_ = c.Str("case_id");
    for (const auto& st : FixtureSteps()) {
      if (st.at >= "2026") break;  // 2025 only, the indicators' year
      SetClock(st.at);
      if (!st.publish.empty()) {
        ASSERT_EQ(Post("/v1/lists/progression/publish", "A-J1", {{"unit", "jarva"}, {"quarter", st.publish}}).status, 200);
      }
      json::object body{{"command", st.command}, {"data", st.data}};
      if (!st.effective.empty()) body["effective_at"] = st.effective;
      ASSERT_EQ(Post("/v1/cases/" + fixture_case_ + "/commands", st.who, body).status, 200) << st.command;
    }
    // (a): referred 2025-10-08, declines the same day.
    SetClock("2025-10-08T10:00:00+02:00");
    const std::string a = Subject("19800101-0001", "Avböjd Avböjdsson", "male");
    auto ca = Post("/v1/cases", "A-G1", Referral(a, "globen", "space", false));
    ASSERT_EQ(ca.status, 201) << ca.body;
    Command(ca.Str("case_id"), "A-G1", "RecordCustomerDeclined", {});
    // (d): a man referred by the SYV from a group activity at City, full-time, completes.
    const std::string d = Subject("19850505-1238", "Grupp Gruppsson", "male");
    auto cd = Post("/v1/cases", "V-1", Referral(d, "city", "group_activity", false));
    ASSERT_EQ(cd.status, 201) << cd.body;
    Command(cd.Str("case_id"), "V-1", "BookConversation", {{"slot", "2025-10-10T10:00:00+02:00"}});
    SetClock("2025-10-10T11:00:00+02:00");
    Command(cd.Str("case_id"), "V-1", "RecordConversationHeld", {{"outcome", "plan"}});
    Command(cd.Str("case_id"), "V-1", "RecordStudiesStarted", {{"start_date", "2025-10-10"}, {"pace", "full_time"}});
    SetClock("2025-12-19T15:00:00+01:00");
    Command(cd.Str("case_id"), "V-1", "RecordStudiesCompleted", {});
    // A1: one group activity at City.
    ASSERT_EQ(Post("/v1/activities", "V-1", {{"unit", "city"}, {"held_on", "2025-09-24"}, {"participants_total", 22}}).status, 201);
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::string fixture_case_;
};

TEST_F(IndicatorsE2ETest, Assertion5AndVariantsExactForCompliance) {
  // The fixture's case alone (Järva).
  auto jarva = Get("/v1/indicators?year=2025&unit=jarva", "C-1");
  ASSERT_EQ(jarva.status, 200) << jarva.body;
  const auto& j = jarva.Json();
  EXPECT_EQ(j.at("referrals").to_number<uint64_t>(), 1u);     // I1a
  EXPECT_EQ(j.at("cases_booked").to_number<uint64_t>(), 1u);  // I1b: two bookings, one case
  EXPECT_EQ(j.at("conversations_held").at("women").to_number<uint64_t>(), 1u);
  EXPECT_EQ(j.at("conversations_held").at("men").to_number<uint64_t>(), 0u);
  EXPECT_EQ(j.at("conversations_held").at("total").to_number<uint64_t>(), 1u);
  EXPECT_EQ(j.at("started_after_conversation").at("numerator").to_number<uint64_t>(), 1u);  // I2 = 1/1
  EXPECT_EQ(j.at("started_after_conversation").at("denominator").to_number<uint64_t>(), 1u);
  EXPECT_DOUBLE_EQ(j.at("started_after_conversation").at("share").as_double(), 1.0);
  EXPECT_EQ(j.at("rom_started").at("numerator").to_number<uint64_t>(), 1u);  // I3 = 1/1
  EXPECT_EQ(j.at("rom_started").at("denominator").to_number<uint64_t>(), 1u);
  EXPECT_TRUE(j.at("suppressed").as_array().empty());
  EXPECT_EQ(j.at("previous_year").at("referrals").to_number<uint64_t>(), 0u);
  EXPECT_EQ(j.at("definitions").as_string(), "study-cooperation@2025-1");

  // All units: (a) counts in I1a, not I1b; (d) is a man's held conversation that led to studies.
  auto all = Get("/v1/indicators?year=2025", "C-1");
  const auto& t = all.Json();
  EXPECT_EQ(t.at("referrals").to_number<uint64_t>(), 3u);
  EXPECT_EQ(t.at("cases_booked").to_number<uint64_t>(), 2u);
  EXPECT_EQ(t.at("conversations_held").at("men").to_number<uint64_t>(), 1u);
  EXPECT_EQ(t.at("conversations_held").at("total").to_number<uint64_t>(), 2u);
  EXPECT_EQ(t.at("started_after_conversation").at("numerator").to_number<uint64_t>(), 2u);
  EXPECT_EQ(t.at("started_after_conversation").at("denominator").to_number<uint64_t>(), 2u);
  EXPECT_EQ(t.at("rom_started").at("denominator").to_number<uint64_t>(), 1u) << "only the fixture's case is a ROM participant";
  EXPECT_EQ(t.at("group_activities").to_number<uint64_t>(), 1u);
  EXPECT_EQ(t.at("targets").at("started_after_conversation").at("met").as_bool(), true);  // ≥ 50 %
  EXPECT_EQ(Get("/v1/indicators?year=2025&unit=globen", "C-1").Json().at("cases_booked").to_number<uint64_t>(), 0u);
  // Periods: the fixture's conversation was held in Q1, (d)'s in Q4.
  auto q1 = Get("/v1/indicators?period=2025-Q1", "C-1").Json();
  EXPECT_EQ(q1.at("conversations_held").at("total").to_number<uint64_t>(), 1u);
  EXPECT_EQ(q1.at("previous_year").at("conversations_held").at("total").to_number<uint64_t>(), 0u);
  EXPECT_EQ(Get("/v1/indicators?period=2025-HT", "C-1").Json().at("conversations_held").at("men").to_number<uint64_t>(), 1u);

  // Bad input and roles.
  EXPECT_EQ(Get("/v1/indicators", "C-1").Str("code"), "invalid_field");
  EXPECT_EQ(Get("/v1/indicators?year=2025&unit=mars", "C-1").Str("field"), "unit");
  EXPECT_EQ(Get("/v1/indicators?period=2025-Q5", "C-1").status, 400);
  for (const char* who : {"A-J1", "V-1", "W-1", "ADM-1"}) EXPECT_EQ(Get("/v1/indicators?year=2025", who).status, 403) << who;
}

TEST_F(IndicatorsE2ETest, StrategicSeesSuppressedAggregatesAndNoPersonalData) {
  std::vector<std::string> bodies;
  auto s = Get("/v1/indicators?year=2025", "G-1");
  ASSERT_EQ(s.status, 200) << s.body;
  bodies.push_back(s.body);
  const auto& v = s.Json();
  // Every count from 1 to 4 is hidden; zeros stay.
  EXPECT_TRUE(v.at("referrals").is_null());
  EXPECT_TRUE(v.at("conversations_held").at("men").is_null());
  EXPECT_TRUE(v.at("conversations_held").at("women").is_null());
  EXPECT_TRUE(v.at("started_after_conversation").at("share").is_null());
  EXPECT_EQ(v.at("previous_year").at("referrals").to_number<uint64_t>(), 0u);
  EXPECT_TRUE(v.at("targets").at("started_after_conversation").at("met").is_null());
  std::vector<std::string> hidden;
  for (const auto& h : v.at("suppressed").as_array()) hidden.emplace_back(h.as_string());
  EXPECT_THAT(hidden, ::testing::IsSupersetOf({"referrals", "cases_booked", "conversations_held.women",
                                               "conversations_held.men", "conversations_held.total",
                                               "started_after_conversation.share", "group_activities"}));
  for (const char* unit : {"jarva", "globen", "city"}) {
    auto u = Get(std::string("/v1/indicators?year=2025&unit=") + unit, "G-1");
    EXPECT_EQ(u.status, 200);
    bodies.push_back(u.body);
  }
  // A published snapshot holds what the group saw, and is listed for a later audit.
  auto snap = Post("/v1/indicators/snapshots", "G-1", {{"year", 2025}});
  ASSERT_EQ(snap.status, 201) << snap.body;
  bodies.push_back(snap.body);
  EXPECT_TRUE(snap.Json().at("report").at("referrals").is_null());
  auto list = Get("/v1/indicators/snapshots", "G-1");
  ASSERT_EQ(list.status, 200);
  bodies.push_back(list.body);
  // The group's own snapshot, beside the worker's period-end ones (J10).
  json::array snaps, scheduled;
  for (const auto& s : list.Json().at("snapshots").as_array()) {
    (s.at("taken_by").as_string() == "G-1" ? snaps : scheduled).push_back(s);
  }
  ASSERT_EQ(snaps.size(), 1u);
  for (const auto& s : scheduled) EXPECT_EQ(s.at("taken_by").as_string(), "worker:snapshots");
  EXPECT_EQ(snaps[0].at("content_hash").as_string(), snap.Json().at("content_hash").as_string());
  EXPECT_EQ(snaps[0].at("definitions").as_string(), "study-cooperation@2025-1");
  EXPECT_EQ(snaps[0].at("workflow_revision").as_string(), "study-referral@2");
  EXPECT_EQ(json::serialize(snaps[0].at("report")), json::serialize(snap.Json().at("report")));
  // Everything else the strategic role may try is refused without data.
  for (const std::string& path : std::vector<std::string>{"/v1/cases", "/v1/cases/" + fixture_case_, "/v1/cases/" + fixture_case_ + "/events",
                                  "/v1/cases/" + fixture_case_ + "/audit"}) {
    auto r = Get(path, "G-1");
    EXPECT_EQ(r.status, 403) << path;
    bodies.push_back(r.body);
  }
  bodies.push_back(Post("/v1/subjects/lookup", "G-1", {{"personal_number", "19121212-1212"}}).body);
  for (const auto& body : bodies) {
    for (const char* personal : {"19121212", "121212", "Tolvan", "Avböjd", "Gruppsson", "example.test", "pärm", "anteckning"}) {
      EXPECT_EQ(body.find(personal), std::string::npos) << personal << " in " << body.substr(0, 200);
    }
  }
}

}  // namespace
}  // namespace casetrail::testing

namespace casetrail::testing {
namespace {

// J10: at each period's end the worker records the suppressed report of every month, quarter,
// tertial, term and year once, for the total and each unit.
TEST_F(IndicatorsE2ETest, PeriodEndSnapshotsAreTakenOnceByTheWorker) {
  auto taken = [&] {
    std::multiset<std::string> out;  // "<period> <unit|all>"
    const auto list = Get("/v1/indicators/snapshots", "C-1");
    for (const auto& s : list.Json().at("snapshots").as_array()) {
      EXPECT_EQ(s.at("taken_by").as_string(), "worker:snapshots");
      EXPECT_FALSE(s.at("report").at("suppress_below").is_null()) << "what the group sees: suppressed";
      out.insert(std::string(s.at("period").as_string()) + " " +
                 (s.at("unit").is_null() ? std::string("all") : std::string(s.at("unit").as_string())));
    }
    return out;
  };
  auto before = taken();  // the fixture's clock stands at 2025-12-19
  for (const char* scope : {"all", "globen", "jarva", "city"}) {
    for (const char* period : {"2025-01", "2025-11", "2025-Q3", "2025-T2", "2025-VT"}) {
      EXPECT_EQ(before.count(std::string(period) + " " + scope), 1u) << period << " " << scope;
    }
    for (const char* period : {"2025-12", "2025-Q4", "2025-T3", "2025-HT", "2025"}) {
      EXPECT_EQ(before.count(std::string(period) + " " + scope), 0u) << period << " has not ended";
    }
  }
  SetClock("2026-01-01T00:00:01+01:00");
  auto after = taken();
  EXPECT_EQ(after.size(), before.size() + 5 * 4) << "December, Q4, T3, HT and the year, for the total and three units";
  EXPECT_EQ(after.count("2025 all"), 1u);
  ASSERT_EQ(server_->Stop(SIGTERM), 0);
  ASSERT_TRUE(server_->Start());
  SetClock("2026-01-01T00:00:01+01:00");
  EXPECT_EQ(taken(), after) << "a restart takes none twice";
}

TEST_F(IndicatorsE2ETest, DecisionAuditSamplesDecisionsAndDeviations) {
  // A refused command at City joins (a)'s declined case in the 2025 decisions.
  auto city = Get("/v1/cases?unit=city", "C-1");
  const std::string d_case(city.Json().at("cases").as_array()[0].at("case_id").as_string());
  EXPECT_EQ(Post("/v1/cases/" + d_case + "/commands", "V-1", {{"command", "RecordNoShow"}}).status, 422);

  auto hidden = Get("/v1/audits/decisions?year=2025", "G-1");
  ASSERT_EQ(hidden.status, 200);
  EXPECT_TRUE(hidden.Json().at("totals").at("cases_closed").is_null()) << "one closed case is a small cell for strategic";
  auto audit = Get("/v1/audits/decisions?year=2025", "C-1");
  ASSERT_EQ(audit.status, 200) << audit.body;
  const auto& a = audit.Json();
  EXPECT_EQ(a.at("totals").at("cases_closed").to_number<uint64_t>(), 1u);
  const auto& closed = a.at("decisions").at("cases_closed").as_array()[0];
  EXPECT_EQ(closed.at("reason").as_string(), "declined");
  EXPECT_EQ(closed.at("unit").as_string(), "globen");
  EXPECT_EQ(closed.at("revision").as_string(), "study-referral@2");
  const auto& refused = a.at("decisions").at("refused_commands").as_array()[0];
  EXPECT_EQ(refused.at("reason").as_string(), "invalid_transition");
  EXPECT_EQ(refused.at("unit").as_string(), "city");
  EXPECT_EQ(Get("/v1/audits/decisions?year=2025&unit=jarva", "C-1").Json().at("totals").as_object().size(), 0u);
  EXPECT_EQ(Get("/v1/audits/decisions?year=2025", "A-J1").status, 403);

  // A seeded sample is reproducible and recorded; only compliance draws one.
  auto s1 = Post("/v1/audits/samples", "C-1", {{"year", 2025}, {"size", 1}, {"seed", 42}});
  ASSERT_EQ(s1.status, 201) << s1.body;
  auto s2 = Post("/v1/audits/samples", "C-1", {{"year", 2025}, {"size", 1}, {"seed", 42}});
  EXPECT_EQ(json::serialize(s1.Json().at("case_ids")), json::serialize(s2.Json().at("case_ids")));
  EXPECT_EQ(s1.Json().at("population").to_number<uint64_t>(), 1u) << "only (a)'s case has a case decision";
  EXPECT_EQ(Post("/v1/audits/samples", "G-1", {{"year", 2025}, {"size", 1}}).status, 403);
  EXPECT_EQ(Post("/v1/audits/samples", "C-1", {{"year", 2025}}).Str("field"), "size");

  // The decision register: a decision adopting revision 2, linked.
  EXPECT_EQ(Post("/v1/decisions", "G-1", {{"body", "strategic_group"}, {"subject", "Revision 2"}, {"decided_by", "Strategiska gruppen"},
                                          {"registry_number", "AF-2025/1"}, {"effective_from", "2025-07-01"},
                                          {"adopts", "study-referral@9"}}).Str("field"), "adopts");
  auto decision = Post("/v1/decisions", "G-1",
                       {{"body", "strategic_group"}, {"subject", "Progress sharing needs its own consent scope"},
                        {"decided_by", "Strategiska gruppen"}, {"presented_by", "Operativa styrgruppen"},
                        {"participants", {"AF Stockholm", "AMF Vux"}}, {"registry_number", "AF-2025/0612"},
                        {"effective_from", "2025-07-01"}, {"adopts", "study-referral@2"}});
  ASSERT_EQ(decision.status, 201) << decision.body;
  EXPECT_EQ(Post("/v1/decisions", "A-J1", {{"body", "other"}, {"subject", "x"}, {"decided_by", "y"},
                                           {"registry_number", "z"}, {"effective_from", "2025-07-01"}}).status, 403);
  auto register_ = Get("/v1/decisions", "C-1").Json().at("decisions").as_array();
  ASSERT_EQ(register_.size(), 2u);
  EXPECT_EQ(register_[0].at("type").as_string(), "DecisionRecorded");
  EXPECT_EQ(register_[1].at("type").as_string(), "WorkflowRevisionAdopted");
  EXPECT_EQ(register_[1].at("registry_number").as_string(), "AF-2025/0612");
  EXPECT_EQ(register_[1].at("effective_on").as_string(), "2025-07-01");

  // The deviation log.
  auto dev = Post("/v1/deviations", "A-J1", {{"kind", "late_booking"}, {"summary", "Bokning dröjde tre veckor"},
                                             {"unit", "jarva"}, {"occurred_on", "2025-10-01"}});
  ASSERT_EQ(dev.status, 201) << dev.body;
  const std::string id = dev.Str("deviation_id");
  EXPECT_EQ(Post("/v1/deviations/" + id + "/handled", "A-J1", {{"action", "x"}, {"handled_on", "2025-10-09"}}).status, 403);
  EXPECT_EQ(Post("/v1/deviations/D-0000000000/handled", "G-1", {{"action", "x"}, {"handled_on", "2025-10-09"}}).status, 404);
  ASSERT_EQ(Post("/v1/deviations/" + id + "/handled", "G-1",
                 {{"action", "Rutin för bokning förtydligad"}, {"handled_on", "2025-10-09"}}).status, 200);
  auto devs = Get("/v1/deviations", "G-1").Json().at("deviations").as_array();
  ASSERT_EQ(devs.size(), 1u);
  EXPECT_EQ(devs[0].at("status").as_string(), "handled");
  EXPECT_EQ(devs[0].at("handling").as_array().size(), 1u);
}

}  // namespace
}  // namespace casetrail::testing

namespace casetrail::testing {
namespace {

// Indicator definitions adopted by a recorded decision (replay/indicator_definitions.h): a new
// year's targets without a rebuild, each answer naming the version it used; bad or repeated
// versions are refused with the decision register unchanged.
class IndicatorDefinitionsE2ETest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.Start()); }
  HttpResponse Post(const std::string& path, const std::string& who, const json::value& body) {
    return Http(server_.port(), "POST", path, TokenOf(who), json::serialize(body));
  }
  HttpResponse Get(const std::string& path, const std::string& who) { return Http(server_.port(), "GET", path, TokenOf(who)); }
  static json::object Definitions(const std::string& version, int activities) {
    return {{"id", "study-cooperation"},
            {"version", version},
            {"indicators", json::array{json::object{{"id", "A1"}, {"key", "group_activities"}, {"label", "Joint group activities"},
                                                    {"target", {{"kind", "at_least"}, {"value", activities}}}},
                                       json::object{{"id", "I1a"}, {"key", "referrals"}, {"label", "Referrals"},
                                                    {"target", {{"kind", "above_previous_year"}, {"baseline_year", 2025},
                                                                {"baseline", 80}}}}}}};
  }
  json::object Decision(const std::string& registry, json::value definitions, const std::string& from = "2026-01-01") {
    return {{"body", "strategic_group"}, {"subject", "Targets 2026"}, {"decided_by", "the strategic group"},
            {"registry_number", registry}, {"effective_from", from}, {"indicator_definitions", std::move(definitions)}};
  }
  size_t Decisions() { return Get("/v1/decisions", "C-1").Json().at("decisions").as_array().size(); }

  TempDir dir_;
  ServerProcess server_{dir_, "2025-12-10T10:00:00+01:00"};
};

TEST_F(IndicatorDefinitionsE2ETest, ANewYearsTargetsApplyFromTheirDateAndEachAnswerNamesItsVersion) {
  auto before = Get("/v1/indicators?year=2026", "C-1").Json().as_object();
  EXPECT_EQ(before.at("definitions"), "study-cooperation@2025-1");
  EXPECT_EQ(before.at("targets").at("group_activities").at("value"), 6);

  ASSERT_EQ(Post("/v1/decisions", "G-1", Decision("SG-2025/12", Definitions("2026-1", 8))).status, 201);
  auto y2026 = Get("/v1/indicators?year=2026", "C-1").Json().as_object();
  EXPECT_EQ(y2026.at("definitions"), "study-cooperation@2026-1");
  EXPECT_EQ(y2026.at("definitions_adopted_by"), "SG-2025/12");
  EXPECT_EQ(y2026.at("definitions_effective_from"), "2026-01-01");
  EXPECT_EQ(y2026.at("targets").at("group_activities").at("value"), 8);
  EXPECT_EQ(y2026.at("targets").at("referrals").at("compared_with"), 80) << "the 2025 baseline";
  // 2025 keeps the version that was in force then.
  auto y2025 = Get("/v1/indicators?year=2025", "G-1").Json().as_object();
  EXPECT_EQ(y2025.at("definitions"), "study-cooperation@2025-1");
  EXPECT_EQ(y2025.at("targets").at("group_activities").at("value"), 6);
  // The adoption survives a restart: it is in the log.
  ASSERT_EQ(server_.Stop(SIGTERM), 0);
  ASSERT_TRUE(server_.Start());
  EXPECT_EQ(Get("/v1/indicators?year=2026", "G-1").Json().at("definitions"), "study-cooperation@2026-1");
}

TEST_F(IndicatorDefinitionsE2ETest, MalformedOrRepeatedVersionsAreRefusedAndNothingIsRecorded) {
  const size_t n = Decisions();
  json::object unknown_key = Definitions("2026-1", 8);
  unknown_key["indicators"].as_array()[0].as_object()["key"] = "happiness";
  json::object no_value = Definitions("2026-1", 8);
  no_value["indicators"].as_array()[0].as_object()["target"].as_object().erase("value");
  for (const json::value& bad : {json::value(unknown_key), json::value(no_value), json::value("2026-1"),
                                 json::value(json::object{{"id", "x"}})}) {
    auto r = Post("/v1/decisions", "G-1", Decision("SG-2025/13", bad));
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.Str("code"), "invalid_field");
  }
  json::object no_date = Decision("SG-2025/14", Definitions("2026-1", 8));
  no_date.erase("effective_from");
  EXPECT_EQ(Post("/v1/decisions", "G-1", no_date).status, 400);
  EXPECT_EQ(Post("/v1/decisions", "V-1", Decision("SG-2025/15", Definitions("2026-1", 8))).status, 403);
  EXPECT_EQ(Decisions(), n);
  ASSERT_EQ(Post("/v1/decisions", "G-1", Decision("SG-2025/16", Definitions("2026-1", 8))).status, 201);
  auto again = Post("/v1/decisions", "G-1", Decision("SG-2025/17", Definitions("2026-1", 9)));
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.Str("code"), "version_exists");
  EXPECT_EQ(Decisions(), n + 2) << "the decision and its adoption, once";
}

}  // namespace
}  // namespace casetrail::testing
