#include "adapters/http/oidc/token_validator.h"

#include <cjose/cjose.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace casetrail::adapters::oidc {

namespace json = boost::json;

namespace {
constexpr size_t kMaxTokenBytes = 16 << 10;

// A NumericDate claim (RFC 7519 §2) as seconds, if present and a number.
std::optional<double> NumericDate(const json::object& claims, const char* name) {
  const auto* v = claims.if_contains(name);
  if (!v) return std::nullopt;
  if (v->is_int64()) return static_cast<double>(v->as_int64());
  if (v->is_uint64()) return static_cast<double>(v->as_uint64());
  if (v->is_double()) return v->as_double();
  return std::nullopt;
}
}  // namespace

const char* Describe(TokenRefusal r) {
  switch (r) {
    case TokenRefusal::kMalformed: return "the token is not a well-formed JWT";
    case TokenRefusal::kAlgorithm: return "the token is not signed with RS256 or ES256";
    case TokenRefusal::kUnknownKey: return "the token is signed with a key the issuer does not publish";
    case TokenRefusal::kSignature: return "the token's signature does not verify";
    case TokenRefusal::kIssuer: return "the token is from another issuer";
    case TokenRefusal::kAudience: return "the token is meant for another audience";
    case TokenRefusal::kExpired: return "the token has expired";
    case TokenRefusal::kNotYetValid: return "the token is not valid yet";
    case TokenRefusal::kNeedsFetch: return "the issuer's keys are being fetched";
  }
  return "the token is refused";
}

bool LooksLikeJwt(std::string_view token) {
  if (token.empty() || token.size() > kMaxTokenBytes) return false;
  if (std::count(token.begin(), token.end(), '.') != 2) return false;
  return std::all_of(token.begin(), token.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

TokenValidator::TokenValidator(std::string issuer, JwksCache* keys, std::chrono::seconds leeway, WallClock now)
    : issuer_(std::move(issuer)), keys_(keys), leeway_(leeway), now_(std::move(now)) {
  if (!now_) now_ = [] { return std::chrono::system_clock::now(); };
}

std::variant<json::object, TokenRefusal> TokenValidator::Validate(std::string_view compact, const std::string& audience,
                                                                  bool may_fetch) const {
  if (!LooksLikeJwt(compact)) return TokenRefusal::kMalformed;
  cjose_err err;
  std::unique_ptr<cjose_jws_t, void (*)(cjose_jws_t*)> jws(cjose_jws_import(compact.data(), compact.size(), &err),
                                                          cjose_jws_release);
  if (!jws) return TokenRefusal::kMalformed;
  cjose_header_t* header = cjose_jws_get_protected(jws.get());
  const char* alg_c = header ? cjose_header_get(header, CJOSE_HDR_ALG, &err) : nullptr;
  const char* kid_c = header ? cjose_header_get(header, CJOSE_HDR_KID, &err) : nullptr;
  const std::string alg = alg_c ? alg_c : "", kid = kid_c ? kid_c : "";
  // An allow-list, checked before any key is touched: "none" and HS256 never reach cjose.
  if (alg != "RS256" && alg != "ES256") return TokenRefusal::kAlgorithm;

  uint8_t* plain = nullptr;
  size_t plain_len = 0;
  if (!cjose_jws_get_plaintext(jws.get(), &plain, &plain_len, &err)) return TokenRefusal::kMalformed;
  boost::system::error_code ec;
  json::value parsed = json::parse(std::string_view(reinterpret_cast<const char*>(plain), plain_len), ec);
  if (ec || !parsed.is_object()) return TokenRefusal::kMalformed;
  json::object claims = std::move(parsed.as_object());

  // The issuer first, from the still unverified claims: a token of another issuer is refused
  // without a key lookup, so it can never cause a JWKS fetch. Everything after the signature
  // check is then authentic.
  const auto* iss = claims.if_contains("iss");
  if (!iss || !iss->is_string() || iss->as_string() != issuer_) return TokenRefusal::kIssuer;
  Jwk key;
  switch (keys_->Find(kid, may_fetch, &key)) {
    case JwksCache::Outcome::kFound: break;
    case JwksCache::Outcome::kUnknown: return TokenRefusal::kUnknownKey;
    case JwksCache::Outcome::kNeedsFetch: return TokenRefusal::kNeedsFetch;
  }
  const bool key_fits = alg == "RS256" ? key.kty == "RSA" : (key.kty == "EC" && key.crv == "P-256");
  if (!key_fits || (!key.alg.empty() && key.alg != alg)) return TokenRefusal::kAlgorithm;
  if (!cjose_jws_verify(jws.get(), key.key.get(), &err)) return TokenRefusal::kSignature;

  bool aud_ok = false;
  if (const auto* aud = claims.if_contains("aud")) {
    if (aud->is_string()) aud_ok = aud->as_string() == audience;
    if (aud->is_array()) {
      for (const auto& a : aud->as_array()) aud_ok = aud_ok || (a.is_string() && a.as_string() == audience);
    }
  }
  if (!aud_ok) return TokenRefusal::kAudience;
  const double now = std::chrono::duration<double>(now_().time_since_epoch()).count();
  const double leeway = static_cast<double>(leeway_.count());
  auto exp = NumericDate(claims, "exp");
  if (!exp || now > *exp + leeway) return TokenRefusal::kExpired;
  if (auto nbf = NumericDate(claims, "nbf"); nbf && now < *nbf - leeway) return TokenRefusal::kNotYetValid;
  if (auto iat = NumericDate(claims, "iat"); iat && now < *iat - leeway) return TokenRefusal::kNotYetValid;
  return claims;
}

}  // namespace casetrail::adapters::oidc
