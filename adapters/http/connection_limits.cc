#include "adapters/http/connection_limits.h"

namespace casetrail::adapters {

ConnectionLimits::Verdict ConnectionLimits::Acquire(const std::string& address) {
  std::lock_guard lock(mu_);
  if (total_ >= max_total_) return Verdict::kServerFull;
  size_t& mine = by_address_[address];
  if (mine >= max_per_address_) {
    if (mine == 0) by_address_.erase(address);  // a cap of 0: keep the map free of empty entries
    return Verdict::kAddressFull;
  }
  ++mine;
  ++total_;
  return Verdict::kAdmitted;
}

void ConnectionLimits::Release(const std::string& address) {
  std::lock_guard lock(mu_);
  auto it = by_address_.find(address);
  if (it == by_address_.end()) return;
  if (--it->second == 0) by_address_.erase(it);
  --total_;
}

size_t ConnectionLimits::open() const {
  std::lock_guard lock(mu_);
  return total_;
}

}  // namespace casetrail::adapters
