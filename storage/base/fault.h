// Injected faults for tests of the error paths that a real disk seldom takes (a failed read of a
// subscription, say). CT_FAULT("name") is true while the fault is armed: always, when the
// environment variable CASETRAIL_FAULT equals "name" (a test sets it on a server it starts); or
// for the next `times` checks after TEST_ArmFault("name", times) in this process. Unarmed, a
// check costs one relaxed atomic load.
#pragma once

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

namespace casetrail {

namespace fault_detail {
inline std::atomic<int>& Remaining() {
  static std::atomic<int> remaining{0};
  return remaining;
}
inline std::string& Armed() {
  static std::string armed;
  return armed;
}
inline std::mutex& Mu() {
  static std::mutex mu;
  return mu;
}
}  // namespace fault_detail

inline void TEST_ArmFault(const char* name, int times) {
  std::lock_guard lock(fault_detail::Mu());
  fault_detail::Armed() = name;
  fault_detail::Remaining().store(times);
}

inline bool Fault(const char* name) {
  static const char* const env = std::getenv("CASETRAIL_FAULT");
  if (env != nullptr && std::strcmp(env, name) == 0) return true;
  if (fault_detail::Remaining().load(std::memory_order_relaxed) <= 0) return false;
  std::lock_guard lock(fault_detail::Mu());
  if (fault_detail::Armed() != name || fault_detail::Remaining() <= 0) return false;
  --fault_detail::Remaining();
  return true;
}

}  // namespace casetrail

#define CT_FAULT(name) ::casetrail::Fault(name)
