// Issue 17, sign-in through the organisation's identity provider, over the real server and a real
// OIDC provider (npm oidc-provider, tests/oidc/provider.mjs) on loopback: access tokens (RS256 and
// ES256) are validated against the issuer's discovery document and JWKS and mapped to an actor
// whose acr and amr every event records; a token of another issuer, an expired one, one for
// another audience and one signed with a key the issuer does not publish are 401 and write
// nothing; rotated keys are picked up, and unknown key ids cause few JWKS fetches. Static tokens
// of the users file keep working beside OIDC.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/oidc_provider.h"
#include "tests/support/referral_over_http.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kAudience = "urn:casetrail:api";

class OidcE2ETest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(provider_.Start({"--keys", dir_.path() + "/keys-a.json"})); }

  bool StartServer(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--oidc-issuer", provider_.issuer(), "--oidc-audience", kAudience,
                                     "--oidc-mapping", std::string(OIDC_TEST_DIR) + "/mapping.json", "--oidc-leeway", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    server_.SetExtraArgs(args);
    return server_.Start();
  }
  HttpResponse Call(const std::string& method, const std::string& path, const std::string& token,
                    const json::value& body = nullptr) {
    return Http(server_.port(), method, path, token, body.is_null() ? "" : json::serialize(body));
  }
  int64_t Head() { return Call("GET", "/v1/verify", TokenOf("C-1")).Json().at("head").at("position").as_int64(); }
  int JwksRequests() {
    return static_cast<int>(Http(provider_.port(), "GET", "/test/stats").Json().at("jwks").as_int64());
  }
  // A write that must be refused with 401 problem+json, leaving the log as it was.
  void ExpectRefused(const std::string& token, const std::string& why) {
    ASSERT_FALSE(token.empty()) << why << ": no token from the provider";
    const int64_t before = Head();
    auto r = Call("POST", "/v1/subjects", token, {{"personal_number", "19121212-1212"}, {"name", "Tolvan"}});
    EXPECT_EQ(r.status, 401) << why << ": " << r.body;
    EXPECT_EQ(r.content_type, "application/problem+json") << why;
    EXPECT_EQ(r.Str("code"), "unauthenticated") << why;
    EXPECT_THAT(r.body, Not(HasSubstr(token.substr(0, 20)))) << why;
    EXPECT_EQ(Head(), before) << why << ": something was written";
  }

  TempDir dir_;
  OidcProvider provider_;
  ServerProcess server_{dir_};
};

TEST_F(OidcE2ETest, AccessTokensWorkAndEveryEventRecordsTheProvidersAcr) {
  ASSERT_TRUE(StartServer());
  const std::string af = OidcAccessToken(provider_.issuer(), "af-jarva");  // RS256
  const std::string syv = OidcAccessToken(provider_.issuer(), "syv-1", "casetrail-cli-es256");
  ASSERT_FALSE(af.empty());
  ASSERT_FALSE(syv.empty());

  auto me = Call("GET", "/v1/me", af);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.Str("id"), "oidc:af-jarva");
  EXPECT_EQ(me.Str("role"), "af_officer");
  EXPECT_EQ(me.Str("unit"), "jarva");
  auto syv_me = Call("GET", "/v1/me", syv);
  ASSERT_EQ(syv_me.status, 200) << syv_me.body;
  EXPECT_EQ(syv_me.Str("role"), "syv");

  const ReferredCase rc = ReferOverHttp(server_.port(), "19121212-1212", "Tolvan Tolvansson", af);
  ASSERT_FALSE(rc.case_id.empty());
  auto booked = Call("POST", "/v1/cases/" + rc.case_id + "/commands", syv,
                     {{"command", "BookConversation"}, {"data", {{"slot", "2025-02-01T10:00:00+01:00"}}}});
  ASSERT_EQ(booked.status, 200) << booked.body;

  // Static tokens of the users file still work beside OIDC.
  auto events = Call("GET", "/v1/cases/" + rc.case_id + "/events", TokenOf("C-1"));
  ASSERT_EQ(events.status, 200) << events.body;
  const auto& list = events.Json().at("events").as_array();
  ASSERT_GE(list.size(), 2u);
  for (const auto& e : list) {
    const auto& actor = e.at("actor").as_object();
    EXPECT_EQ(actor.at("acr"), kOidcAcr) << json::serialize(e);
  }
  EXPECT_EQ(list.front().at("actor").at("id"), "oidc:af-jarva");
  EXPECT_EQ(list.back().at("actor").at("id"), "oidc:syv-1");
  // A read of the person's data by the SYV is recorded with the same level of assurance.
  ASSERT_EQ(Call("GET", "/v1/cases/" + rc.case_id, syv).status, 200);
  // The audit shows the authentication methods (amr) as the actor's auth.
  auto audit = Call("GET", "/v1/cases/" + rc.case_id + "/audit", TokenOf("C-1"));
  ASSERT_EQ(audit.status, 200) << audit.body;
  bool syv_read = false;
  for (const auto& r : audit.Json().at("reads").as_array()) {
    if (r.at("actor") == "oidc:syv-1") syv_read = r.as_object().contains("acr") && r.at("acr") == kOidcAcr;
  }
  EXPECT_TRUE(syv_read) << audit.body;
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_THAT(audit.body, HasSubstr(R"("auth":"oidc:pwd+otp")"));
  EXPECT_THAT(audit.body, HasSubstr(std::string(R"("acr":")") + kOidcAcr + "\""));
}

TEST_F(OidcE2ETest, TokensOfAnotherIssuerExpiredForAnotherAudienceOrOfAnUnknownKeyAre401) {
  ASSERT_TRUE(StartServer({"--oidc-jwks-refetch-interval", "0"}));
  // Another issuer: a second provider of its own.
  OidcProvider other;
  ASSERT_TRUE(other.Start());
  ExpectRefused(OidcAccessToken(other.issuer(), "af-jarva"), "another issuer");
  // Another audience: a token the same provider issued for another resource server.
  ExpectRefused(OidcAccessToken(provider_.issuer(), "af-jarva", "casetrail-cli", "urn:other:api"), "wrong audience");
  // Expired: a token that lives one second (the server allows no leeway here).
  const std::string short_lived = OidcAccessToken(provider_.issuer(), "af-jarva", "casetrail-cli-short");
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  ExpectRefused(short_lived, "expired");
  // An unknown key: an impostor that claims the real issuer but signs with keys of its own.
  OidcProvider impostor;
  ASSERT_TRUE(impostor.Start({"--issuer", provider_.issuer()}));
  ExpectRefused(OidcAccessToken(impostor.url(), "af-jarva"), "unknown key");
  // Tampered: a valid token with another payload keeps its signature no more.
  std::string tampered = OidcAccessToken(provider_.issuer(), "af-jarva");
  const size_t dot = tampered.find('.');
  tampered[dot + 5] = tampered[dot + 5] == 'A' ? 'B' : 'A';
  ExpectRefused(tampered, "tampered");
  // A valid token whose claims map to no casetrail role: 403, nothing written.
  const int64_t before = Head();
  auto nobody = Call("POST", "/v1/subjects", OidcAccessToken(provider_.issuer(), "nobody"),
                     {{"personal_number", "19121212-1212"}, {"name", "Tolvan"}});
  EXPECT_EQ(nobody.status, 403) << nobody.body;
  EXPECT_EQ(Head(), before);
  // And a valid one still works.
  EXPECT_EQ(Call("GET", "/v1/me", OidcAccessToken(provider_.issuer(), "af-jarva")).status, 200);
}

TEST_F(OidcE2ETest, RotatedKeysArePickedUpAndRetiredOnesRefused) {
  ASSERT_TRUE(StartServer({"--oidc-jwks-refetch-interval", "0"}));
  const std::string before_rotation = OidcAccessToken(provider_.issuer(), "af-jarva");
  ASSERT_EQ(Call("GET", "/v1/me", before_rotation).status, 200);

  // The provider restarts on the same address with new keys only.
  const std::string port = std::to_string(provider_.port());
  provider_.Stop();
  ASSERT_TRUE(provider_.Start({"--port", port, "--keys", dir_.path() + "/keys-b.json"}));
  const std::string after_rotation = OidcAccessToken(provider_.issuer(), "af-jarva");
  auto me = Call("GET", "/v1/me", after_rotation);
  EXPECT_EQ(me.status, 200) << me.body;
  // The old key is no longer published: its tokens stop working once the set is fetched again.
  auto old = Call("GET", "/v1/me", before_rotation);
  EXPECT_EQ(old.status, 401) << old.body;
  EXPECT_THAT(old.body, HasSubstr("key"));
}

TEST_F(OidcE2ETest, UnknownKeyIdsCauseAtMostOneJwksFetchPerInterval) {
  ASSERT_TRUE(StartServer({"--oidc-jwks-refetch-interval", "60"}));
  OidcProvider impostor;
  ASSERT_TRUE(impostor.Start({"--issuer", provider_.issuer()}));
  const std::string forged = OidcAccessToken(impostor.url(), "af-jarva");
  ASSERT_FALSE(forged.empty());
  const int start = JwksRequests();  // the fetch at start-up
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Call("GET", "/v1/me", forged).status, 401);
  EXPECT_LE(JwksRequests() - start, 1);
  // Tokens of known keys are unaffected.
  EXPECT_EQ(Call("GET", "/v1/me", OidcAccessToken(provider_.issuer(), "syv-1")).status, 200);
}

TEST_F(OidcE2ETest, StartRefusesAnHttpIssuerOffLoopbackAndAMappingToUnknownRoles) {
  ServerProcess plain(dir_);
  plain.SetExtraArgs({"--oidc-issuer", "http://idp.example.se", "--oidc-audience", kAudience, "--oidc-mapping",
                      std::string(OIDC_TEST_DIR) + "/mapping.json"});
  EXPECT_FALSE(plain.Start());
  int status = 0;
  EXPECT_TRUE(plain.WaitExit(5000, &status));
  EXPECT_EQ(WEXITSTATUS(status), 2);

  std::ofstream(dir_.path() + "/bad-mapping.json")
      << R"({"role":{"claim":"groups","values":{"casetrail-admins":"superuser"}}})";
  ServerProcess bad(dir_);
  bad.SetExtraArgs({"--oidc-issuer", provider_.issuer(), "--oidc-audience", kAudience, "--oidc-mapping",
                    dir_.path() + "/bad-mapping.json"});
  EXPECT_FALSE(bad.Start());
}

// The web UI's sign-in: authorization code with PKCE run by the server, a server-side session.
class OidcWebSignInTest : public OidcE2ETest {
 protected:
  bool StartWeb(std::vector<std::string> extra = {}) {
    std::ofstream(dir_.path() + "/client-secret") << "web-client-secret\n";
    std::vector<std::string> args = {"--oidc-client-id", "casetrail-web", "--oidc-client-secret-file",
                                     dir_.path() + "/client-secret", "--oidc-scope", "openid casetrail"};
    args.insert(args.end(), extra.begin(), extra.end());
    return StartServer(args);
  }
  std::string Base() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }
  json::object SignIn(const std::string& user) {
    auto v = OidcLogin({"session", Base(), user});
    EXPECT_TRUE(v.is_object()) << "login.mjs failed";
    return v.is_object() ? v.as_object() : json::object{};
  }
  static std::string S(const json::object& o, const char* k) {
    return o.contains(k) && o.at(k).is_string() ? std::string(o.at(k).as_string()) : "";
  }
  HttpResponse WithCookie(const std::string& method, const std::string& path, const std::string& cookie,
                          const std::string& csrf = "", const json::value& body = nullptr) {
    std::map<std::string, std::string> h{{"Cookie", cookie}};
    if (!csrf.empty()) h["X-CSRF-Token"] = csrf;
    return Http(server_.port(), method, path, "", body.is_null() ? "" : json::serialize(body), h);
  }
};

TEST_F(OidcWebSignInTest, SignInWithPkceGivesASessionCookieThatWritesOnlyWithItsCsrfTokenUntilSignOut) {
  ASSERT_TRUE(StartWeb());
  // GET /auth/login: to the provider, with state, nonce and an S256 code challenge.
  auto login = Http(server_.port(), "GET", "/auth/login");
  ASSERT_EQ(login.status, 302) << login.body;
  const std::string to = login.headers["Location"];
  EXPECT_EQ(to.rfind(provider_.issuer() + "/auth?", 0), 0u) << to;
  for (const char* part : {"response_type=code", "client_id=casetrail-web", "code_challenge_method=S256", "&state=",
                           "&nonce=", "&code_challenge=", "redirect_uri=http%3A%2F%2F127.0.0.1%3A"}) {
    EXPECT_THAT(to, HasSubstr(part));
  }
  EXPECT_THAT(login.headers["Set-Cookie"], HasSubstr("HttpOnly; Secure; SameSite=Lax"));

  auto signed_in = SignIn("af-jarva");
  EXPECT_EQ(S(signed_in, "landed"), Base() + "/");
  const std::string cookie = S(signed_in, "cookie"), csrf = S(signed_in, "csrf_token");
  ASSERT_FALSE(cookie.empty());
  ASSERT_FALSE(csrf.empty());
  EXPECT_THAT(S(signed_in, "set_cookie"), HasSubstr("; Path=/; HttpOnly; Secure; SameSite=Strict"));

  auto me = WithCookie("GET", "/v1/me", cookie);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.Str("id"), "oidc:af-jarva");
  EXPECT_EQ(me.Str("unit"), "jarva");

  // A write with the cookie but without the session's CSRF token (or with another) is refused.
  const json::value subject = {{"personal_number", "19121212-1212"}, {"name", "Tolvan"}};
  const int64_t before = Head();
  for (const std::string& wrong : {std::string(), std::string("not-the-token"), S(SignIn("syv-1"), "csrf_token")}) {
    auto r = WithCookie("POST", "/v1/subjects", cookie, wrong, subject);
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(r.Str("code"), "csrf_failed");
  }
  EXPECT_EQ(Head(), before);
  auto created = WithCookie("POST", "/v1/subjects", cookie, csrf, subject);
  ASSERT_EQ(created.status, 201) << created.body;

  // Sign-out needs the CSRF token too, then ends the session on the server.
  EXPECT_EQ(WithCookie("POST", "/auth/logout", cookie).status, 403);
  EXPECT_EQ(WithCookie("GET", "/v1/me", cookie).status, 200);
  auto out = WithCookie("POST", "/auth/logout", cookie, csrf);
  EXPECT_EQ(out.status, 204) << out.body;
  EXPECT_THAT(out.headers["Set-Cookie"], HasSubstr("Max-Age=0"));
  auto after = WithCookie("GET", "/v1/me", cookie);
  EXPECT_EQ(after.status, 401) << after.body;
  EXPECT_EQ(after.content_type, "application/problem+json");
  EXPECT_TRUE(WithCookie("GET", "/auth/config", cookie).Json().at("session").is_null());
}

TEST_F(OidcWebSignInTest, ACallbackWithAnUnknownStateOrFromAnotherBrowserSignsNobodyIn) {
  ASSERT_TRUE(StartWeb());
  auto login = Http(server_.port(), "GET", "/auth/login");
  ASSERT_EQ(login.status, 302);
  const std::string to = login.headers["Location"];
  const size_t at = to.find("&state=") + 7;
  const std::string state = to.substr(at, to.find('&', at) - at);
  // Without the login cookie of the browser that started it (login CSRF).
  auto foreign = Http(server_.port(), "GET", "/auth/callback?code=abc&state=" + state);
  EXPECT_EQ(foreign.status, 302);
  EXPECT_EQ(foreign.headers["Location"], "/#/signin?error=failed");
  EXPECT_EQ(foreign.headers.count("Set-Cookie"), 0u);
  // A state is good for one callback only; an unknown one is refused alike.
  auto again = Http(server_.port(), "GET", "/auth/callback?code=abc&state=" + state);
  EXPECT_EQ(again.headers["Location"], "/#/signin?error=expired");
  // The sign-in itself stays on offer.
  EXPECT_EQ(Http(server_.port(), "GET", "/auth/config").Json().at("oidc"), true);
}

TEST_F(OidcWebSignInTest, APublicClientSignsInWithPkceOnlyAndSessionsEndWhenIdleOrOld) {
  ASSERT_TRUE(StartServer({"--oidc-client-id", "casetrail-web-public", "--oidc-scope", "openid casetrail",
                           "--session-idle-timeout", "3", "--session-max-age", "6"}));
  // Idle: no request for longer than the idle time-out.
  const std::string idle = S(SignIn("syv-1"), "cookie");
  ASSERT_FALSE(idle.empty());
  ASSERT_EQ(WithCookie("GET", "/v1/me", idle).status, 200);
  // Absolute: requests every 2 s keep it from idling, but not past the maximum age.
  const std::string busy = S(SignIn("af-jarva"), "cookie");
  ASSERT_EQ(WithCookie("GET", "/v1/me", busy).status, 200);
  const auto signed_in_at = std::chrono::steady_clock::now();
  for (int i = 0; i < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(2));
    EXPECT_EQ(WithCookie("GET", "/v1/me", busy).status, 200) << "request " << i;
  }
  EXPECT_EQ(WithCookie("GET", "/v1/me", idle).status, 401);  // 4 s without a request
  std::this_thread::sleep_until(signed_in_at + std::chrono::milliseconds(6500));
  EXPECT_EQ(WithCookie("GET", "/v1/me", busy).status, 401);
}

TEST_F(OidcE2ETest, WithoutOidcTheAuthConfigOffersTheTokenFormOnly) {
  ASSERT_TRUE(server_.Start());
  auto config = Http(server_.port(), "GET", "/auth/config");
  ASSERT_EQ(config.status, 200);
  EXPECT_EQ(config.Json().at("oidc"), false);
  EXPECT_EQ(Http(server_.port(), "GET", "/auth/login").status, 404);
}

}  // namespace
}  // namespace casetrail::testing
