#include "adapters/http/routes.h"

#include <sodium.h>

#include "adapters/http/api.h"
#include "adapters/http/body_fields.h"
#include "storage/base/hex.h"

namespace casetrail::adapters {

engine::RequestContext Call::Context() const {
  engine::RequestContext ctx{actor, "public_task", idempotency_key, ""};
  return ctx;
}

std::string Call::Purpose(const std::string& fallback) const { return req.purpose.empty() ? fallback : req.purpose; }

void RouteTable::Add(const std::string& method, std::vector<std::string> path, Handler handler) {
  routes_.push_back({method, std::move(path), std::move(handler)});
}

const Handler* RouteTable::Find(const std::string& method, const std::vector<std::string>& path, bool* path_matched) const {
  *path_matched = false;
  for (const auto& r : routes_) {
    if (r.path.size() != path.size()) continue;
    bool same = true;
    for (size_t i = 0; same && i < path.size(); ++i) same = r.path[i] == "*" || r.path[i] == path[i];
    if (!same) continue;
    *path_matched = true;
    if (r.method == method) return &r.handler;
  }
  return nullptr;
}

bool ModelChecks::ActsFor(const Call& c, const std::string& unit) const {
  const engine::RoleSpec* r = Model().Role(c.actor.role);
  return r && (!r->UnitBound() || c.actor.unit == unit);
}

bool ModelChecks::UnitBound(const Call& c) const {
  const engine::RoleSpec* r = Model().Role(c.actor.role);
  return r && r->UnitBound();
}

Status ModelChecks::CheckUnit(const std::string& unit) const {
  if (Model().HasUnit(unit)) return Status::Ok();
  std::string known;
  for (const auto& u : Model().UnitIds()) known += (known.empty() ? "" : ", ") + u;
  return InvalidField("unit", "must be one of " + known);
}

std::string RequestHashes::Fingerprint(const ApiRequest& req) const {
  unsigned char out[32];
  std::string in = req.method + ' ' + req.target + '\n' + req.body;
  crypto_generichash(out, sizeof(out), reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                     reinterpret_cast<const unsigned char*>(key_.data()), key_.size());
  return ToHex(std::string_view(reinterpret_cast<const char*>(out), sizeof(out)));
}

std::string RequestHashes::StoredIdempotencyKey(const std::string& key) const {
  if (key.empty()) return "";
  unsigned char out[32];
  const std::string in = "idempotency-key\n" + key;  // apart from the body fingerprints under the same key
  crypto_generichash(out, sizeof(out), reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                     reinterpret_cast<const unsigned char*>(key_.data()), key_.size());
  return "k" + ToHex(std::string_view(reinterpret_cast<const char*>(out), sizeof(out)));
}

ApiResponse RateLimited(int retry_after_s, const char* what) {
  ApiResponse r = Problem(429, "rate_limited", std::string("too many ") + what + "; ask again after Retry-After seconds",
                          {{"retry_after", retry_after_s}});
  r.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
  return r;
}

}  // namespace casetrail::adapters
