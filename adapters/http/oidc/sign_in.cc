#include "adapters/http/oidc/sign_in.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "adapters/http/oidc/http_fetch.h"

namespace casetrail::adapters::oidc {

namespace json = boost::json;

namespace {

AuthOutcome Refused(int status, std::string code, std::string detail) {
  AuthOutcome o;
  o.status = status;
  o.code = std::move(code);
  o.detail = std::move(detail);
  return o;
}

ApiResponse Redirect(const std::string& location) {
  ApiResponse r{302, "text/plain; charset=utf-8", "", {{"Location", location}}};
  return r;
}

// Back to the UI's sign-in page with a reason code it explains (never the provider's text).
ApiResponse SignInFailed(const char* reason) {
  return Redirect(std::string("/#/signin?error=") + reason);
}

bool IsWrite(const std::string& method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

}  // namespace

std::string CookieValue(const std::string& header, const std::string& name) {
  size_t i = 0;
  while (i < header.size()) {
    size_t end = header.find(';', i);
    if (end == std::string::npos) end = header.size();
    std::string_view pair(header.data() + i, end - i);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name && pair[name.size()] == '=') {
      return std::string(pair.substr(name.size() + 1));
    }
    i = end + 1;
  }
  return "";
}

ApiResponse ConfigWithoutOidc() { return Json(200, {{"oidc", false}, {"login", nullptr}, {"session", nullptr}}); }

OidcSignIn::OidcSignIn(OidcOptions options, ClaimsMapping mapping, ModelFn model)
    : options_(std::move(options)),
      mapping_(std::move(mapping)),
      model_(std::move(model)),
      keys_(
          [this]() -> Result<std::string> {
            CT_ASSIGN_OR_RETURN(Discovery d, Discovered());
            CT_ASSIGN_OR_RETURN(FetchResponse r, Fetch({d.jwks_uri}));
            if (r.status != 200) return Unavailable("OIDC: the JWKS answered HTTP " + std::to_string(r.status));
            return r.body;
          },
          JwksCache::Options{options_.jwks_min_refetch, std::chrono::seconds(3600)}),
      validator_(options_.issuer, &keys_, options_.leeway),
      sessions_(options_.session_idle, options_.session_absolute) {}

Result<Discovery> OidcSignIn::Discovered() {
  std::lock_guard lock(discovery_mu_);
  if (discovery_) return *discovery_;
  CT_ASSIGN_OR_RETURN(Discovery d, FetchDiscovery(options_.issuer));
  discovery_ = d;
  discovered_ = true;
  return d;
}

void OidcSignIn::Start() {
  if (auto d = Discovered(); !d.ok()) {
    spdlog::warn("OIDC: the issuer's discovery document could not be read ({}); tried again at the next sign-in",
                 d.status().message());
    return;
  }
  if (Status s = keys_.Refresh(); !s.ok()) spdlog::warn("OIDC: the issuer's keys could not be read ({})", s.message());
}

AuthOutcome OidcSignIn::Bearer(std::string_view token, bool may_fetch) {
  if (!may_fetch && !discovered_) {
    AuthOutcome o;
    o.defer = true;
    return o;
  }
  auto checked = validator_.Validate(token, options_.audience, may_fetch);
  if (auto* refusal = std::get_if<TokenRefusal>(&checked)) {
    if (*refusal == TokenRefusal::kNeedsFetch) {
      AuthOutcome o;
      o.defer = true;
      return o;
    }
    // The cause, never the token or its claims.
    spdlog::info("OIDC access token refused: {}", Describe(*refusal));
    return Refused(401, "unauthenticated", Describe(*refusal));
  }
  auto actor = mapping_.Map(std::get<json::object>(checked), model_());
  if (!actor.ok()) {
    spdlog::info("OIDC access token refused: {}", actor.status().message());
    return Refused(403, "forbidden", std::string(actor.status().message()));
  }
  AuthOutcome o;
  o.actor = std::move(*actor);
  return o;
}

std::optional<AuthOutcome> OidcSignIn::Session(const std::string& cookie_header, const std::string& method,
                                               const std::string& csrf_header) {
  const std::string id = CookieValue(cookie_header, kSessionCookie);
  if (id.empty()) return std::nullopt;
  auto s = sessions_.Find(id);
  if (!s) return Refused(401, "unauthenticated", "the session has ended; sign in again");
  if (IsWrite(method) && !SameSecret(csrf_header, s->csrf_token)) {
    return Refused(403, "csrf_failed", "a write made with the session cookie needs the session's X-CSRF-Token header");
  }
  AuthOutcome o;
  o.actor = s->actor;
  return o;
}

std::string OidcSignIn::CookieAttributes() const { return "; Path=/; HttpOnly; Secure; SameSite=Strict"; }

ApiResponse OidcSignIn::Route(const std::string& method, const std::vector<std::string>& path,
                              const std::map<std::string, std::string>& query, const std::string& cookie_header,
                              const std::string& csrf_header) {
  const std::string name = path.size() == 1 ? path[0] : "";
  const char* want = name == "logout" ? "POST" : "GET";
  if (name != "config" && name != "login" && name != "callback" && name != "logout") {
    return Problem(404, "not_found", "no such route");
  }
  if (method != want) return Problem(405, "method_not_allowed", std::string("use ") + want);
  if (name == "config") return Config(cookie_header);
  if (name == "logout") return Logout(cookie_header, csrf_header);
  if (!web_enabled()) return Problem(404, "not_found", "sign-in through the provider is not configured (--oidc-client-id)");
  if (name == "login") return Login();
  return Callback(query, cookie_header);
}

ApiResponse OidcSignIn::Config(const std::string& cookie_header) {
  json::value session = nullptr;
  const std::string id = CookieValue(cookie_header, kSessionCookie);
  if (auto s = id.empty() ? std::nullopt : sessions_.Find(id)) {
    session = json::object{{"csrf_token", s->csrf_token},
                           {"idle_timeout_s", sessions_.idle().count()},
                           {"actor", json::object{{"id", s->actor.id}, {"role", s->actor.role}}}};
  }
  return Json(200, {{"oidc", web_enabled()},
                    {"login", web_enabled() ? json::value("/auth/login") : json::value(nullptr)},
                    {"session", std::move(session)}});
}

ApiResponse OidcSignIn::Login() {
  auto d = Discovered();
  if (!d.ok()) {
    spdlog::warn("OIDC sign-in: the issuer's discovery document could not be read ({})", d.status().message());
    return Problem(503, "unavailable", "the identity provider cannot be reached; try again shortly");
  }
  const std::string state = RandomToken(), nonce = RandomToken(), verifier = RandomToken(), browser = RandomToken();
  pending_.Put(state, {nonce, verifier, HashId(browser), {}});
  std::string url = d->authorization_endpoint;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "response_type=code&client_id=" + FormEncode(options_.client_id) +
         "&redirect_uri=" + FormEncode(RedirectUri()) + "&scope=" + FormEncode(options_.scope) +
         "&state=" + state + "&nonce=" + nonce + "&code_challenge=" + CodeChallengeS256(verifier) +
         "&code_challenge_method=S256";
  ApiResponse r = Redirect(url);
  // Binds the callback to this browser (no login CSRF). Lax, not Strict: the callback arrives
  // as a top-level navigation from the provider's site.
  r.headers.emplace_back("Set-Cookie", std::string(kLoginCookie) + "=" + browser +
                                           "; Path=/auth/callback; Max-Age=600; HttpOnly; Secure; SameSite=Lax");
  return r;
}

ApiResponse OidcSignIn::Callback(const std::map<std::string, std::string>& query, const std::string& cookie_header) {
  auto param = [&](const char* k) {
    auto it = query.find(k);
    return it == query.end() ? std::string() : it->second;
  };
  auto pending = pending_.Take(param("state"));
  if (!pending) {
    spdlog::info("OIDC sign-in refused: unknown or expired state");
    return SignInFailed("expired");
  }
  if (!SameSecret(HashId(CookieValue(cookie_header, kLoginCookie)), pending->browser_hash)) {
    spdlog::info("OIDC sign-in refused: the callback came to another browser than the one that started it");
    return SignInFailed("failed");
  }
  if (!param("error").empty() || param("code").empty()) {
    spdlog::info("OIDC sign-in: the provider returned no code");
    return SignInFailed("denied");
  }
  auto d = Discovered();
  if (!d.ok()) return SignInFailed("unavailable");
  FetchRequest exchange{d->token_endpoint};
  exchange.form_body = "grant_type=authorization_code&code=" + FormEncode(param("code")) +
                       "&redirect_uri=" + FormEncode(RedirectUri()) + "&code_verifier=" + pending->code_verifier;
  if (options_.client_secret.empty()) {
    exchange.form_body += "&client_id=" + FormEncode(options_.client_id);  // a public client: PKCE only
  } else {
    exchange.basic_user = options_.client_id;  // client_secret_basic
    exchange.basic_password = options_.client_secret;
  }
  auto answer = Fetch(exchange);
  if (!answer.ok() || answer->status != 200) {
    spdlog::warn("OIDC sign-in: the code exchange failed ({})",
                 answer.ok() ? "HTTP " + std::to_string(answer->status) : answer.status().message());
    return SignInFailed("failed");
  }
  boost::system::error_code ec;
  auto tokens = json::parse(answer->body, ec);
  const json::value* id_token = !ec && tokens.is_object() ? tokens.as_object().if_contains("id_token") : nullptr;
  if (!id_token || !id_token->is_string()) return SignInFailed("failed");
  auto checked = validator_.Validate(std::string(id_token->as_string()), options_.client_id, true);
  if (auto* refusal = std::get_if<TokenRefusal>(&checked)) {
    spdlog::info("OIDC sign-in refused: ID token: {}", Describe(*refusal));
    return SignInFailed("failed");
  }
  const auto& claims = std::get<json::object>(checked);
  const auto* nonce = claims.if_contains("nonce");
  if (!nonce || !nonce->is_string() || !SameSecret(std::string(nonce->as_string()), pending->nonce)) {
    spdlog::info("OIDC sign-in refused: the ID token's nonce is not the one sent");
    return SignInFailed("failed");
  }
  auto actor = mapping_.Map(claims, model_());
  if (!actor.ok()) {
    spdlog::info("OIDC sign-in refused: {}", actor.status().message());
    return SignInFailed("no_role");
  }
  const std::string session = sessions_.Create(*actor);
  spdlog::info("OIDC sign-in: a session began for role {}", actor->role);
  ApiResponse r = Redirect("/");
  r.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) + "=" + session + CookieAttributes());
  r.headers.emplace_back("Set-Cookie", std::string(kLoginCookie) +
                                           "=; Path=/auth/callback; Max-Age=0; HttpOnly; Secure; SameSite=Lax");
  return r;
}

ApiResponse OidcSignIn::Logout(const std::string& cookie_header, const std::string& csrf_header) {
  const std::string id = CookieValue(cookie_header, kSessionCookie);
  if (auto s = id.empty() ? std::nullopt : sessions_.Find(id)) {
    if (!SameSecret(csrf_header, s->csrf_token)) {
      return Problem(403, "csrf_failed", "sign-out needs the session's X-CSRF-Token header");
    }
    sessions_.End(id);
  }
  ApiResponse r{204, "application/json", "", {}};
  r.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) + "=" + CookieAttributes() + "; Max-Age=0");
  return r;
}

}  // namespace casetrail::adapters::oidc
