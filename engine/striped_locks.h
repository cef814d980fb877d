// StripedLocks: a fixed set of mutexes chosen by a key's hash, to serialise work on one key
// (a personal number's registration, one subject's erasure and legal holds) without a lock per
// key. Two keys may share a stripe; that only serialises them, it never breaks correctness.
#pragma once

#include <array>
#include <functional>
#include <mutex>
#include <string>

namespace casetrail::engine {

class StripedLocks {
 public:
  std::mutex& For(const std::string& key) { return stripes_[std::hash<std::string>{}(key) % stripes_.size()]; }

 private:
  std::array<std::mutex, 64> stripes_;
};

}  // namespace casetrail::engine
