#include "adapters/http/api.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include <boost/url.hpp>

#include "adapters/http/api_cadences.h"
#include "adapters/http/api_cases.h"
#include "adapters/http/api_gdpr.h"
#include "adapters/http/api_indicators.h"
#include "adapters/http/api_lists.h"
#include "adapters/http/api_search.h"
#include "adapters/http/api_strategic.h"
#include "adapters/http/api_subjects.h"
#include "adapters/http/api_system.h"
#include "adapters/http/body_fields.h"
#include "adapters/http/oidc/sign_in.h"
#include "adapters/http/read_models.h"
#include "engine/reserves.h"
#include "adapters/http/server.h"
#include "adapters/http/web_assets.h"
#include "storage/base/hex.h"

namespace casetrail::adapters {
namespace json = boost::json;

Api::Api(ApiDeps deps)
    : d_(std::move(deps)),
      limits_(std::make_shared<RateLimits>(d_.lookups_per_minute, d_.sign_in_failures_per_minute)),
      checks_(d_.service),
      hashes_(d_.fingerprint_key) {
  RegisterRoutes();
}

Api::~Api() = default;

void Api::RegisterRoutes() {
  subjects_ = std::make_unique<SubjectRoutes>(SubjectRoutes::Deps{
      d_.log, d_.service, d_.registry, d_.clock, d_.metrics, limits_.get(), &hashes_, d_.lookup_hash_key});
  cases_ = std::make_unique<CaseRoutes>(
      CaseRoutes::Deps{d_.log, d_.service, d_.keys, d_.registry, d_.clock, d_.directory, &hashes_});
  search_ = std::make_unique<SearchRoutes>(
      SearchRoutes::Deps{d_.log, d_.service, d_.clock, d_.directory, d_.names, d_.metrics, limits_.get(), d_.lookup_hash_key});
  gdpr_ = std::make_unique<GdprRoutes>(
      GdprRoutes::Deps{d_.log, d_.service, d_.keys, d_.registry, d_.clock, d_.retention, &hashes_});
  indicators_ = std::make_unique<IndicatorRoutes>(
      IndicatorRoutes::Deps{d_.log, d_.service, d_.registry, d_.clock, d_.indicators, d_.suppress_below});
  strategic_ = std::make_unique<StrategicRoutes>(
      StrategicRoutes::Deps{d_.log, d_.service, d_.registry, d_.clock, d_.suppress_below});
  lists_ = std::make_unique<ListRoutes>(ListRoutes::Deps{d_.log, d_.service, d_.keys, d_.registry, d_.clock, d_.worker});
  cadences_ = std::make_unique<CadenceRoutes>(CadenceRoutes::Deps{d_.log, d_.service, d_.clock});
  system_ = std::make_unique<SystemRoutes>(SystemRoutes::Deps{d_.log, d_.service, d_.registry, d_.clock, d_.manual_clock,
                                                              d_.worker, d_.key_store, d_.backup_root});
  subjects_->Register(routes_);
  cases_->Register(routes_);
  search_->Register(routes_);
  gdpr_->Register(routes_);
  indicators_->Register(routes_);
  strategic_->Register(routes_);
  lists_->Register(routes_);
  cadences_->Register(routes_);
  system_->Register(routes_);
  // Handlers declared on Api itself go here, e.g.
  //   routes_.Add("GET", {"things", "*"}, [this](Call& c) { return GetThing(c, c.path[1]); });
  routes_.Add("GET", {"work"}, [this](Call& c) { return Work(c); });  // api_work.cc
}

Result<VisibleCase> Api::LoadVisibleCase(const Call& c, const std::string& case_id) const {
  return adapters::LoadVisibleCase(*d_.log, *d_.registry, Model(), c, case_id);
}

Result<std::pair<std::string, std::optional<std::string>>> Api::IndicatorScope(
    const std::map<std::string, std::string>& query, const boost::json::object* body) const {
  return adapters::IndicatorScope(checks_, query, body);
}

Result<bool> Api::TakeScheduledSnapshot(const std::string& period, const std::optional<std::string>& unit) {
  return indicators_->TakeScheduledSnapshot(period, unit);
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
  Call call{req, *actor, {segments.begin() + 1, segments.end()}, std::move(query), {}, hashes_.StoredIdempotencyKey(req.idempotency_key)};

  // 2. Route and method, before looking at the body.
  bool matched = false;
  const Handler* handler = routes_.Find(req.method, call.path, &matched);
  if (!matched) return Problem(404, "not_found", "no such route");
  if (!handler) return Problem(405, "method_not_allowed", "method not allowed on this route");

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
  return (*handler)(call);
}

}  // namespace casetrail::adapters
