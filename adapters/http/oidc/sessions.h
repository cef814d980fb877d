// Server-side state of the web UI's sign-in: sessions behind the HttpOnly cookie, and the
// sign-ins under way (state → nonce, PKCE verifier). Both live in memory only: a restart signs
// everyone out, and no session or verifier ever reaches the log or a file. Ids are 256 random
// bits, kept only as hashes; a session ends after `idle` without a request or `absolute` after
// sign-in, whichever comes first, or at sign-out.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "engine/event.h"

namespace casetrail::adapters::oidc {

// 32 random bytes as base64url without padding (43 characters).
std::string RandomToken();
// base64url(SHA-256(verifier)): the PKCE S256 code challenge (RFC 7636 §4.2).
std::string CodeChallengeS256(const std::string& verifier);
// Constant-time equality of two strings.
bool SameSecret(const std::string& a, const std::string& b);

class SessionStore {
 public:
  using Clock = std::chrono::steady_clock;
  struct Session {
    engine::Actor actor;
    std::string csrf_token;
    Clock::time_point created, last_seen;
  };
  SessionStore(std::chrono::seconds idle, std::chrono::seconds absolute, size_t max_sessions = 100000);

  // The new session's cookie value; the session carries a fresh CSRF token.
  std::string Create(const engine::Actor& actor);
  // The session for a cookie value (its idle time restarted), or nullopt if unknown or timed out
  // (then it is removed).
  std::optional<Session> Find(const std::string& cookie_value);
  // Ends it; false if there was none.
  bool End(const std::string& cookie_value);
  size_t size() const;
  std::chrono::seconds idle() const { return idle_; }
  std::chrono::seconds absolute() const { return absolute_; }

 private:
  bool ExpiredLocked(const Session& s, Clock::time_point now) const;
  void SweepLocked(Clock::time_point now);

  std::chrono::seconds idle_, absolute_;
  size_t max_sessions_;
  mutable std::mutex mu_;
  std::map<std::string, Session> by_hash_;
};

// Sign-ins started at GET /auth/login and not yet come back: single use, 10 minutes at most.
class PendingLogins {
 public:
  using Clock = std::chrono::steady_clock;
  struct Pending {
    std::string nonce, code_verifier, browser_hash;
    Clock::time_point created;
  };
  void Put(const std::string& state, Pending p);
  // Removes and returns it; nullopt if unknown or older than 10 minutes.
  std::optional<Pending> Take(const std::string& state);

 private:
  std::mutex mu_;
  std::map<std::string, Pending> by_state_;
};

// The keyed-free hash under which ids are kept (BLAKE2b-256, hex).
std::string HashId(const std::string& id);

}  // namespace casetrail::adapters::oidc
