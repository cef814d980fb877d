#include "adapters/http/oidc/jwks.h"

#include <cjose/cjose.h>

#include <boost/json.hpp>

namespace casetrail::adapters::oidc {

Result<std::map<std::string, Jwk>> ParseJwks(const std::string& text) {
  boost::system::error_code ec;
  auto root = boost::json::parse(text, ec);
  if (ec || !root.is_object() || !root.as_object().contains("keys") || !root.at("keys").is_array()) {
    return InvalidArgument("OIDC: the JWKS is not {\"keys\": [...]}");
  }
  std::map<std::string, Jwk> out;
  for (const auto& k : root.at("keys").as_array()) {
    if (!k.is_object()) continue;
    const auto& o = k.as_object();
    auto str = [&](const char* name) -> std::string {
      const auto* v = o.if_contains(name);
      return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    const std::string use = str("use"), kty = str("kty"), crv = str("crv");
    if (!use.empty() && use != "sig") continue;  // encryption keys are not for verifying
    if (kty != "RSA" && !(kty == "EC" && crv == "P-256")) continue;
    if (o.contains("d")) continue;  // a private key published by mistake: never use it
    const std::string json = boost::json::serialize(o);
    cjose_err err;
    cjose_jwk_t* jwk = cjose_jwk_import(json.c_str(), json.size(), &err);
    if (!jwk) continue;  // a key cjose cannot read is skipped, like one of an unknown type
    out[str("kid")] = Jwk{std::shared_ptr<_cjose_jwk_int>(jwk, [](cjose_jwk_t* p) { cjose_jwk_release(p); }), kty, crv,
                          str("alg")};
  }
  return out;
}

JwksCache::JwksCache(std::function<Result<std::string>()> fetch, Options options)
    : fetch_(std::move(fetch)), options_(options) {}

bool JwksCache::FindLocked(const std::string& kid, Jwk* out) const {
  if (kid.empty() && keys_.size() == 1) {
    *out = keys_.begin()->second;
    return true;
  }
  auto it = keys_.find(kid);
  if (it == keys_.end()) return false;
  *out = it->second;
  return true;
}

// An unknown kid may fetch once per min_refetch; a known one only when the set has grown old.
bool JwksCache::MayFetchLocked(bool known) const {
  if (!fetched_at_) return true;
  const auto age = Clock::now() - *fetched_at_;
  if (known) return loaded_ && age >= options_.max_age;
  return age >= options_.min_refetch;
}

JwksCache::Outcome JwksCache::Find(const std::string& kid, bool may_fetch, Jwk* out) {
  {
    std::lock_guard lock(mu_);
    const bool known = FindLocked(kid, out);
    if (!MayFetchLocked(known)) return known ? Outcome::kFound : Outcome::kUnknown;
    if (!may_fetch) return Outcome::kNeedsFetch;
  }
  {
    std::lock_guard fetching(fetch_mu_);
    bool again;
    {
      std::lock_guard lock(mu_);
      again = MayFetchLocked(FindLocked(kid, out));  // another thread may have fetched meanwhile
    }
    if (again) (void)Refresh();
  }
  std::lock_guard lock(mu_);
  return FindLocked(kid, out) ? Outcome::kFound : Outcome::kUnknown;
}

Status JwksCache::Refresh() {
  {
    std::lock_guard lock(mu_);
    fetched_at_ = Clock::now();
    ++fetches_;
  }
  auto doc = fetch_();
  if (!doc.ok()) return doc.status();
  auto keys = ParseJwks(*doc);
  if (!keys.ok()) return keys.status();
  std::lock_guard lock(mu_);
  keys_ = std::move(*keys);  // keys no longer published are dropped: a retired key stops working
  loaded_ = true;
  return Status::Ok();
}

int JwksCache::fetches() const {
  std::lock_guard lock(mu_);
  return fetches_;
}

}  // namespace casetrail::adapters::oidc
