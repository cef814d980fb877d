// Api: the HTTP/JSON contract of API.md as a plain function from request to response. The
// server (adapters/http/server.h) only does I/O; everything that decides lives here, so tests can
// call it directly as well as over loopback.
//
// Checks run in API.md's order: 401, then route (404) and method (405), media type (415; 413 is
// the server's body limit), JSON (400), then the handler's own checks. The handlers live in route
// modules by resource (api_<resource>.h, each over only the dependencies it uses); read models
// they answer from are in replay/ (docs/architecture.md, "HTTP routes and read models").
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <optional>
#include <memory>
#include <string>
#include <variant>

#include "adapters/http/metrics.h"
#include "adapters/http/problem.h"
#include "adapters/http/rate_limits.h"
#include "adapters/http/routes.h"
#include "adapters/http/users.h"
#include "engine/case_service.h"
#include "engine/retention.h"
#include "replay/case_directory.h"
#include "replay/name_index.h"
#include "adapters/workers/reminder_worker.h"
#include "replay/indicators.h"

namespace casetrail::adapters {

namespace oidc {
class OidcSignIn;
}

struct ApiDeps {
  storage::Log* log = nullptr;
  engine::CaseService* service = nullptr;
  engine::SubjectKeys* keys = nullptr;
  const engine::DefinitionRegistry* registry = nullptr;
  engine::Clock* clock = nullptr;
  engine::FakeClock* manual_clock = nullptr;  // set with --manual-clock
  const Users* users = nullptr;
  replay::CaseDirectory* directory = nullptr;
  Metrics* metrics = nullptr;
  std::string fingerprint_key;  // keys the hash of request bodies kept with idempotency keys
  const engine::RetentionPolicy* retention = nullptr;  // --retention FILE
  replay::LiveIndicators* indicators = nullptr;
  int suppress_below = 5;  // --suppress-below: strategic cells from 1 to this − 1 are hidden
  ReminderWorker* worker = nullptr;
  std::string web_root;  // --web-root: serve the UI from disk instead of the embedded files
  storage::KeyStore* key_store = nullptr;  // for online backups
  std::string backup_root;                 // --backup-root: where POST /v1/admin/backup writes
  std::string lookup_hash_key;  // keys the hash of personal numbers in lookup records (engine/lookup_trace.h)
  int lookups_per_minute = 60;           // --lookups-per-minute, per user; 0: no limit
  int sign_in_failures_per_minute = 10;  // --sign-in-failures-per-minute, per address; 0: no limit
  replay::NameIndex* names = nullptr;    // keyed hashes of name parts, for POST /v1/cases/search
  // --oidc-issuer: OIDC access tokens beside the users file, and the web UI's sign-in through the
  // provider (GET /auth/...); nullptr: static tokens only.
  oidc::OidcSignIn* oidc = nullptr;
};

class SubjectRoutes;
class CaseRoutes;
struct VisibleCase;
class SearchRoutes;
class GdprRoutes;
class IndicatorRoutes;
class StrategicRoutes;
class ListRoutes;
class CadenceRoutes;
class SystemRoutes;

// Composes the route modules (adapters/http/api_<resource>.h), each built from the part of
// ApiDeps it uses, into one route table (RegisterRoutes, api.cc).
class Api {
 public:
  explicit Api(ApiDeps deps);
  ~Api();
  Api(const Api&) = delete;  // the route table's handlers hold the modules' addresses
  Api& operator=(const Api&) = delete;

  ApiResponse Handle(const ApiRequest& request);
  // The checks that need only the request line and headers, for the server to run before it
  // reads a body: today the bearer token of /v1 routes (401). nullopt: read the body and Handle.
  std::optional<ApiResponse> Admit(const ApiRequest& head) const;
  // J10, for the worker: the suppressed report of `period` (a unit, or the total) recorded as
  // IndicatorSnapshotTaken by "worker:snapshots" once (key "snapshot:<period>:<unit|all>").
  // Returns false when it was already taken.
  Result<bool> TakeScheduledSnapshot(const std::string& period, const std::optional<std::string>& unit);

 private:
  using Call = adapters::Call;

  // Builds the modules and adds their routes, then any handler declared on Api itself.
  void RegisterRoutes();
  // GET /v1/work: what is due for the caller (api_work.cc).
  ApiResponse Work(Call& c);

  // For a handler written as a member of Api (ApiResponse Api::X(Call& c), registered in
  // RegisterRoutes): the model's checks and the request hashes, as the modules have them.
  const engine::WorkflowModel& Model() const { return checks_.Model(); }
  bool May(const Call& c, const char* action) const { return checks_.May(c, action); }
  bool ActsFor(const Call& c, const std::string& unit) const { return checks_.ActsFor(c, unit); }
  Status CheckUnit(const std::string& unit) const { return checks_.CheckUnit(unit); }
  bool UnitBound(const Call& c) const { return checks_.UnitBound(c); }
  std::string Fingerprint(const ApiRequest& req) const { return hashes_.Fingerprint(req); }
  // As CaseRoutes and IndicatorRoutes have them (api_cases.h, api_indicators.h).
  Result<VisibleCase> LoadVisibleCase(const Call& c, const std::string& case_id) const;
  Result<std::pair<std::string, std::optional<std::string>>> IndicatorScope(
      const std::map<std::string, std::string>& query, const boost::json::object* body) const;

  std::optional<engine::Actor> Authenticate(const std::string& authorization) const;
  // Authenticate under the sign-in limit: the actor, or the answer (401, or 429 while the
  // client's address is locked out after too many failures).
  // With `may_fetch` false (the I/O thread, in Admit) nothing is fetched from the identity
  // provider: a JWT whose keys are not at hand is deferred to Handle.
  struct SignInDeferred {};
  std::variant<engine::Actor, ApiResponse, SignInDeferred> SignIn(const ApiRequest& req, bool may_fetch = true) const;

  ApiDeps d_;
  std::shared_ptr<RateLimits> limits_;  // shared state behind a const Admit
  ModelChecks checks_;
  RequestHashes hashes_;
  std::unique_ptr<SubjectRoutes> subjects_;
  std::unique_ptr<CaseRoutes> cases_;
  std::unique_ptr<SearchRoutes> search_;
  std::unique_ptr<GdprRoutes> gdpr_;
  std::unique_ptr<IndicatorRoutes> indicators_;
  std::unique_ptr<StrategicRoutes> strategic_;
  std::unique_ptr<ListRoutes> lists_;
  std::unique_ptr<CadenceRoutes> cadences_;
  std::unique_ptr<SystemRoutes> system_;
  RouteTable routes_;
};

// The OpenAPI document served at /v1/openapi.json (adapters/http/openapi.json, embedded).
std::string_view OpenApiDocument();

}  // namespace casetrail::adapters
