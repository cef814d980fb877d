#include "adapters/http/rate_limits.h"

#include <algorithm>
#include <iterator>

namespace casetrail::adapters {
namespace {
constexpr auto kWindow = std::chrono::minutes(1);
constexpr auto kMaxBackoff = std::chrono::minutes(15);
// A locked-out address that stays quiet this long starts again at the shortest back-off.
constexpr auto kForgetAfter = std::chrono::minutes(30);

int SecondsUntil(RateLimits::Clock::time_point then, RateLimits::Clock::time_point now) {
  const auto left = std::chrono::ceil<std::chrono::seconds>(then - now).count();
  return static_cast<int>(std::max<int64_t>(1, left));
}

void DropOlderThan(std::deque<RateLimits::Clock::time_point>& q, RateLimits::Clock::time_point cutoff) {
  while (!q.empty() && q.front() <= cutoff) q.pop_front();
}
}  // namespace

std::optional<int> RateLimits::TakeLookup(const std::string& user, Clock::time_point now) {
  if (lookups_per_minute_ <= 0) return std::nullopt;
  std::lock_guard lock(mu_);
  Prune(now);
  auto& q = lookups_[user];
  DropOlderThan(q, now - kWindow);
  if (static_cast<int>(q.size()) >= lookups_per_minute_) return SecondsUntil(q.front() + kWindow, now);
  q.push_back(now);
  return std::nullopt;
}

std::optional<int> RateLimits::SignInBlocked(const std::string& address, Clock::time_point now) {
  if (failures_per_minute_ <= 0 || address.empty()) return std::nullopt;
  std::lock_guard lock(mu_);
  auto it = addresses_.find(address);
  if (it == addresses_.end() || it->second.blocked_until <= now) return std::nullopt;
  return SecondsUntil(it->second.blocked_until, now);
}

std::optional<int> RateLimits::SignInFailed(const std::string& address, Clock::time_point now) {
  if (failures_per_minute_ <= 0 || address.empty()) return std::nullopt;
  std::lock_guard lock(mu_);
  Prune(now);
  Address& a = addresses_[address];
  if (a.lockouts > 0 && now - a.last_seen > kForgetAfter) a.lockouts = 0;
  a.last_seen = now;
  DropOlderThan(a.failures, now - kWindow);
  a.failures.push_back(now);
  if (static_cast<int>(a.failures.size()) < failures_per_minute_) return std::nullopt;
  // Locked out: 1 s, doubling with each consecutive lock-out, at most kMaxBackoff.
  const auto backoff = std::min<Clock::duration>(std::chrono::seconds(1) * (int64_t{1} << std::min(a.lockouts, 20)), kMaxBackoff);
  ++a.lockouts;
  a.failures.clear();
  a.blocked_until = now + backoff;
  return SecondsUntil(a.blocked_until, now);
}

void RateLimits::Prune(Clock::time_point now) {
  if (now - last_prune_ < kWindow) return;
  last_prune_ = now;
  for (auto it = lookups_.begin(); it != lookups_.end();) {
    DropOlderThan(it->second, now - kWindow);
    it = it->second.empty() ? lookups_.erase(it) : std::next(it);
  }
  for (auto it = addresses_.begin(); it != addresses_.end();) {
    const bool idle = it->second.blocked_until <= now && now - it->second.last_seen > kForgetAfter;
    it = idle ? addresses_.erase(it) : std::next(it);
  }
}

}  // namespace casetrail::adapters
