// What the route modules (adapters/http/api_<resource>.h) share: the signed-in request (Call),
// the route table they register their handlers in, and the model's checks every handler asks.
//
// A route module is a small class over only the dependencies it uses; its Register(RouteTable&)
// adds its routes. Api (api.h) signs the caller in, checks route, method, media type and JSON in
// API.md's order, and runs the handler the table finds.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "adapters/http/problem.h"
#include "engine/case_service.h"

namespace casetrail::adapters {

// A request as the server hands it over (adapters/http/server.h).
struct ApiRequest {
  std::string method;
  std::string target;  // path and query
  std::string content_type;
  std::string authorization;
  std::string idempotency_key;
  std::string purpose;  // X-Purpose
  std::string accept;
  std::string body;
  std::string acting_for;  // X-Acting-For: the contact person a reserve acts for (engine/reserves.h)
  std::string client_address;  // the peer's IP address, for the sign-in limit ("" : not limited)
  std::string cookie = {};      // Cookie: the web UI's session (adapters/http/oidc/sign_in.h)
  std::string csrf_token = {};  // X-CSRF-Token: required on writes made with the session cookie
};

// A request to a /v1 route, signed in, its body parsed (POST and PATCH).
struct Call {
  const ApiRequest& req;
  engine::Actor actor;
  std::vector<std::string> path;  // segments after /v1
  std::map<std::string, std::string> query;
  boost::json::object body;
  std::string idempotency_key;  // the Idempotency-Key as stored: a keyed hash, never the client's text
  engine::RequestContext Context() const;
  // The X-Purpose header (checked to be a code), else `fallback`.
  std::string Purpose(const std::string& fallback) const;
};

using Handler = std::function<ApiResponse(Call&)>;

class RouteTable {
 public:
  // `path`: the segments after /v1, "*" matching any one segment (the handler reads c.path[i]).
  void Add(const std::string& method, std::vector<std::string> path, Handler handler);
  // The handler of the first route whose path and method match `method` and `path`, or nullptr;
  // *path_matched tells a route of another method (405) from no route at all (404).
  const Handler* Find(const std::string& method, const std::vector<std::string>& path, bool* path_matched) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> path;
    Handler handler;
  };
  std::vector<Route> routes_;
};

// The workflow model's checks (engine/model.h), as handlers ask them of the caller.
class ModelChecks {
 public:
  explicit ModelChecks(const engine::CaseService* service) : service_(service) {}
  // Roles, units and consent scopes.
  const engine::WorkflowModel& Model() const { return service_->model(); }
  // Whether the caller's role may take `action` (the model's "may").
  bool May(const Call& c, const char* action) const { return Model().May(c.actor.role, action); }
  // Whether the caller acts for `unit`: any unit unless its role is bound to its own.
  bool ActsFor(const Call& c, const std::string& unit) const;
  bool UnitBound(const Call& c) const;
  // invalid_field "unit" unless `unit` is one of the model's units.
  Status CheckUnit(const std::string& unit) const;

 private:
  const engine::CaseService* service_;
};

// Keyed hashes of what a client sends, with a key derived from the master key: the fingerprint of
// a request kept with its idempotency key, and the idempotency key as stored.
class RequestHashes {
 public:
  explicit RequestHashes(std::string key) : key_(std::move(key)) {}
  // The request's method, target and body: a key reused with another body is refused.
  std::string Fingerprint(const ApiRequest& req) const;
  // A client's Idempotency-Key as it is stored: hex of a hash keyed with a sub-key of the master
  // key, so a repeat after a restart is still recognised and the log never holds the text.
  std::string StoredIdempotencyKey(const std::string& key) const;

 private:
  std::string key_;
};

// 429 rate_limited with Retry-After.
ApiResponse RateLimited(int retry_after_s, const char* what);

}  // namespace casetrail::adapters
