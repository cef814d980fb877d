// Issue 17, over the real server: lookups by personal identity number are traced (actor,
// purpose, outcome, the number only as a keyed hash) and shown in the person's register extract;
// lookups per user and failed sign-ins per address are rate limited (429, Retry-After, counted in
// /metrics); CorrectEvent only by the corrected event's author or a role that may `correct_any`,
// and only for an event of that case; consent granted and withdrawn by a unit-bound officer only
// for their own unit's clients. Every refusal leaves the case and the consent as they were.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/referral_over_http.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kNumber = "19121212-1212";
constexpr const char* kCanonical = "191212121212";
constexpr const char* kUnknown = "19860402-5018";  // valid, registered to nobody

class AuthE2ETest : public ::testing::Test {
 protected:
  bool Start(std::vector<std::string> args = {}) {
    server_.SetExtraArgs(std::move(args));
    return server_.Start();
  }
  HttpResponse Post(const std::string& path, const std::string& who, const json::value& body,
                    std::map<std::string, std::string> headers = {}) {
    return Http(server_.port(), "POST", path, TokenOf(who), json::serialize(body), headers);
  }
  HttpResponse Get(const std::string& path, const std::string& who) {
    return Http(server_.port(), "GET", path, TokenOf(who));
  }
  HttpResponse Lookup(const std::string& who, const std::string& number) {
    return Post("/v1/subjects/lookup", who, {{"personal_number", number}});
  }
  int64_t Head() { return Get("/v1/verify", "C-1").Json().at("head").at("position").as_int64(); }
  std::string Metrics() { return Http(server_.port(), "GET", "/metrics", "").body; }
  HttpResponse Correct(const std::string& who, const std::string& case_id, int64_t position) {
    return Post("/v1/cases/" + case_id + "/commands", who,
                {{"command", "CorrectEvent"}, {"data", {{"corrects", position}, {"fields", {"rom_participant"}}}}});
  }
  int64_t CaseVersion(const std::string& case_id) { return Get("/v1/cases/" + case_id, "C-1").Json().at("version").as_int64(); }
  size_t Consents(const std::string& subject) {
    return Get("/v1/subjects/" + subject + "/extract", "C-1").Json().at("consents").as_array().size();
  }

  TempDir dir_;
  ServerProcess server_{dir_};
};

TEST_F(AuthE2ETest, LookupsAndRegistrationsOfAKnownPersonAreTracedInTheExtract) {
  ASSERT_TRUE(Start());
  const ReferredCase rc = ReferOverHttp(server_.port(), kNumber, "Tolvan Tolvansson");

  // A registration that names a known person answers 200 with the id: it is a lookup too.
  ASSERT_EQ(Post("/v1/subjects", "A-J2", {{"personal_number", kNumber}, {"name", "Tolvan"}}).status, 200);
  auto found = Post("/v1/subjects/lookup", "V-1", {{"personal_number", kCanonical}}, {{"X-Purpose", "guidance_booking"}});
  ASSERT_EQ(found.status, 200) << found.body;
  ASSERT_EQ(Lookup("A-G1", kNumber).status, 200);  // the role's default purpose

  // A lookup that finds nobody is written too (on the searcher's own stream).
  const int64_t before = Head();
  ASSERT_EQ(Lookup("A-J1", kUnknown).status, 404);
  EXPECT_EQ(Head(), before + 1);

  auto extract = Get("/v1/subjects/" + rc.subject_id + "/extract", "C-1");
  ASSERT_EQ(extract.status, 200) << extract.body;
  const auto& lookups = extract.Json().at("lookups").as_array();
  ASSERT_EQ(lookups.size(), 3u) << extract.body;
  EXPECT_EQ(lookups[0].at("actor"), "A-J2");
  EXPECT_EQ(lookups[0].at("outcome"), "existing");
  EXPECT_EQ(lookups[0].at("via"), "registration");
  EXPECT_EQ(lookups[0].at("purpose"), "case_handling");
  EXPECT_EQ(lookups[1].at("actor"), "V-1");
  EXPECT_EQ(lookups[1].at("outcome"), "found");
  EXPECT_EQ(lookups[1].at("purpose"), "guidance_booking");
  EXPECT_EQ(lookups[2].at("actor"), "A-G1");
  for (const auto& l : lookups) {
    EXPECT_THAT(json::serialize(l), Not(HasSubstr(kCanonical)));
    EXPECT_THAT(json::serialize(l), Not(HasSubstr("121212")));
  }
  // The read records stay what they were: lookups are listed on their own.
  for (const auto& r : extract.Json().at("reads").as_array()) EXPECT_NE(r.at("purpose"), "guidance_booking");
}

TEST_F(AuthE2ETest, LookupsPerUserAreLimitedAndCounted) {
  ASSERT_TRUE(Start({"--lookups-per-minute", "3"}));
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Lookup("A-J1", kUnknown).status, 404);
  const int64_t before = Head();
  auto limited = Lookup("A-J1", kUnknown);
  ASSERT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(limited.content_type, "application/problem+json");
  EXPECT_EQ(limited.Str("code"), "rate_limited");
  ASSERT_TRUE(limited.headers.count("Retry-After"));
  EXPECT_GE(std::stoi(limited.headers.at("Retry-After")), 1);
  EXPECT_LE(std::stoi(limited.headers.at("Retry-After")), 60);
  EXPECT_THAT(limited.body, Not(HasSubstr("19860402")));
  EXPECT_EQ(Head(), before);  // refused before the lookup: nothing looked up, nothing written
  // The budget is the user's own: another officer still looks up.
  EXPECT_EQ(Lookup("A-J2", kUnknown).status, 404);
  EXPECT_THAT(Metrics(), HasSubstr("casetrail_http_rate_limited_total{limit=\"lookups\"} 1\n"));
}

TEST_F(AuthE2ETest, FailedSignInsPerAddressAreLockedOutWithABackOffThatDoubles) {
  ASSERT_TRUE(Start({"--sign-in-failures-per-minute", "3"}));
  EXPECT_EQ(Http(server_.port(), "GET", "/v1/me", "wrong-token-1").status, 401);
  EXPECT_EQ(Http(server_.port(), "GET", "/v1/me", "").status, 401);  // no token counts too
  EXPECT_EQ(Http(server_.port(), "GET", "/v1/me", "wrong-token-3").status, 401);
  // Locked out: even a right token is refused until the back-off ends.
  auto limited = Get("/v1/me", "A-J1");
  ASSERT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(limited.Str("code"), "rate_limited");
  ASSERT_TRUE(limited.headers.count("Retry-After"));
  EXPECT_EQ(limited.headers.at("Retry-After"), "1");
  EXPECT_THAT(limited.body, Not(HasSubstr("wrong-token")));
  std::string metrics = Metrics();
  EXPECT_THAT(metrics, HasSubstr("casetrail_auth_failed_total 3\n"));
  EXPECT_THAT(metrics, HasSubstr("casetrail_http_rate_limited_total{limit=\"sign_in\"} 1\n"));

  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(Get("/v1/me", "A-J1").status, 200);
  // A second lock-out lasts twice as long.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Http(server_.port(), "GET", "/v1/cases", "wrong-token").status, 401);
  limited = Get("/v1/me", "A-J1");
  ASSERT_EQ(limited.status, 429);
  EXPECT_EQ(limited.headers.at("Retry-After"), "2");
}

TEST_F(AuthE2ETest, CorrectEventOnlyByTheAuthorOrCorrectAnyAndOnlyForAnEventOfTheCase) {
  ASSERT_TRUE(Start());
  const ReferredCase rc = ReferOverHttp(server_.port(), kNumber, "Tolvan Tolvansson");
  const ReferredCase other = ReferOverHttp(server_.port(), kUnknown, "Annan Person");
  auto events = Get("/v1/cases/" + rc.case_id + "/events", "A-J1");
  ASSERT_EQ(events.status, 200) << events.body;
  const auto& first = events.Json().at("events").as_array().at(0);
  ASSERT_EQ(first.at("actor").at("id"), "A-J1");
  const int64_t referral = first.at("position").as_int64();
  const int64_t elsewhere =
      Get("/v1/cases/" + other.case_id + "/events", "A-J1").Json().at("events").as_array().at(0).at("position").as_int64();
  const int64_t version = CaseVersion(rc.case_id);

  // Not the author, and a role without correct_any: forbidden, whatever the unit or party.
  auto r = Correct("A-J2", rc.case_id, referral);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(r.Str("code"), "forbidden");
  EXPECT_EQ(Correct("V-1", rc.case_id, referral).status, 403);
  // A position that is not an event of this case: another case's event, or no case's.
  for (int64_t position : {elsewhere, int64_t{1}, int64_t{1} << 40}) {
    r = Correct("A-J1", rc.case_id, position);
    EXPECT_EQ(r.status, 422) << position << " " << r.body;
    EXPECT_EQ(r.Str("code"), "event_not_in_case");
    EXPECT_EQ(r.Str("field"), "corrects");
  }
  EXPECT_EQ(CaseVersion(rc.case_id), version);  // nothing written

  EXPECT_EQ(Correct("A-J1", rc.case_id, referral).status, 200);  // the author
  EXPECT_EQ(Correct("C-1", rc.case_id, referral).status, 200);   // compliance may correct_any
  EXPECT_EQ(CaseVersion(rc.case_id), version + 2);
}

TEST_F(AuthE2ETest, AUnitBoundOfficerRecordsConsentOnlyForTheirOwnUnitsClients) {
  ASSERT_TRUE(Start());
  const ReferredCase rc = ReferOverHttp(server_.port(), kNumber, "Tolvan Tolvansson");  // Järva's case
  const std::string consent = "/v1/subjects/" + rc.subject_id + "/consents";
  const size_t consents = Consents(rc.subject_id);

  // Globen's officer: neither grant nor withdraw for Järva's client; the case stays open.
  auto r = Post(consent, "A-G1", {{"scopes", {"share_guidance"}}, {"method", "signed_form"}});
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(r.Str("code"), "forbidden");
  r = Post(consent + "/withdraw", "A-G1", {{"scopes", "all"}});
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(Get("/v1/cases/" + rc.case_id, "C-1").Str("state"), "referred");
  EXPECT_EQ(Consents(rc.subject_id), consents);

  // Järva's officers may; so may the study counsellor, who is bound to no unit.
  EXPECT_EQ(Post(consent + "/withdraw", "A-J2", {{"scopes", {"share_guidance"}}}).status, 200);
  EXPECT_EQ(Post(consent, "V-1", {{"scopes", {"share_guidance"}}, {"method", "verbal"}}).status, 201);
  EXPECT_EQ(Post(consent + "/withdraw", "V-1", {{"scopes", {"share_study_progress"}}}).status, 200);

  // A person with no open case: any unit may grant (a new client), none may withdraw.
  auto s = Post("/v1/subjects", "A-G1", {{"personal_number", kUnknown}, {"name", "Ny Klient"}});
  ASSERT_EQ(s.status, 201);
  const std::string fresh = "/v1/subjects/" + s.Str("subject_id") + "/consents";
  EXPECT_EQ(Post(fresh, "A-J1", {{"scopes", {"transfer_referral"}}, {"method", "signed_form"}}).status, 201);
  EXPECT_EQ(Post(fresh + "/withdraw", "A-J1", {{"scopes", "all"}}).status, 403);
  EXPECT_EQ(Post(fresh + "/withdraw", "V-1", {{"scopes", "all"}}).status, 200);
}

// Issue 17: compliance withdraws consent only as the person's own request, and the event says so;
// it could not withdraw at all before (its role lacked record_consent).
TEST_F(AuthE2ETest, ComplianceWithdrawsConsentOnlyOnThePersonsOwnRequest) {
  ASSERT_TRUE(Start());
  const ReferredCase rc = ReferOverHttp(server_.port(), kNumber, "Tolvan Tolvansson");
  const std::string withdraw = "/v1/subjects/" + rc.subject_id + "/consents/withdraw";
  const size_t consents = Consents(rc.subject_id);
  auto r = Post(withdraw, "C-1", {{"scopes", "all"}});
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(r.Str("code"), "forbidden");
  r = Post(withdraw, "C-1", {{"scopes", "all"}, {"on_request", "yes"}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(Consents(rc.subject_id), consents);
  EXPECT_EQ(Get("/v1/cases/" + rc.case_id, "C-1").Str("state"), "referred");

  r = Post(withdraw, "C-1", {{"scopes", "all"}, {"on_request", true}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Get("/v1/cases/" + rc.case_id, "C-1").Str("state"), "closed") << "transfer_referral withdrawn";
  const auto extract = Get("/v1/subjects/" + rc.subject_id + "/extract", "C-1").Json();
  const auto& last = extract.at("consents").as_array().back().as_object();
  EXPECT_EQ(last.at("type").as_string(), "ConsentWithdrawn");
  EXPECT_THAT(json::serialize(last), HasSubstr("\"on_request\":true"));
}

}  // namespace
}  // namespace casetrail::testing
