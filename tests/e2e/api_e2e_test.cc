// End-to-end: the real `casetrail serve` on loopback, driven over real HTTP.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "tests/support/fixture_steps.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;

class ApiE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_);
    ASSERT_TRUE(server_->Start());
  }

  HttpResponse Post(const std::string& path, const std::string& who, const json::value& body,
                    std::map<std::string, std::string> headers = {}) {
    return Http(server_->port(), "POST", path, TokenOf(who), json::serialize(body), std::move(headers));
  }
  HttpResponse Get(const std::string& path, const std::string& who) {
    return Http(server_->port(), "GET", path, TokenOf(who));
  }
  void SetClock(const std::string& t) {
    ASSERT_EQ(Post("/v1/admin/clock", "ADM-1", {{"set", t}}).status, 200) << t;
  }
  std::string Subject(const std::string& pnr, const std::string& name = "Tolvan Tolvansson") {
    auto r = Post("/v1/subjects", "A-J1", {{"personal_number", pnr}, {"name", name}, {"gender", "female"},
                                           {"contact", {{"phone", "+46701234567"}, {"email", "t@example.test"}}}});
    EXPECT_TRUE(r.status == 201 || r.status == 200) << r.body;
    return r.Str("subject_id");
  }
  void Consent(const std::string& subject, json::array scopes = {"transfer_referral", "share_guidance", "share_study_progress"}) {
    auto r = Post("/v1/subjects/" + subject + "/consents", "A-J1",
                  {{"scopes", scopes}, {"method", "signed_form"}, {"evidence_ref", "binder-7"}});
    EXPECT_EQ(r.status, 201) << r.body;
  }
  static json::object Referral(const std::string& subject) {
    return {{"subject_id", subject}, {"unit", "jarva"}, {"channel", "space"}, {"long_term_unemployed", true},
            {"lacks_upper_secondary", true}, {"resident_stockholm", true}, {"rom_participant", true},
            {"need_assessed", true}};
  }
  std::string Case(const std::string& subject) {
    auto r = Post("/v1/cases", "A-J1", Referral(subject));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Str("case_id");
  }
  HttpResponse Command(const std::string& c, const std::string& who, const std::string& command, json::object data = {},
                       std::optional<int64_t> expected = std::nullopt, const std::string& effective = "") {
    json::object body{{"command", command}, {"data", std::move(data)}};
    if (expected) body["expected_version"] = *expected;
    if (!effective.empty()) body["effective_at"] = effective;
    return Post("/v1/cases/" + c + "/commands", who, body);
  }
  // A case of a new subject, booked, held with a plan and now studying (pace reports allowed).
  std::string StudyingCase() {
    const std::string s = Subject("19121212-1212");
    Consent(s);
    const std::string c = Case(s);
    EXPECT_EQ(Command(c, "V-1", "BookConversation", {{"slot", "2025-02-01T10:00:00+01:00"}}).status, 200);
    SetClock("2025-02-01T11:00:00+01:00");
    EXPECT_EQ(Command(c, "V-1", "RecordConversationHeld", {{"outcome", "plan"}}).status, 200);
    EXPECT_EQ(Command(c, "V-1", "RecordStudiesStarted", {{"start_date", "2025-02-01"}}).status, 200);
    return c;
  }
  // The case's version from the directory listing: a read that appends nothing.
  int64_t Version(const std::string& c) {
    const json::value listing = Get("/v1/cases?limit=500", "C-1").Json();
    if (!listing.is_object() || !listing.as_object().contains("cases")) return -1;
    for (const auto& x : listing.at("cases").as_array()) {
      if (x.at("case_id").as_string() == c) return x.at("version").as_int64();
    }
    return -1;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ApiE2ETest, FixtureHistoryOverHttp) {
  SetClock("2025-01-13T09:40:00+01:00");
  const std::string s = Subject("19121212-1212");
  Consent(s);
  SetClock("2025-01-13T09:55:00+01:00");
  auto referral = Post("/v1/cases", "A-J1", Referral(s));
  ASSERT_EQ(referral.status, 201) << referral.body;
  EXPECT_EQ(referral.Str("state"), "referred");
  EXPECT_EQ(referral.Str("version"), "1");
  const std::string c = referral.Str("case_id");
  const std::vector<FixtureStep> steps = FixtureSteps();

  for (const auto& st : steps) {
    SetClock(st.at);
    if (!st.publish.empty()) {
      ASSERT_EQ(Post("/v1/lists/progression/publish", "A-J1", {{"unit", "jarva"}, {"quarter", st.publish}}).status, 200);
    }
    auto r = Command(c, st.who, st.command, st.data, std::nullopt, st.effective);
    ASSERT_EQ(r.status, 200) << st.command << ": " << r.body;
    EXPECT_EQ(r.Str("state"), st.state) << st.command;
  }
  // DOMAIN §7 assertion 2, bitemporal: known as of 2025-09-01 → part-time; true on 2025-09-01 as
  // known on 2025-10-08 → full-time (since 2025-08-18).
  auto known = Get("/v1/cases/" + c + "?as_of=2025-09-01", "C-1");
  EXPECT_EQ(known.Str("state"), "studying");
  EXPECT_EQ(known.Str("pace"), "part_time");
  auto valid = Get("/v1/cases/" + c + "?valid_at=2025-09-01&as_of=2025-10-08", "C-1");
  EXPECT_EQ(valid.Str("pace"), "full_time") << valid.body;
  EXPECT_EQ(Get("/v1/cases/" + c + "?version=1", "C-1").Str("state"), "referred");
  // The events route takes the same bounds: what was recorded by the end of 2025-09-01
  // (Stockholm), what was in effect then, the first two versions.
  const auto all = Get("/v1/cases/" + c + "/events", "C-1");
  auto count = [&](const char* key, const char* bound) {
    size_t n = 0;
    for (const auto& e : all.Json().at("events").as_array()) n += e.at(key).as_string() < bound;
    return n;
  };
  const auto recorded = Get("/v1/cases/" + c + "/events?as_of=2025-09-01", "C-1");
  ASSERT_EQ(recorded.status, 200) << recorded.body;
  EXPECT_EQ(recorded.Json().at("events").as_array().size(), count("recorded_at", "2025-09-01T22:00:00"));
  const auto effective = Get("/v1/cases/" + c + "/events?valid_at=2025-09-01", "C-1");
  EXPECT_EQ(effective.Json().at("events").as_array().size(), count("effective_at", "2025-09-01T22:00:00"));
  EXPECT_LT(count("recorded_at", "2025-09-01T22:00:00"), count("effective_at", "2025-09-01T22:00:00"))
      << "the pace change effective 2025-08-18 was recorded later: the two bounds differ";
  EXPECT_EQ(Get("/v1/cases/" + c + "/events?version=2", "C-1").Json().at("events").as_array().size(), 2u);
  EXPECT_EQ(Get("/v1/cases/" + c + "/events?as_of=yesterday", "C-1").Str("field"), "as_of");

  // DOMAIN §7 assertion 6, second part: with only share_study_progress withdrawn, an AF read shows
  // F13–F18's data and the pace redacted and is logged as redacted; compliance still sees all.
  SetClock("2026-01-19T09:00:00+01:00");
  ASSERT_EQ(Post("/v1/subjects/" + s + "/consents/withdraw", "A-J1", {{"scopes", {"share_study_progress"}}}).status, 200);
  const auto reads_before = Get("/v1/cases/" + c + "/audit", "C-1").Json().at("reads").as_array().size();
  auto af = Get("/v1/cases/" + c + "/events", "A-J1");
  ASSERT_EQ(af.status, 200);
  int redacted = 0;
  for (const auto& e : af.Json().at("events").as_array()) {
    const std::string type(e.at("type").as_string());
    const bool progress = type == "StudiesStarted" || type == "StudyPaceChanged" || type == "StudiesInterrupted";
    EXPECT_EQ(e.at("data").as_object().contains("redacted"), progress) << type;
    redacted += progress;
  }
  EXPECT_EQ(redacted, 3);
  EXPECT_TRUE(Get("/v1/cases/" + c, "A-J1").Json().at("pace").at("redacted").as_bool());
  auto full = Get("/v1/cases/" + c + "/events", "C-1");
  EXPECT_EQ(full.body.find("\"redacted\""), std::string::npos) << "compliance sees everything";
  auto replayed = Get("/v1/cases/" + c + "?as_of=2025-09-01", "C-1");
  EXPECT_EQ(replayed.Str("pace"), "part_time") << replayed.body;
  auto reads = Get("/v1/cases/" + c + "/audit", "C-1").Json().at("reads").as_array();
  // The first audit, A-J1's events and case, C-1's events and case: every read is recorded.
  ASSERT_EQ(reads.size(), reads_before + 5);
  EXPECT_EQ(reads[reads_before].at("purpose").as_string(), "compliance_review");
  EXPECT_EQ(reads[reads_before + 1].at("actor").as_string(), "A-J1");
  EXPECT_EQ(reads[reads_before + 1].at("outcome").as_string(), "redacted");
  EXPECT_EQ(reads[reads_before + 2].at("outcome").as_string(), "redacted") << "the pace was withheld";
  EXPECT_EQ(reads[reads_before + 3].at("actor").as_string(), "C-1");
  EXPECT_EQ(reads[reads_before + 3].at("outcome").as_string(), "granted");
  EXPECT_EQ(reads[reads_before + 4].at("actor").as_string(), "C-1");
  EXPECT_EQ(reads[reads_before + 4].at("outcome").as_string(), "granted");

  SetClock("2026-01-20T09:30:00+01:00");
  ASSERT_EQ(Post("/v1/subjects/" + s + "/consents/withdraw", "A-J1", {{"scopes", "all"}}).status, 200);
  auto closed = Get("/v1/cases/" + c, "C-1");
  EXPECT_EQ(closed.Str("state"), "closed");
  EXPECT_EQ(closed.Str("closed_reason"), "consent_withdrawn");
  EXPECT_EQ(closed.Json().at("subject").at("name").as_string(), "Tolvan Tolvansson");
  auto events = Get("/v1/cases/" + c + "/events", "C-1").Json().at("events").as_array();
  EXPECT_EQ(events.size(), 12u);
  EXPECT_EQ(events.back().at("type").as_string(), "CaseClosed");
  auto late = Command(c, "V-2", "RecordStudyPace", {{"pace", "part_time"}});
  EXPECT_EQ(late.status, 422);
  EXPECT_EQ(late.Str("code"), "consent_missing");
}

TEST_F(ApiE2ETest, EveryErrorCodeAnswersAndChangesNothing) {
  const std::string s = Subject("19121212-1212");
  Consent(s, {"transfer_referral", "share_guidance"});
  const std::string c = Case(s);
  const int64_t v = Version(c);
  auto expect = [&](const HttpResponse& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.content_type, "application/problem+json") << code;
    EXPECT_EQ(r.Str("code"), code) << r.body;
    EXPECT_EQ(r.Str("status"), std::to_string(status));
    EXPECT_FALSE(r.Str("title").empty());
    EXPECT_EQ(r.body.find("19121212"), std::string::npos) << "problem repeats input";
  };
  const std::string cmd_path = "/v1/cases/" + c + "/commands";
  const std::string book = R"({"command":"BookConversation","data":{"slot":"2025-02-01T10:00:00+01:00"}})";
  // 401
  expect(Http(server_->port(), "GET", "/v1/cases/" + c), 401, "unauthenticated");
  expect(Http(server_->port(), "GET", "/v1/cases/" + c, "wrong-token-0000000000"), 401, "unauthenticated");
  // 404, 405, 415, 413
  expect(Get("/v1/nothing-here", "V-1"), 404, "not_found");
  expect(Get("/v1/cases/C-000000000000", "V-1"), 404, "not_found");
  expect(Get("/v1/cases/" + c, "A-G1"), 404, "not_found");  // a case of another unit
  expect(Http(server_->port(), "DELETE", "/v1/cases/" + c, TokenOf("V-1")), 405, "method_not_allowed");
  expect(Http(server_->port(), "POST", cmd_path, TokenOf("V-1"), book, {{"Content-Type", "text/plain"}}), 415,
         "unsupported_media_type");
  expect(Http(server_->port(), "POST", cmd_path, TokenOf("V-1"), std::string(1200000, ' ')), 413, "payload_too_large");
  // 400
  expect(Http(server_->port(), "POST", cmd_path, TokenOf("V-1"), "{\"command\":"), 400, "malformed_json");
  expect(Http(server_->port(), "POST", cmd_path, TokenOf("V-1"), "[1,2]"), 400, "malformed_json");
  auto unknown_field = Command(c, "V-1", "BookConversation", {{"slot", "2025-02-01T10:00:00+01:00"}, {"colour", "red"}});
  expect(unknown_field, 400, "invalid_field");
  EXPECT_EQ(unknown_field.Json().at("unknown_fields"), 1);  // counted, never named (issue 17)
  EXPECT_EQ(unknown_field.body.find("colour"), std::string::npos);
  auto wrong_type = Command(c, "V-1", "BookConversation", {{"slot", 17}});
  expect(wrong_type, 400, "invalid_field");
  EXPECT_EQ(wrong_type.Str("field"), "slot");
  expect(Post(cmd_path, "V-1", {{"command", "BookConversation"}, {"expected_version", "one"}}), 400, "invalid_field");
  // 422 invalid personal number (checked before the role)
  expect(Post("/v1/subjects", "G-1", {{"personal_number", "19121212-1213"}, {"name", "X"}}), 422, "invalid_personal_number");
  // 403
  expect(Post("/v1/subjects", "G-1", {{"personal_number", "19800101-0001"}, {"name", "X"}}), 403, "forbidden");
  expect(Command(c, "A-J1", "BookConversation", {{"slot", "2025-02-01T10:00:00+01:00"}}), 403, "forbidden");
  expect(Get("/v1/cases/" + c, "G-1"), 403, "forbidden");
  // 422 unknown command: recorded without the client's text
  expect(Command(c, "V-1", "Tolvan19121212"), 422, "unknown_command");
  const auto refused = Get("/v1/cases/" + c + "/audit", "C-1").Json().at("refused_commands").as_array();
  ASSERT_FALSE(refused.empty());
  EXPECT_EQ(refused.back().at("facts").at("command").as_string(), "<unknown>");
  // 400 a purpose that is not a code (it would be stored in clear)
  auto purpose = Http(server_->port(), "GET", "/v1/cases/" + c, TokenOf("C-1"), "", {{"X-Purpose", "Tolvan asked"}});
  expect(purpose, 400, "invalid_field");
  EXPECT_EQ(purpose.Str("field"), "X-Purpose");
  // 422 idempotency key reused
  auto first = Http(server_->port(), "POST", cmd_path, TokenOf("V-1"), book, {{"Idempotency-Key", "k-1"}});
  ASSERT_EQ(first.status, 200) << first.body;
  auto repeat = Http(server_->port(), "POST", cmd_path, TokenOf("V-1"), book, {{"Idempotency-Key", "k-1"}});
  EXPECT_EQ(repeat.status, 200);
  EXPECT_EQ(repeat.body, first.body) << "a repeat returns the first response";
  const int64_t booked = Version(c);
  EXPECT_EQ(booked, v + 1);
  expect(Http(server_->port(), "POST", cmd_path, TokenOf("V-1"),
              R"({"command":"BookConversation","data":{"slot":"2025-03-01T10:00:00+01:00"}})", {{"Idempotency-Key", "k-1"}}),
         422, "idempotency_key_reused");
  // 409 version conflict and case open
  auto stale = Command(c, "V-1", "RescheduleConversation", {{"slot", "2025-02-02T10:00:00+01:00"}}, 1);
  expect(stale, 409, "version_conflict");
  EXPECT_EQ(stale.Json().at("current_version").as_int64(), booked);
  auto open = Post("/v1/cases", "A-J1", Referral(s));
  expect(open, 409, "case_open");
  EXPECT_EQ(open.Str("case_id"), c);
  // 422 consent, transition, guard
  auto no_consent = Command(c, "V-1", "RecordConversationHeld", {{"outcome", "plan"}});
  ASSERT_EQ(no_consent.status, 200);  // held with a plan: now planned
  const std::string other = Subject("19800101-0001", "Test Testsson");
  Consent(other, {"transfer_referral"});
  auto missing = Post("/v1/cases", "A-J1", Referral(other));
  expect(missing, 422, "consent_missing");
  EXPECT_EQ(missing.Str("scope"), "share_guidance");
  auto transition = Command(c, "V-1", "RecordNoShow");
  expect(transition, 422, "invalid_transition");
  EXPECT_EQ(transition.Str("current_state"), "planned");
  EXPECT_TRUE(transition.Json().at("allowed_commands").is_array());
  auto guard = Command(c, "V-1", "RecordStudyPace", {{"pace", "full_time"}, {"list", "progression:city:2025-Q1"}});
  expect(guard, 422, "invalid_transition");  // planned: not studying yet
  json::object bad_target = Referral(other);
  bad_target["resident_stockholm"] = false;
  Consent(other, {"share_guidance"});
  auto g = Post("/v1/cases", "A-J1", bad_target);
  expect(g, 422, "guard_failed");
  EXPECT_EQ(g.Str("guard"), "G-TARGET");
  // Nothing above changed the case beyond the two accepted commands.
  EXPECT_EQ(Version(c), booked + 2);
  auto listing = Get("/v1/cases?limit=500", "C-1").Json().at("cases").as_array();
  EXPECT_EQ(listing.size(), 1u) << "no refused referral created a case";
}

TEST_F(ApiE2ETest, SixteenClientsRaceOnOneCase) {
  const std::string c = StudyingCase();
  constexpr int kClients = 16, kTarget = 60;
  std::atomic<int> wins{0}, conflicts{0};
  std::mutex mu;
  std::map<int64_t, std::string> winner;
  std::vector<std::thread> clients;
  for (int t = 0; t < kClients; ++t) {
    clients.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const int64_t v = Version(c);
        if (v >= kTarget) return;
        const std::string key = "race-" + std::to_string(t) + "-" + std::to_string(i);
        json::object body{{"command", "RecordStudyPace"}, {"expected_version", v},
                          {"data", {{"pace", t % 2 ? "full_time" : "part_time"}}}};
        auto r = Http(server_->port(), "POST", "/v1/cases/" + c + "/commands", TokenOf("V-1"), json::serialize(body),
                      {{"Idempotency-Key", key}});
        if (r.status == 200) {
          wins++;
          std::lock_guard lock(mu);
          EXPECT_FALSE(winner.count(v + 1)) << "version " << v + 1 << " won twice";
          winner[v + 1] = key;
          // An idempotent retry returns the same answer and appends nothing.
          auto again = Http(server_->port(), "POST", "/v1/cases/" + c + "/commands", TokenOf("V-1"),
                            json::serialize(body), {{"Idempotency-Key", key}});
          EXPECT_EQ(again.body, r.body);
        } else {
          EXPECT_EQ(r.status, 409) << r.body;
          conflicts++;
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  const int64_t final_version = Version(c);
  EXPECT_EQ(final_version, 5 + wins.load()) << "every win is one event, nothing lost or duplicated";
  EXPECT_GE(final_version, kTarget);
  EXPECT_GT(conflicts.load(), 0) << "16 clients should have collided";
  auto events = Get("/v1/cases/" + c + "/events", "C-1").Json().at("events").as_array();
  EXPECT_EQ(static_cast<int64_t>(events.size()), final_version);
}

TEST_F(ApiE2ETest, SigkillLosesNoAcknowledgedCommand) {
  const std::string c = StudyingCase();
  std::atomic<int64_t> acknowledged{0};
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    while (!stop) {
      try {
        auto r = Command(c, "V-1", "RecordStudyPace", {{"pace", "full_time"}});
        if (r.status != 200) return;  // the server is gone
        acknowledged = std::stoll(r.Str("version"));
      } catch (const std::exception&) {
        return;  // the kill landed between requests: the next connect is refused
      }
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  int status = server_->Stop(SIGKILL);
  stop = true;
  writer.join();
  EXPECT_TRUE(WIFSIGNALED(status));
  ASSERT_GT(acknowledged.load(), 5);
  ASSERT_TRUE(server_->Start());
  EXPECT_GE(Version(c), acknowledged.load()) << "an acknowledged command was lost";
  auto verify = Get("/v1/verify", "C-1");
  EXPECT_EQ(verify.Str("ok"), "true") << verify.body;
}

TEST_F(ApiE2ETest, SigtermDrainsAndExitsZero) {
  const std::string s = Subject("19121212-1212");
  int status = server_->Stop(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  ASSERT_TRUE(server_->Start());
  auto cp = Get("/v1/checkpoints/latest", "C-1");
  EXPECT_EQ(cp.status, 200);
  EXPECT_EQ(cp.Str("signature").size(), 128u);
  EXPECT_EQ(Post("/v1/subjects/lookup", "C-1", {{"personal_number", "191212121212"}}).Str("subject_id"), s);
}

TEST_F(ApiE2ETest, HealthMetricsWorkflowsAndOpenApi) {
  auto health = Http(server_->port(), "GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.Str("status"), "ok");
  Subject("19121212-1212");
  auto metrics = Http(server_->port(), "GET", "/metrics");
  EXPECT_NE(metrics.body.find("casetrail_log_appends_total"), std::string::npos);
  EXPECT_NE(metrics.body.find("route=\"/v1/subjects\",status=\"201\""), std::string::npos) << metrics.body;
  EXPECT_EQ(metrics.body.find("19121212"), std::string::npos);
  EXPECT_NE(metrics.body.find("casetrail_log_append_duration_seconds_count "), std::string::npos);
  EXPECT_EQ(metrics.body.find("casetrail_log_append_duration_seconds_count 0\n"), std::string::npos) << "appends were timed";
  EXPECT_NE(metrics.body.find("casetrail_log_group_commit_size_bucket{le=\"1\"}"), std::string::npos);
  EXPECT_NE(metrics.body.find("casetrail_projection_lag_events"), std::string::npos);
  // An arbitrary path does not become a series of its own.
  Http(server_->port(), "GET", "/v1/some-random-thing-0001", TokenOf("C-1"));
  auto after = Http(server_->port(), "GET", "/metrics");
  EXPECT_EQ(after.body.find("some-random-thing"), std::string::npos);
  EXPECT_NE(after.body.find("route=\"other\""), std::string::npos);
  auto wf = Get("/v1/workflows", "V-1").Json();
  EXPECT_EQ(wf.at("workflows").as_array().size(), 3u);
  auto openapi = Get("/v1/openapi.json", "V-1");
  EXPECT_EQ(openapi.status, 200);
  EXPECT_TRUE(openapi.Json().is_object());
  // Who am I: each token's own id, role and unit; no token is 401.
  auto officer = Get("/v1/me", "A-J1");
  ASSERT_EQ(officer.status, 200) << officer.body;
  EXPECT_EQ(officer.Str("id"), "A-J1");
  EXPECT_EQ(officer.Str("role"), "af_officer");
  EXPECT_EQ(officer.Str("unit"), "jarva");
  auto compliance = Get("/v1/me", "C-1");
  EXPECT_EQ(compliance.Str("role"), "compliance");
  EXPECT_TRUE(compliance.Json().at("unit").is_null());
  EXPECT_EQ(Http(server_->port(), "GET", "/v1/me").status, 401);
}

}  // namespace
}  // namespace casetrail::testing

namespace casetrail::testing {
namespace {

// Every operation the served OpenAPI document lists is routed by the server (no "no such route",
// no 405), so the document and the router cannot drift apart unnoticed.
TEST_F(ApiE2ETest, EveryDocumentedOperationIsRouted) {
  auto doc = Get("/v1/openapi.json", "C-1");
  ASSERT_EQ(doc.status, 200);
  const auto& paths = doc.Json().at("paths").as_object();
  int checked = 0;
  for (const auto& [path, item] : paths) {
    for (const auto& [method, op] : item.as_object()) {
      if (method == "parameters") continue;
      std::string target = "/" == std::string(path).substr(0, 1) ? std::string(path) : "/" + std::string(path);
      for (size_t at; (at = target.find('{')) != std::string::npos;) {
        target.replace(at, target.find('}', at) - at + 1, "X-000000000000");
      }
      std::string verb(method);
      for (auto& ch : verb) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      auto r = Http(server_->port(), verb, target, TokenOf("C-1"), verb == "POST" ? "{}" : "");
      EXPECT_NE(r.status, 405) << verb << " " << target;
      EXPECT_NE(r.Str("detail"), "no such route") << verb << " " << target;
      ++checked;
    }
  }
  EXPECT_GE(checked, 20);
}

}  // namespace
}  // namespace casetrail::testing
