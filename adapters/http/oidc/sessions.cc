#include "adapters/http/oidc/sessions.h"

#include <openssl/sha.h>
#include <sodium.h>

#include <cstring>

#include "storage/base/hex.h"

namespace casetrail::adapters::oidc {

namespace {
constexpr auto kLoginTtl = std::chrono::minutes(10);
constexpr size_t kMaxPending = 10000;

std::string Base64Url(const unsigned char* data, size_t n) {
  std::string out(sodium_base64_encoded_len(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), data, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}
}  // namespace

std::string RandomToken() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof(bytes));
  return Base64Url(bytes, sizeof(bytes));
}

std::string CodeChallengeS256(const std::string& verifier) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
  return Base64Url(digest, sizeof(digest));
}

bool SameSecret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string HashId(const std::string& id) {
  unsigned char out[32];
  crypto_generichash(out, sizeof(out), reinterpret_cast<const unsigned char*>(id.data()), id.size(), nullptr, 0);
  return ToHex(std::string_view(reinterpret_cast<const char*>(out), sizeof(out)));
}

SessionStore::SessionStore(std::chrono::seconds idle, std::chrono::seconds absolute, size_t max_sessions)
    : idle_(idle), absolute_(absolute), max_sessions_(max_sessions) {}

bool SessionStore::ExpiredLocked(const Session& s, Clock::time_point now) const {
  return now - s.last_seen >= idle_ || now - s.created >= absolute_;
}

void SessionStore::SweepLocked(Clock::time_point now) {
  for (auto it = by_hash_.begin(); it != by_hash_.end();) {
    it = ExpiredLocked(it->second, now) ? by_hash_.erase(it) : std::next(it);
  }
}

std::string SessionStore::Create(const engine::Actor& actor) {
  const std::string id = RandomToken();
  const auto now = Clock::now();
  std::lock_guard lock(mu_);
  if (by_hash_.size() >= max_sessions_) SweepLocked(now);
  if (by_hash_.size() >= max_sessions_) {
    // Full of live sessions: the least recently used one makes room.
    auto oldest = by_hash_.begin();
    for (auto it = by_hash_.begin(); it != by_hash_.end(); ++it) {
      if (it->second.last_seen < oldest->second.last_seen) oldest = it;
    }
    by_hash_.erase(oldest);
  }
  by_hash_[HashId(id)] = Session{actor, RandomToken(), now, now};
  return id;
}

std::optional<SessionStore::Session> SessionStore::Find(const std::string& cookie_value) {
  if (cookie_value.empty()) return std::nullopt;
  const auto now = Clock::now();
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(HashId(cookie_value));
  if (it == by_hash_.end()) return std::nullopt;
  if (ExpiredLocked(it->second, now)) {
    by_hash_.erase(it);
    return std::nullopt;
  }
  it->second.last_seen = now;
  return it->second;
}

bool SessionStore::End(const std::string& cookie_value) {
  std::lock_guard lock(mu_);
  return by_hash_.erase(HashId(cookie_value)) > 0;
}

size_t SessionStore::size() const {
  std::lock_guard lock(mu_);
  return by_hash_.size();
}

void PendingLogins::Put(const std::string& state, Pending p) {
  const auto now = Clock::now();
  std::lock_guard lock(mu_);
  if (by_state_.size() >= kMaxPending) {
    for (auto it = by_state_.begin(); it != by_state_.end();) {
      it = now - it->second.created > kLoginTtl ? by_state_.erase(it) : std::next(it);
    }
    if (by_state_.size() >= kMaxPending) by_state_.erase(by_state_.begin());
  }
  p.created = now;
  by_state_[HashId(state)] = std::move(p);
}

std::optional<PendingLogins::Pending> PendingLogins::Take(const std::string& state) {
  std::lock_guard lock(mu_);
  auto it = by_state_.find(HashId(state));
  if (it == by_state_.end()) return std::nullopt;
  Pending p = std::move(it->second);
  by_state_.erase(it);
  if (Clock::now() - p.created > kLoginTtl) return std::nullopt;
  return p;
}

}  // namespace casetrail::adapters::oidc
