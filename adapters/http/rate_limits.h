// Rate limits on what an attacker with an account, or without one, could do in bulk:
//  - lookups by personal identity number, per user: a fixed budget per rolling minute, so an
//    account cannot check thousands of numbers (issue 17);
//  - failed sign-ins (a wrong or missing bearer token), per client address: after a number of
//    failures within a minute the address is refused for a back-off that doubles with each
//    further lock-out (1 s, 2 s, 4 s … up to 15 minutes), so tokens cannot be guessed quickly.
// Both answer how long to wait (Retry-After). Time is the monotonic clock, never the workflow's
// clock (which an admin may move with --manual-clock). Keys are user ids and addresses only.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace casetrail::adapters {

class RateLimits {
 public:
  using Clock = std::chrono::steady_clock;
  // 0 disables a limit.
  RateLimits(int lookups_per_minute, int sign_in_failures_per_minute)
      : lookups_per_minute_(lookups_per_minute), failures_per_minute_(sign_in_failures_per_minute) {}

  // Counts a lookup by `user`; nullopt if allowed, else the seconds to wait.
  std::optional<int> TakeLookup(const std::string& user, Clock::time_point now = Clock::now());
  // Whether `address` is locked out now; the seconds left if so.
  std::optional<int> SignInBlocked(const std::string& address, Clock::time_point now = Clock::now());
  // Counts a failed sign-in from `address`; returns the lock-out in seconds if this one started it.
  std::optional<int> SignInFailed(const std::string& address, Clock::time_point now = Clock::now());

 private:
  struct Address {
    std::deque<Clock::time_point> failures;  // within the last minute
    Clock::time_point blocked_until{};
    int lockouts = 0;  // consecutive lock-outs: the back-off doubles with each
    Clock::time_point last_seen{};
  };
  // Drops entries idle for longer than any window or back-off, so the maps stay bounded.
  void Prune(Clock::time_point now);

  const int lookups_per_minute_;
  const int failures_per_minute_;
  std::mutex mu_;
  std::map<std::string, std::deque<Clock::time_point>> lookups_;
  std::map<std::string, Address> addresses_;
  Clock::time_point last_prune_{};
};

}  // namespace casetrail::adapters
