// The issuer's signing keys (its JWKS), imported with cjose and cached. A token that names an
// unknown `kid` causes a fetch — the provider may have rotated its keys — but no more than one
// per `min_refetch`, so a flood of tokens with made-up key ids cannot make casetrail hammer the
// provider. The set is also fetched again once older than `max_age`.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "storage/base/result.h"

struct _cjose_jwk_int;  // cjose's key type (cjose_jwk_t)

namespace casetrail::adapters::oidc {

struct Jwk {
  std::shared_ptr<_cjose_jwk_int> key;
  std::string kty;  // "RSA" or "EC"
  std::string crv;  // "P-256" for EC keys
  std::string alg;  // "" when the key does not restrict it
};

// Parses a JWKS document: keys for signatures (use "sig" or none) of kty RSA or EC P-256, by
// kid (a key without a kid is kept under ""). kInvalidArgument if it is not a JWKS.
Result<std::map<std::string, Jwk>> ParseJwks(const std::string& json);

class JwksCache {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    std::chrono::seconds min_refetch{10};
    std::chrono::seconds max_age{3600};
  };
  // `fetch` returns the JWKS document (it runs without the cache's lock held by readers).
  JwksCache(std::function<Result<std::string>()> fetch, Options options);

  enum class Outcome { kFound, kUnknown, kNeedsFetch };
  // The key named `kid` (or the only key, when the token names none). With `may_fetch` false,
  // nothing is fetched: kNeedsFetch says a fetch would be tried (unknown kid, stale or empty set).
  Outcome Find(const std::string& kid, bool may_fetch, Jwk* out);
  // Fetches now (at start-up); the error is logged by the caller, the next token tries again.
  Status Refresh();
  int fetches() const;

 private:
  bool FindLocked(const std::string& kid, Jwk* out) const;
  bool MayFetchLocked(bool known) const;

  std::function<Result<std::string>()> fetch_;
  Options options_;
  mutable std::mutex mu_;
  std::mutex fetch_mu_;  // one fetch at a time
  std::map<std::string, Jwk> keys_;
  std::optional<Clock::time_point> fetched_at_;  // last attempt, successful or not
  bool loaded_ = false;
  int fetches_ = 0;
};

}  // namespace casetrail::adapters::oidc
