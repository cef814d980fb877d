#include "adapters/http/api.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include <boost/url.hpp>

#include "adapters/http/body_fields.h"
#include "adapters/http/oidc/sign_in.h"
#include "adapters/http/read_models.h"
#include "engine/reserves.h"
#include "adapters/http/server.h"
#include "adapters/http/web_assets.h"
#include "storage/base/hex.h"

namespace casetrail::adapters {
namespace json = boost::json;

engine::RequestContext Api::Call::Context() const {
  engine::RequestContext ctx{actor, "public_task", idempotency_key, ""};
  return ctx;
}

std::string Api::Fingerprint(const ApiRequest& req) const {
  unsigned char out[32];
  std::string in = req.method + ' ' + req.target + '\n' + req.body;
  crypto_generichash(out, sizeof(out), reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                     reinterpret_cast<const unsigned char*>(d_.fingerprint_key.data()), d_.fingerprint_key.size());
  return ToHex(std::string_view(reinterpret_cast<const char*>(out), sizeof(out)));
}

std::string Api::StoredIdempotencyKey(const std::string& key) const {
  if (key.empty()) return "";
  unsigned char out[32];
  const std::string in = "idempotency-key\n" + key;  // apart from the body fingerprints under the same key
  crypto_generichash(out, sizeof(out), reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                     reinterpret_cast<const unsigned char*>(d_.fingerprint_key.data()), d_.fingerprint_key.size());
  return "k" + ToHex(std::string_view(reinterpret_cast<const char*>(out), sizeof(out)));
}

std::optional<engine::Actor> Api::Authenticate(const std::string& authorization) const {
  const std::string prefix = "Bearer ";
  if (authorization.rfind(prefix, 0) != 0) return std::nullopt;
  return d_.users->Find(authorization.substr(prefix.size()));
}

namespace {
ApiResponse Unauthenticated() {
  ApiResponse r = Problem(401, "unauthenticated", "a valid bearer token is required");
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}
}  // namespace

ApiResponse Api::RateLimited(int retry_after_s, const char* what) const {
  ApiResponse r = Problem(429, "rate_limited", std::string("too many ") + what + "; ask again after Retry-After seconds",
                          {{"retry_after", retry_after_s}});
  r.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
  return r;
}

std::variant<engine::Actor, ApiResponse, Api::SignInDeferred> Api::SignIn(const ApiRequest& req, bool may_fetch) const {
  // A locked-out address is refused before its token is looked at: a guess that would have been
  // right is refused too, so guessing gains nothing while the back-off lasts.
  if (auto wait = limits_->SignInBlocked(req.client_address)) {
    if (d_.metrics) ++d_.metrics->server().rate_limited_sign_ins;
    return RateLimited(*wait, "failed sign-ins from this address");
  }
  if (auto actor = Authenticate(req.authorization)) return *actor;
  const std::string prefix = "Bearer ";
  if (d_.oidc) {
    std::optional<oidc::AuthOutcome> outcome;
    if (req.authorization.rfind(prefix, 0) == 0) {
      const std::string_view token = std::string_view(req.authorization).substr(prefix.size());
      if (oidc::LooksLikeJwt(token)) outcome = d_.oidc->Bearer(token, may_fetch);
    } else if (req.authorization.empty()) {
      // The web UI's session cookie; its misses are not counted as failed sign-ins (a session
      // that timed out is not a guess).
      if (auto session = d_.oidc->Session(req.cookie, req.method, req.csrf_token)) {
        if (session->actor) return *session->actor;
        ApiResponse r = Problem(session->status, session->code, session->detail);
        if (session->status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
        return r;
      }
    }
    if (outcome && outcome->defer) return SignInDeferred{};
    if (outcome && outcome->actor) return *outcome->actor;
    if (outcome && outcome->status == 403) return Problem(403, outcome->code, outcome->detail);
    if (outcome) {
      if (d_.metrics) ++d_.metrics->server().failed_sign_ins;
      if (auto lockout = limits_->SignInFailed(req.client_address)) {
        spdlog::warn("sign-in locked out for {}s for one client address after repeated failures", *lockout);
      }
      ApiResponse r = Problem(401, "unauthenticated", outcome->detail);
      r.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      return r;
    }
  }
  if (d_.metrics) ++d_.metrics->server().failed_sign_ins;
  // Logged without the token or the address: the count is in the metrics.
  spdlog::info("sign-in refused on {}: no valid bearer token", RouteLabel(req.target));
  if (auto lockout = limits_->SignInFailed(req.client_address)) {
    spdlog::warn("sign-in locked out for {}s for one client address after repeated failures", *lockout);
  }
  return Unauthenticated();
}

std::optional<ApiResponse> Api::Admit(const ApiRequest& head) const {
  auto parsed = boost::urls::parse_origin_form(head.target);
  if (!parsed) return std::nullopt;  // Handle answers 404
  auto segments = parsed->segments();
  // Health, metrics and the web UI need no token; every /v1 route does.
  if (segments.empty() || *segments.begin() != "v1") return std::nullopt;
  auto signed_in = SignIn(head, /*may_fetch=*/false);
  if (auto* refused = std::get_if<ApiResponse>(&signed_in)) return std::move(*refused);
  return std::nullopt;  // signed in, or an OIDC token Handle decides once the keys are fetched
}

ApiResponse Api::Handle(const ApiRequest& req) {
  auto parsed = boost::urls::parse_origin_form(req.target);
  if (!parsed) return Problem(404, "not_found", "no such route");
  std::vector<std::string> segments;
  for (auto s : parsed->segments()) segments.emplace_back(s);
  std::map<std::string, std::string> query;
  for (auto p : parsed->params()) query[std::string(p.key)] = std::string(p.value);

  if (segments.size() == 1 && segments[0] == "healthz") {
    if (req.method != "GET") return Problem(405, "method_not_allowed", "use GET");
    // Degraded (still 200: the server answers) while a read model's reads are failing.
    const auto models = ReadModelStatuses(d_);
    json::array list;
    for (const auto& m : models) {
      json::object o{{"name", m.name}, {"position", m.position}, {"lag", m.lag}};
      if (m.failures > 0) o["failures"] = m.failures;
      o["last_error"] = m.last_error.empty() ? json::value(nullptr) : json::value(m.last_error);
      list.push_back(std::move(o));
    }
    return Json(200, {{"status", Degraded(models) ? "degraded" : "ok"},
                      {"head", d_.log->GetHead().position.value()},
                      {"read_models", std::move(list)}});
  }
  if (segments.size() == 1 && segments[0] == "metrics") {
    return ApiResponse{200, "text/plain; version=0.0.4", d_.metrics->Render(*d_.log, ReadModelStatuses(d_)), {}};
  }
  if (!segments.empty() && segments[0] == "auth") {
    // Sign-in through the identity provider (adapters/http/oidc/sign_in.h); no token needed.
    if (!d_.oidc) {
      if (segments.size() == 2 && segments[1] == "config" && req.method == "GET") return oidc::ConfigWithoutOidc();
      return Problem(404, "not_found", "sign-in through an identity provider is not configured");
    }
    return d_.oidc->Route(req.method, {segments.begin() + 1, segments.end()}, query, req.cookie, req.csrf_token);
  }
  if (segments.empty() || segments[0] != "v1") {
    // The web UI: static files, no authentication (the UI signs in against the API).
    if (req.method != "GET" && req.method != "HEAD") return Problem(405, "method_not_allowed", "use GET");
    auto file = FindStaticFile(std::string(parsed->path()), d_.web_root);
    if (!file) return Problem(404, "not_found", "no such route");
    return ApiResponse{200, file->content_type, std::move(file->body),
                       {{"Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'"},
                        {"X-Content-Type-Options", "nosniff"}}};
  }

  // 1. Authentication.
  auto signed_in = SignIn(req);
  if (auto* refused = std::get_if<ApiResponse>(&signed_in)) return std::move(*refused);
  std::optional<engine::Actor> actor = std::get<engine::Actor>(std::move(signed_in));
  // X-Purpose is stored in read records in clear: a code, never free text.
  if (!req.purpose.empty() &&
      (req.purpose.size() > 40 || !std::all_of(req.purpose.begin(), req.purpose.end(), [](char ch) {
         return (ch >= 'a' && ch <= 'z') || ch == '_';
       }))) {
    return Problem(400, "invalid_field", "X-Purpose must be a code of lower-case letters and _", {{"field", "X-Purpose"}});
  }
  // G-RESERVE: a reserve acts only for the contact person who appointed them; then every event
  // records acting_for.
  if (!req.acting_for.empty()) {
    if (Status s = engine::CheckActingFor(*d_.log, *actor, req.acting_for); !s.ok()) return FromStatus(s);
    actor->acting_for = req.acting_for;
  }
  Call call{req, *actor, {segments.begin() + 1, segments.end()}, std::move(query), {}, StoredIdempotencyKey(req.idempotency_key)};

  // 2. Route and method, before looking at the body.
  bool matched = false, method_ok = false;
  Route(call, &matched, &method_ok);  // dry run: classifies only
  if (!matched) return Problem(404, "not_found", "no such route");
  if (!method_ok) return Problem(405, "method_not_allowed", "method not allowed on this route");

  if (req.method == "POST" || req.method == "PATCH") {
    std::string_view ct = req.content_type;
    if (ct.substr(0, ct.find(';')) != "application/json") {
      return Problem(415, "unsupported_media_type", "the body must be application/json");
    }
    boost::system::error_code ec;
    json::value v = json::parse(req.body.empty() ? std::string("{}") : req.body, ec);
    if (ec) return Problem(400, "malformed_json", "the body is not valid JSON");
    if (!v.is_object()) return Problem(400, "malformed_json", "the body must be a JSON object");
    call.body = std::move(v.as_object());
  }
  ApiResponse response = Route(call, &matched, &method_ok);
  return response;
}

// Route table. With *matched/*method_ok only classified (the body is not yet parsed), each
// handler runs only on the second call: a response from the first call is discarded.
ApiResponse Api::Route(Call& c, bool* matched, bool* method_ok) {
  const bool dry = !*matched;
  const auto& p = c.path;
  const std::string& m = c.req.method;
  auto route = [&](bool path_matches, const char* method, auto&& handler) -> std::optional<ApiResponse> {
    if (!path_matches) return std::nullopt;
    *matched = true;
    if (m != method) return std::nullopt;
    *method_ok = true;
    if (dry) return ApiResponse{};
    return handler();
  };
  std::optional<ApiResponse> r;
  const size_t n = p.size();
  auto is = [&](std::initializer_list<const char*> parts) {
    if (n != parts.size()) return false;
    size_t i = 0;
    for (const char* part : parts) {
      if (std::string(part) != "*" && p[i] != part) return false;
      ++i;
    }
    return true;
  };
  if ((r = route(is({"subjects"}), "POST", [&] { return RegisterSubject(c); }))) return *r;
  if ((r = route(is({"subjects", "lookup"}), "POST", [&] { return LookupSubject(c); }))) return *r;
  if ((r = route(is({"subjects", "*"}), "PATCH", [&] { return RectifySubject(c, p[1]); }))) return *r;
  if ((r = route(is({"subjects", "*", "consents"}), "POST", [&] { return GrantConsent(c, p[1]); }))) return *r;
  if ((r = route(is({"subjects", "*", "notices"}), "POST", [&] { return RecordNotice(c, p[1]); }))) return *r;
  if ((r = route(is({"reserves"}), "POST", [&] { return AppointReserve(c, false); }))) return *r;
  if ((r = route(is({"cases", "*", "responsible"}), "POST", [&] { return TakeResponsibility(c, p[1]); }))) return *r;
  if ((r = route(is({"reserves", "revoke"}), "POST", [&] { return AppointReserve(c, true); }))) return *r;
  if ((r = route(is({"subjects", "*", "consents", "withdraw"}), "POST", [&] { return WithdrawConsent(c, p[1]); })))
    return *r;
  if ((r = route(is({"subjects", "*", "erasure"}), "POST", [&] { return EraseSubject(c, p[1]); }))) return *r;
  if ((r = route(is({"subjects", "*", "legal-hold"}), "POST", [&] { return LegalHold(c, p[1], true); }))) return *r;
  if ((r = route(is({"subjects", "*", "legal-hold", "lift"}), "POST", [&] { return LegalHold(c, p[1], false); })))
    return *r;
  if ((r = route(is({"retention", "run"}), "POST", [&] { return RunRetention(c); }))) return *r;
  if ((r = route(is({"subjects", "*", "extract"}), "GET", [&] { return Extract(c, p[1]); }))) return *r;
  if ((r = route(is({"cases"}), "POST", [&] { return OpenCase(c); }))) return *r;
  if ((r = route(is({"cases", "search"}), "POST", [&] { return SearchCases(c); }))) return *r;
  if ((r = route(is({"cases"}), "GET", [&] { return ListCases(c); }))) return *r;
  if ((r = route(is({"cases", "*"}), "GET", [&] { return GetCase(c, p[1]); }))) return *r;
  if ((r = route(is({"cases", "*", "commands"}), "POST", [&] { return ExecuteCommand(c, p[1]); }))) return *r;
  if ((r = route(is({"cases", "*", "events"}), "GET", [&] { return GetEvents(c, p[1]); }))) return *r;
  if ((r = route(is({"cases", "*", "audit"}), "GET", [&] { return Audit(c, p[1]); }))) return *r;
  if ((r = route(is({"indicators"}), "GET", [&] { return GetIndicators(c); }))) return *r;
  if ((r = route(is({"indicators", "snapshots"}), "POST", [&] { return TakeIndicatorSnapshot(c); }))) return *r;
  if ((r = route(is({"indicators", "snapshots"}), "GET", [&] { return ListIndicatorSnapshots(c); }))) return *r;
  if ((r = route(is({"activities"}), "POST", [&] { return RecordGroupActivity(c); }))) return *r;
  if ((r = route(is({"cooperation-activities"}), "POST", [&] { return RecordCooperationActivity(c); }))) return *r;
  if ((r = route(is({"strategic-meetings"}), "POST", [&] { return RecordStrategicMeeting(c); }))) return *r;
  if ((r = route(is({"strategic-meetings"}), "GET", [&] { return ListStrategicMeetings(c); }))) return *r;
  if ((r = route(is({"cadences"}), "GET", [&] { return GetCadences(c); }))) return *r;
  if ((r = route(is({"reminders"}), "GET", [&] { return ListReminders(c); }))) return *r;
  if ((r = route(is({"meetings"}), "POST", [&] { return RecordMeeting(c); }))) return *r;
  if ((r = route(is({"meetings"}), "GET", [&] { return ListMeetings(c); }))) return *r;
  if ((r = route(is({"lists", "monthly"}), "GET", [&] { return GetList(c, "monthly"); }))) return *r;
  if ((r = route(is({"lists", "monthly", "rows"}), "GET", [&] { return GetMonthlyListRows(c); }))) return *r;
  if ((r = route(is({"lists", "progression"}), "GET", [&] { return GetList(c, "progression"); }))) return *r;
  if ((r = route(is({"lists", "progression", "publish"}), "POST", [&] { return PublishProgressionList(c); }))) return *r;
  if ((r = route(is({"lists", "progression", "selection"}), "POST", [&] { return SelectProgressionCases(c); }))) return *r;
  if ((r = route(is({"lists", "progression", "selection"}), "GET", [&] { return GetProgressionSelection(c); }))) return *r;
  if ((r = route(is({"decisions"}), "POST", [&] { return RecordDecision(c); }))) return *r;
  if ((r = route(is({"decisions"}), "GET", [&] { return ListDecisions(c); }))) return *r;
  if ((r = route(is({"deviations"}), "POST", [&] { return ReportDeviation(c); }))) return *r;
  if ((r = route(is({"deviations"}), "GET", [&] { return ListDeviations(c); }))) return *r;
  if ((r = route(is({"deviations", "*", "handled"}), "POST", [&] { return HandleDeviation(c, p[1]); }))) return *r;
  if ((r = route(is({"audits", "decisions"}), "GET", [&] { return DecisionAuditReport(c); }))) return *r;
  if ((r = route(is({"audits", "samples"}), "POST", [&] { return DrawAuditSample(c); }))) return *r;
  if ((r = route(is({"verify"}), "GET", [&] { return Verify(c); }))) return *r;
  if ((r = route(is({"checkpoints", "latest"}), "GET", [&] { return LatestCheckpoint(c); }))) return *r;
  if ((r = route(is({"workflows"}), "GET", [&] { return Workflows(c); }))) return *r;
  if ((r = route(is({"me"}), "GET", [&] { return Me(c); }))) return *r;
  if ((r = route(is({"openapi.json"}), "GET", [&] {
         return ApiResponse{200, "application/json", std::string(OpenApiDocument()), {}};
       })))
    return *r;
  if ((r = route(is({"admin", "clock"}) && d_.manual_clock, "POST", [&] { return MoveClock(c); }))) return *r;
  if ((r = route(is({"admin", "backup"}), "POST", [&] { return Backup(c); }))) return *r;
  if ((r = route(is({"admin", "records"}), "GET", [&] { return AdminRecords(c); }))) return *r;
  return Problem(404, "not_found", "no such route");
}

Status Api::CheckUnit(const std::string& unit) const {
  if (Model().HasUnit(unit)) return Status::Ok();
  std::string known;
  for (const auto& u : Model().UnitIds()) known += (known.empty() ? "" : ", ") + u;
  return InvalidField("unit", "must be one of " + known);
}

}  // namespace casetrail::adapters
