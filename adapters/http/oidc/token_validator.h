// Validates a JWT (access token or ID token) from the configured issuer: compact JWS signed
// RS256 or ES256 (never "none", never HMAC) with a key of the issuer's JWKS, verified by cjose;
// then `iss` equal to the issuer, `aud` naming the expected audience, `exp` required and `nbf`
// and `iat` honoured, each with a small leeway for clock skew.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <variant>

#include "adapters/http/oidc/jwks.h"

namespace casetrail::adapters::oidc {

enum class TokenRefusal {
  kMalformed,     // not a compact JWS, or its claims are not a JSON object
  kAlgorithm,     // alg other than RS256/ES256, or a key of another type
  kUnknownKey,    // no key of the issuer's JWKS has its kid (after a fetch when allowed)
  kSignature,     // the signature does not verify
  kIssuer,        // iss is not the configured issuer
  kAudience,      // aud does not name the expected audience
  kExpired,       // exp is missing or past
  kNotYetValid,   // nbf (or iat) lies in the future
  kNeedsFetch,    // only without may_fetch: the keys must be fetched before deciding
};
// A short English phrase for problem details and logs; it holds nothing from the token.
const char* Describe(TokenRefusal refusal);

class TokenValidator {
 public:
  using WallClock = std::function<std::chrono::system_clock::time_point()>;
  TokenValidator(std::string issuer, JwksCache* keys, std::chrono::seconds leeway, WallClock now = nullptr);

  // The token's claims, or why it is refused. With `may_fetch` false (the server's I/O thread)
  // no network call is made.
  std::variant<boost::json::object, TokenRefusal> Validate(std::string_view compact, const std::string& audience,
                                                           bool may_fetch) const;
  const std::string& issuer() const { return issuer_; }

 private:
  std::string issuer_;
  JwksCache* keys_;
  std::chrono::seconds leeway_;
  WallClock now_;
};

// Whether `token` has the shape of a compact JWS (three base64url parts): only such bearer
// tokens are offered to the validator.
bool LooksLikeJwt(std::string_view token);

}  // namespace casetrail::adapters::oidc
