// Sign-in through the organisation's identity provider (OIDC), the one object the API talks to:
//  - API calls with `Authorization: Bearer <JWT access token>`: validated (token_validator.h,
//    audience --oidc-audience) and mapped to an actor (claims_mapping.h);
//  - the web UI: authorization code flow with PKCE run by the server (GET /auth/login,
//    GET /auth/callback), a server-side session behind the cookie `casetrail_session`
//    (HttpOnly; Secure; SameSite=Strict), its CSRF token required on every write made with it,
//    POST /auth/logout, and GET /auth/config for the UI to learn what is on offer.
// docs/operations.md "Connecting an OIDC provider" and docs/api.md "Signing in" describe both.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/http/oidc/claims_mapping.h"
#include "adapters/http/oidc/discovery.h"
#include "adapters/http/oidc/jwks.h"
#include "adapters/http/oidc/sessions.h"
#include "adapters/http/oidc/token_validator.h"
#include "adapters/http/problem.h"

namespace casetrail::adapters::oidc {

inline constexpr const char* kSessionCookie = "casetrail_session";
inline constexpr const char* kLoginCookie = "casetrail_login";

struct OidcOptions {
  std::string issuer;         // --oidc-issuer
  std::string audience;       // --oidc-audience: the `aud` API access tokens must name
  std::string client_id;      // --oidc-client-id: the web UI's client ("" : no web sign-in)
  std::string client_secret;  // from --oidc-client-secret-file; "" : a public client (PKCE only)
  std::string scope = "openid";  // --oidc-scope
  std::string public_url;     // --public-url: the redirect URI is PUBLIC_URL/auth/callback
  std::chrono::seconds leeway{30};
  std::chrono::seconds jwks_min_refetch{10};
  std::chrono::seconds session_idle{std::chrono::minutes(30)};
  std::chrono::seconds session_absolute{std::chrono::hours(8)};
};

// What a credential amounts to: an actor, a refusal (status, problem code, detail), or — only
// when no network call was allowed — a decision deferred until the keys are fetched.
struct AuthOutcome {
  std::optional<engine::Actor> actor;
  int status = 0;
  std::string code, detail;
  bool defer = false;
};

class OidcSignIn {
 public:
  using ModelFn = std::function<const engine::WorkflowModel&()>;
  OidcSignIn(OidcOptions options, ClaimsMapping mapping, ModelFn model);

  // Fetches the discovery document and the keys; a failure is logged and tried again later.
  void Start();
  AuthOutcome Bearer(std::string_view token, bool may_fetch);
  // The session named by the Cookie header; writes (not GET/HEAD) need its CSRF token.
  // nullopt: the header holds no session cookie.
  std::optional<AuthOutcome> Session(const std::string& cookie_header, const std::string& method,
                                     const std::string& csrf_header);
  // GET /auth/config, GET /auth/login, GET /auth/callback, POST /auth/logout.
  ApiResponse Route(const std::string& method, const std::vector<std::string>& path,
                    const std::map<std::string, std::string>& query, const std::string& cookie_header,
                    const std::string& csrf_header);

  bool web_enabled() const { return !options_.client_id.empty(); }
  // Set once before serving, when the redirect URI follows from the bound port.
  void set_public_url(std::string url) { options_.public_url = std::move(url); }
  const std::string& public_url() const { return options_.public_url; }
  int jwks_fetches() const { return keys_.fetches(); }
  SessionStore& sessions() { return sessions_; }

 private:
  Result<Discovery> Discovered();
  ApiResponse Config(const std::string& cookie_header);
  ApiResponse Login();
  ApiResponse Callback(const std::map<std::string, std::string>& query, const std::string& cookie_header);
  ApiResponse Logout(const std::string& cookie_header, const std::string& csrf_header);
  std::string RedirectUri() const { return options_.public_url + "/auth/callback"; }
  std::string CookieAttributes() const;

  OidcOptions options_;
  ClaimsMapping mapping_;
  ModelFn model_;
  std::mutex discovery_mu_;
  std::optional<Discovery> discovery_;  // guarded by discovery_mu_
  std::atomic<bool> discovered_{false};
  JwksCache keys_;
  TokenValidator validator_;
  SessionStore sessions_;
  PendingLogins pending_;
};

// The value of cookie `name` in a Cookie header, or "".
std::string CookieValue(const std::string& header, const std::string& name);
// GET /auth/config of a server without OIDC: the UI offers the token form only.
ApiResponse ConfigWithoutOidc();

}  // namespace casetrail::adapters::oidc
