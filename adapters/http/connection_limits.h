// ConnectionLimits: how many connections the server holds open, in all and per client address.
// A connection beyond either cap is answered 503 and closed instead of holding a descriptor (and
// a session) until its read deadline: idle or slow clients cannot use up the process's files.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace casetrail::adapters {

class ConnectionLimits {
 public:
  enum class Verdict { kAdmitted, kServerFull, kAddressFull };

  ConnectionLimits(size_t max_total, size_t max_per_address)
      : max_total_(max_total), max_per_address_(max_per_address) {}

  // Counts a connection from `address` if both caps allow it; Release() gives it back.
  Verdict Acquire(const std::string& address);
  void Release(const std::string& address);
  size_t open() const;

 private:
  const size_t max_total_, max_per_address_;
  mutable std::mutex mu_;
  size_t total_ = 0;                        // guarded by mu_
  std::map<std::string, size_t> by_address_;  // guarded by mu_; no entry at zero
};

// Holds one admitted connection's place and gives it back when the session ends, however it ends.
class ConnectionLease {
 public:
  ConnectionLease(ConnectionLimits* limits, std::string address) : limits_(limits), address_(std::move(address)) {}
  ConnectionLease(ConnectionLease&& other) noexcept : limits_(other.limits_), address_(std::move(other.address_)) {
    other.limits_ = nullptr;
  }
  ConnectionLease(const ConnectionLease&) = delete;
  ConnectionLease& operator=(const ConnectionLease&) = delete;
  ConnectionLease& operator=(ConnectionLease&&) = delete;
  ~ConnectionLease() {
    if (limits_) limits_->Release(address_);
  }

 private:
  ConnectionLimits* limits_;
  std::string address_;
};

}  // namespace casetrail::adapters
