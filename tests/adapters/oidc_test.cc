// The OIDC building blocks without a network: the token validator and the JWKS cache against keys
// made with cjose here (RS256, ES256), the claims mapping against the study-referral model, the
// PKCE challenge (RFC 7636 appendix B) and cookie parsing. The real provider is exercised by
// tests/e2e/oidc_e2e_test.cc and tests/web/oidc.mjs.
#include <cjose/cjose.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>

#include "adapters/http/oidc/claims_mapping.h"
#include "adapters/http/oidc/jwks.h"
#include "adapters/http/oidc/sessions.h"
#include "adapters/http/oidc/sign_in.h"
#include "adapters/http/oidc/token_validator.h"
#include "workflows/study_referral.h"

namespace casetrail::adapters::oidc {
namespace {

namespace json = boost::json;
using std::chrono::system_clock;
constexpr const char* kIssuer = "https://idp.example.se";
constexpr const char* kAudience = "urn:casetrail:api";

struct Key {
  cjose_jwk_t* jwk = nullptr;
  explicit Key(cjose_jwk_t* k) : jwk(k) {}
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  ~Key() { cjose_jwk_release(jwk); }
};

std::unique_ptr<Key> RsaKey(const char* kid) {
  static const uint8_t e[] = {1, 0, 1};
  auto k = std::make_unique<Key>(cjose_jwk_create_RSA_random(2048, e, sizeof(e), nullptr));
  cjose_jwk_set_kid(k->jwk, kid, std::strlen(kid), nullptr);
  return k;
}
std::unique_ptr<Key> EcKey(const char* kid) {
  auto k = std::make_unique<Key>(cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, nullptr));
  cjose_jwk_set_kid(k->jwk, kid, std::strlen(kid), nullptr);
  return k;
}
std::string Jwks(std::initializer_list<const Key*> keys) {
  json::array out;
  for (const Key* k : keys) {
    char* pub = cjose_jwk_to_json(k->jwk, false, nullptr);
    out.push_back(json::parse(pub));
    free(pub);
  }
  return json::serialize(json::object{{"keys", std::move(out)}});
}
std::string Sign(const Key& key, const char* alg, const std::string& kid, const json::object& claims) {
  cjose_header_t* h = cjose_header_new(nullptr);
  cjose_header_set(h, CJOSE_HDR_ALG, alg, nullptr);
  if (!kid.empty()) cjose_header_set(h, CJOSE_HDR_KID, kid.c_str(), nullptr);
  const std::string payload = json::serialize(claims);
  cjose_jws_t* jws = cjose_jws_sign(key.jwk, h, reinterpret_cast<const uint8_t*>(payload.data()), payload.size(), nullptr);
  const char* compact = nullptr;
  std::string out;
  if (jws && cjose_jws_export(jws, &compact, nullptr)) out = compact;
  cjose_jws_release(jws);
  cjose_header_release(h);
  return out;
}
int64_t Now(int64_t offset = 0) {
  return std::chrono::duration_cast<std::chrono::seconds>(system_clock::now().time_since_epoch()).count() + offset;
}
json::object Claims(int64_t exp_offset = 300) {
  return {{"iss", kIssuer}, {"aud", kAudience}, {"sub", "u-1"}, {"iat", Now()}, {"exp", Now(exp_offset)}};
}

class TokenValidatorTest : public ::testing::Test {
 protected:
  TokenValidatorTest() : rsa_(RsaKey("r1")), ec_(EcKey("e1")) { published_ = Jwks({rsa_.get(), ec_.get()}); }
  std::unique_ptr<JwksCache> Cache(int min_refetch_s) {
    return std::make_unique<JwksCache>(
        [this]() -> Result<std::string> {
          ++fetches_;
          return published_;
        },
        JwksCache::Options{std::chrono::seconds(min_refetch_s), std::chrono::seconds(3600)});
  }
  std::variant<json::object, TokenRefusal> Check(const std::string& token, int min_refetch_s = 0) {
    if (!cache_) cache_ = Cache(min_refetch_s);
    TokenValidator v(kIssuer, cache_.get(), std::chrono::seconds(30));
    return v.Validate(token, kAudience, true);
  }
  static TokenRefusal Refusal(const std::variant<json::object, TokenRefusal>& r) {
    return std::holds_alternative<TokenRefusal>(r) ? std::get<TokenRefusal>(r) : TokenRefusal::kNeedsFetch;
  }

  std::unique_ptr<Key> rsa_, ec_;
  std::string published_;
  int fetches_ = 0;
  std::unique_ptr<JwksCache> cache_;
};

TEST_F(TokenValidatorTest, AcceptsRs256AndEs256FromTheIssuerForTheAudience) {
  auto rs = Check(Sign(*rsa_, "RS256", "r1", Claims()));
  ASSERT_TRUE(std::holds_alternative<json::object>(rs));
  EXPECT_EQ(std::get<json::object>(rs).at("sub"), "u-1");
  EXPECT_TRUE(std::holds_alternative<json::object>(Check(Sign(*ec_, "ES256", "e1", Claims()))));
  // An audience list naming it, and an expiry within the leeway, are fine too.
  json::object c = Claims(-10);
  c["aud"] = json::array{"other", kAudience};
  EXPECT_TRUE(std::holds_alternative<json::object>(Check(Sign(*rsa_, "RS256", "r1", c))));
}

TEST_F(TokenValidatorTest, RefusesEachBrokenClaim) {
  json::object c = Claims();
  c["iss"] = "https://other.example.se";
  EXPECT_EQ(Refusal(Check(Sign(*rsa_, "RS256", "r1", c))), TokenRefusal::kIssuer);
  c = Claims();
  c["aud"] = "urn:other:api";
  EXPECT_EQ(Refusal(Check(Sign(*rsa_, "RS256", "r1", c))), TokenRefusal::kAudience);
  c = Claims();
  c.erase("aud");
  EXPECT_EQ(Refusal(Check(Sign(*rsa_, "RS256", "r1", c))), TokenRefusal::kAudience);
  EXPECT_EQ(Refusal(Check(Sign(*rsa_, "RS256", "r1", Claims(-31)))), TokenRefusal::kExpired);
  c = Claims();
  c.erase("exp");
  EXPECT_EQ(Refusal(Check(Sign(*rsa_, "RS256", "r1", c))), TokenRefusal::kExpired);
  c = Claims();
  c["nbf"] = Now(120);
  EXPECT_EQ(Refusal(Check(Sign(*rsa_, "RS256", "r1", c))), TokenRefusal::kNotYetValid);
  c = Claims();
  c["iat"] = Now(120);
  EXPECT_EQ(Refusal(Check(Sign(*rsa_, "RS256", "r1", c))), TokenRefusal::kNotYetValid);
}

TEST_F(TokenValidatorTest, RefusesOtherAlgorithmsMismatchedKeysForgeriesAndJunk) {
  // HS256 with a secret that happens to be public: never accepted.
  Key oct(cjose_jwk_create_oct_spec(reinterpret_cast<const uint8_t*>("0123456789abcdef0123456789abcdef"), 32, nullptr));
  EXPECT_EQ(Refusal(Check(Sign(oct, "HS256", "r1", Claims()))), TokenRefusal::kAlgorithm);
  // "none": header and payload, no signature.
  auto b64 = [](const std::string& s) {
    char* out = nullptr;
    size_t n = 0;
    cjose_base64url_encode(reinterpret_cast<const uint8_t*>(s.data()), s.size(), &out, &n, nullptr);
    std::string r(out, n);
    free(out);
    return r;
  };
  EXPECT_NE(Refusal(Check(b64(R"({"alg":"none"})") + "." + b64(json::serialize(Claims())) + ".")),
            TokenRefusal::kNeedsFetch);
  // An RS256 token naming the EC key, and an ES256 token naming the RSA key.
  EXPECT_EQ(Refusal(Check(Sign(*rsa_, "RS256", "e1", Claims()))), TokenRefusal::kAlgorithm);
  EXPECT_EQ(Refusal(Check(Sign(*ec_, "ES256", "r1", Claims()))), TokenRefusal::kAlgorithm);
  // Signed by a key that is not published, under a published kid.
  auto stranger = RsaKey("r1");
  EXPECT_EQ(Refusal(Check(Sign(*stranger, "RS256", "r1", Claims()))), TokenRefusal::kSignature);
  // Claims changed after signing.
  std::string token = Sign(*rsa_, "RS256", "r1", Claims());
  const size_t dot = token.find('.');
  std::string other = Sign(*rsa_, "RS256", "r1", [] {
    json::object c = Claims();
    c["sub"] = "admin";
    return c;
  }());
  std::string spliced = token.substr(0, dot) + other.substr(other.find('.'), other.rfind('.') - other.find('.')) +
                        token.substr(token.rfind('.'));
  EXPECT_EQ(Refusal(Check(spliced)), TokenRefusal::kSignature);
  for (const std::string junk : {"", "abc", "a.b", "a.b.c.d", "éé.é.é"}) {
    EXPECT_EQ(Refusal(Check(junk)), TokenRefusal::kMalformed) << junk;
  }
}

TEST_F(TokenValidatorTest, AnUnknownKidFetchesTheKeysAgainAtMostOncePerInterval) {
  cache_ = Cache(3600);
  ASSERT_TRUE(cache_->Refresh().ok());
  auto rotated = RsaKey("r2");
  const std::string token = Sign(*rotated, "RS256", "r2", Claims());
  // Within the interval: no fetch, refused.
  EXPECT_EQ(Refusal(Check(token)), TokenRefusal::kUnknownKey);
  EXPECT_EQ(Refusal(Check(token)), TokenRefusal::kUnknownKey);
  EXPECT_EQ(fetches_, 1);
  // Without the interval the rotated key is picked up at once, and the old one dropped.
  cache_ = Cache(0);
  ASSERT_TRUE(cache_->Refresh().ok());
  published_ = Jwks({rotated.get()});
  EXPECT_TRUE(std::holds_alternative<json::object>(Check(token)));
  EXPECT_EQ(Refusal(Check(Sign(*rsa_, "RS256", "r1", Claims()))), TokenRefusal::kUnknownKey);
  // On the I/O thread nothing is fetched: the decision is deferred.
  TokenValidator v(kIssuer, cache_.get(), std::chrono::seconds(30));
  EXPECT_EQ(Refusal(v.Validate(Sign(*ec_, "ES256", "e9", Claims()), kAudience, false)), TokenRefusal::kNeedsFetch);
}

class ClaimsMappingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto m = engine::ParseModel(workflows::StudyReferralModelJson());
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    model_ = std::move(*m);
  }
  Result<ClaimsMapping> Parse(const std::string& text) { return ClaimsMapping::Parse(text, model_); }
  engine::WorkflowModel model_;
  const std::string kMapping = R"({"person":{"claim":"sub","prefix":"oidc:"},
    "role":{"claim":"groups","values":{"g-af":"af_officer","g-syv":"syv","g-comp":"compliance"}},
    "unit":{"claim":"org","values":{"AF-JARVA":"jarva"}}})";
};

TEST_F(ClaimsMappingTest, MapsPersonRoleUnitAndRecordsAmrAndAcr) {
  auto m = Parse(kMapping);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  json::object claims{{"sub", "x1"}, {"groups", json::array{"other", "g-af"}}, {"org", "AF-JARVA"},
                      {"acr", "loa3"}, {"amr", json::array{"pwd", "otp"}}};
  auto a = m->Map(claims, model_);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->id, "oidc:x1");
  EXPECT_EQ(a->role, "af_officer");
  EXPECT_EQ(a->unit, "jarva");
  EXPECT_EQ(a->auth, "oidc:pwd+otp");
  EXPECT_EQ(a->acr, "loa3");
  // A role bound to no unit needs none; no amr is plain "oidc".
  auto syv = m->Map({{"sub", "x2"}, {"groups", "g-syv"}}, model_);
  ASSERT_TRUE(syv.ok());
  EXPECT_EQ(syv->auth, "oidc");
  EXPECT_EQ(syv->unit, "");
}

TEST_F(ClaimsMappingTest, RefusesNoRoleTwoRolesNoUnitAndNoPerson) {
  auto m = Parse(kMapping);
  ASSERT_TRUE(m.ok());
  for (const json::object& claims : {json::object{{"sub", "x"}, {"groups", json::array{"other"}}},
                                     json::object{{"sub", "x"}, {"groups", json::array{"g-af", "g-syv"}}},
                                     json::object{{"sub", "x"}, {"groups", "g-af"}},
                                     json::object{{"sub", "x"}, {"groups", "g-af"}, {"org", "AF-MARS"}},
                                     json::object{{"groups", "g-syv"}},
                                     json::object{{"sub", "has space"}, {"groups", "g-syv"}}}) {
    auto a = m->Map(claims, model_);
    EXPECT_FALSE(a.ok()) << json::serialize(claims);
    if (!a.ok()) {
      EXPECT_EQ(a.status().code(), StatusCode::kPermissionDenied);
    }
  }
  EXPECT_FALSE(Parse(R"({"role":{"claim":"groups","values":{"g":"superuser"}}})").ok());
  EXPECT_FALSE(Parse(R"({"role":{"claim":"groups","values":{"g":"af_officer"}},"unit":{"claim":"u","values":{"x":"mars"}}})").ok());
  EXPECT_FALSE(Parse(R"({"role":{"claim":"groups"}})").ok());
  EXPECT_FALSE(Parse("[]").ok());
}

TEST(OidcHelpersTest, PkceChallengeCookiesAndSessions) {
  // RFC 7636 appendix B.
  EXPECT_EQ(CodeChallengeS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  EXPECT_EQ(RandomToken().size(), 43u);
  EXPECT_NE(RandomToken(), RandomToken());
  EXPECT_EQ(CookieValue("a=1; casetrail_session=abc; b=2", "casetrail_session"), "abc");
  EXPECT_EQ(CookieValue("xcasetrail_session=abc", "casetrail_session"), "");
  EXPECT_EQ(CookieValue("", "casetrail_session"), "");

  SessionStore store(std::chrono::seconds(60), std::chrono::seconds(60));
  engine::Actor a{"oidc:x", "syv", "", "oidc", ""};
  const std::string id = store.Create(a);
  auto s = store.Find(id);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->actor.id, "oidc:x");
  EXPECT_EQ(s->csrf_token.size(), 43u);
  EXPECT_FALSE(store.Find(id + "x").has_value());
  EXPECT_TRUE(store.End(id));
  EXPECT_FALSE(store.Find(id).has_value());

  PendingLogins pending;
  pending.Put("s1", {"n", "v", "b", {}});
  EXPECT_TRUE(pending.Take("s1").has_value());
  EXPECT_FALSE(pending.Take("s1").has_value());  // single use
}

}  // namespace
}  // namespace casetrail::adapters::oidc
