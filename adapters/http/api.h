// Api: the HTTP/JSON contract of API.md as a plain function from request to response. The
// server (adapters/http/server.h) only does I/O; everything that decides lives here, so tests can
// call it directly as well as over loopback.
//
// Checks run in API.md's order: 401, then route (404) and method (405), media type (415; 413 is
// the server's body limit), JSON (400), then the handler's own checks.
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

class Api {
 public:
  explicit Api(ApiDeps deps)
      : d_(std::move(deps)),
        limits_(std::make_shared<RateLimits>(d_.lookups_per_minute, d_.sign_in_failures_per_minute)) {}
  ApiResponse Handle(const ApiRequest& request);
  // The checks that need only the request line and headers, for the server to run before it
  // reads a body: today the bearer token of /v1 routes (401). nullopt: read the body and Handle.
  std::optional<ApiResponse> Admit(const ApiRequest& head) const;
  // J10, for the worker: the suppressed report of `period` (a unit, or the total) recorded as
  // IndicatorSnapshotTaken by "worker:snapshots" once (key "snapshot:<period>:<unit|all>").
  // Returns false when it was already taken.
  Result<bool> TakeScheduledSnapshot(const std::string& period, const std::optional<std::string>& unit);

 private:
  struct Call {
    const ApiRequest& req;
    engine::Actor actor;
    std::vector<std::string> path;  // segments after /v1
    std::map<std::string, std::string> query;
    boost::json::object body;
    std::string idempotency_key;  // the Idempotency-Key as stored: a keyed hash, never the client's text
    engine::RequestContext Context() const;
    // The X-Purpose header (checked to be a code), else `fallback`.
    std::string Purpose(const std::string& fallback) const { return req.purpose.empty() ? fallback : req.purpose; }
  };

  ApiResponse Route(Call& call, bool* matched, bool* method_ok);

  // The workflow's model: roles, units and consent scopes (engine/model.h).
  const engine::WorkflowModel& Model() const { return d_.service->model(); }
  // Whether the caller's role may take `action` (the model's "may").
  bool May(const Call& c, const char* action) const { return Model().May(c.actor.role, action); }
  // Whether the caller acts for `unit`: any unit unless its role is bound to its own.
  bool ActsFor(const Call& c, const std::string& unit) const {
    const engine::RoleSpec* r = Model().Role(c.actor.role);
    return r && (!r->UnitBound() || c.actor.unit == unit);
  }
  // invalid_field "unit" unless `unit` is one of the model's units.
  Status CheckUnit(const std::string& unit) const;
  bool UnitBound(const Call& c) const {
    const engine::RoleSpec* r = Model().Role(c.actor.role);
    return r && r->UnitBound();
  }

  // Subjects and consent.
  ApiResponse RegisterSubject(Call& c);
  ApiResponse LookupSubject(Call& c);
  ApiResponse RectifySubject(Call& c, const std::string& subject);
  ApiResponse GrantConsent(Call& c, const std::string& subject);
  ApiResponse WithdrawConsent(Call& c, const std::string& subject);
  ApiResponse RecordNotice(Call& c, const std::string& subject);
  ApiResponse AppointReserve(Call& c, bool revoke);
  // Cases.
  ApiResponse OpenCase(Call& c);
  ApiResponse ExecuteCommand(Call& c, const std::string& case_id);
  ApiResponse GetCase(Call& c, const std::string& case_id);
  ApiResponse GetEvents(Call& c, const std::string& case_id);
  ApiResponse ListCases(Call& c);
  ApiResponse SearchCases(Call& c);  // api_search.cc
  ApiResponse TakeResponsibility(Call& c, const std::string& case_id);
  // A case's events and latest state, if the caller may see it (not_found, forbidden otherwise).
  struct VisibleCase {
    std::vector<engine::StoredEvent> events;
    engine::CaseState latest;
  };
  Result<VisibleCase> LoadVisibleCase(const Call& c, const std::string& case_id) const;
  // Data protection (compliance).
  ApiResponse EraseSubject(Call& c, const std::string& subject);
  ApiResponse Extract(Call& c, const std::string& subject);
  ApiResponse Audit(Call& c, const std::string& case_id);
  ApiResponse LegalHold(Call& c, const std::string& subject, bool placed);
  ApiResponse RunRetention(Call& c);
  // The strategic group: indicators and their published snapshots, group activities (A1).
  ApiResponse GetIndicators(Call& c);
  ApiResponse TakeIndicatorSnapshot(Call& c);
  // Appends IndicatorSnapshotTaken (once under `idempotency_key`, if given); answers
  // {"snapshot","content_hash","report","deduplicated"}.
  Result<boost::json::object> RecordSnapshot(const std::string& period, const std::optional<std::string>& unit,
                                             const engine::Actor& actor, const std::string& idempotency_key);
  ApiResponse ListIndicatorSnapshots(Call& c);
  ApiResponse RecordGroupActivity(Call& c);
  // Cadences and the cooperation's activities (api_cadences.cc): J8, J9, J12, A1, A2.
  ApiResponse RecordStrategicMeeting(Call& c);
  ApiResponse ListStrategicMeetings(Call& c);
  ApiResponse RecordCooperationActivity(Call& c);
  ApiResponse GetCadences(Call& c);
  // The "activities" block of the indicators answer for the Stockholm dates [from, to).
  Result<boost::json::object> ActivitiesReport(const std::string& from, const std::string& to,
                                               const std::optional<std::string>& unit);
  // Decision register, deviation log, decision audit and review samples.
  ApiResponse ListReminders(Call& c);
  // Meetings and follow-up lists.
  ApiResponse RecordMeeting(Call& c);
  ApiResponse ListMeetings(Call& c);
  ApiResponse GetList(Call& c, const std::string& kind);
  ApiResponse PublishProgressionList(Call& c);
  ApiResponse GetMonthlyListRows(Call& c);  // api_list_rows.cc
  ApiResponse SelectProgressionCases(Call& c);  // api_list_rows.cc
  ApiResponse GetProgressionSelection(Call& c);
  ApiResponse RecordDecision(Call& c);
  ApiResponse ListDecisions(Call& c);
  ApiResponse ReportDeviation(Call& c);
  ApiResponse HandleDeviation(Call& c, const std::string& id);
  ApiResponse ListDeviations(Call& c);
  ApiResponse DecisionAuditReport(Call& c);
  ApiResponse DrawAuditSample(Call& c);
  Result<boost::json::object> IndicatorReport(const std::string& period, const std::optional<std::string>& unit,
                                              bool suppress);
  Result<std::pair<std::string, std::optional<std::string>>> IndicatorScope(
      const std::map<std::string, std::string>& query, const boost::json::object* body);
  // Integrity and operations.
  ApiResponse Verify(Call& c);
  ApiResponse LatestCheckpoint(Call& c);
  ApiResponse Workflows(Call& c);
  ApiResponse Me(Call& c);
  ApiResponse MoveClock(Call& c);
  ApiResponse AdminRecords(Call& c);
  ApiResponse Backup(Call& c);

  std::string Fingerprint(const ApiRequest& req) const;
  // A client's Idempotency-Key as it is stored: hex of a hash keyed with a sub-key of the master
  // key, so a repeat after a restart is still recognised and the log never holds the text.
  std::string StoredIdempotencyKey(const std::string& key) const;
  std::optional<engine::Actor> Authenticate(const std::string& authorization) const;
  // Authenticate under the sign-in limit: the actor, or the answer (401, or 429 while the
  // client's address is locked out after too many failures).
  // With `may_fetch` false (the I/O thread, in Admit) nothing is fetched from the identity
  // provider: a JWT whose keys are not at hand is deferred to Handle.
  struct SignInDeferred {};
  std::variant<engine::Actor, ApiResponse, SignInDeferred> SignIn(const ApiRequest& req, bool may_fetch = true) const;
  // Records a lookup (engine/lookup_trace.h) before it is answered.
  Status TraceLookup(const Call& c, const std::string& canonical_number, const std::string& subject_id,
                     const char* outcome, const char* via);
  ApiResponse RateLimited(int retry_after_s, const char* what) const;

  ApiDeps d_;
  std::shared_ptr<RateLimits> limits_;  // shared state behind a const Admit
};

// The OpenAPI document served at /v1/openapi.json (adapters/http/openapi.json, embedded).
std::string_view OpenApiDocument();

}  // namespace casetrail::adapters
