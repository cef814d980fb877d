// Failpoints for crash tests: CT_FAILPOINT("name") kills the process with SIGKILL when the
// environment variable CASETRAIL_FAILPOINT equals "name". A test sets it on a server it starts to
// die at an exact point (say, between a receiver's answer and the record of it) instead of hoping
// a timed kill lands there. Unset, a failpoint costs one comparison against a cached pointer.
#pragma once

#include <signal.h>

#include <cstdlib>
#include <cstring>

namespace casetrail {

// True when CASETRAIL_FAILPOINT names `name`: for faults other than a kill (a test's slow or
// throwing handler, adapters/http/server.cc).
inline bool FailpointArmed(const char* name) {
  static const char* const armed = std::getenv("CASETRAIL_FAILPOINT");
  return armed != nullptr && std::strcmp(armed, name) == 0;
}

inline void Failpoint(const char* name) {
  if (FailpointArmed(name)) ::raise(SIGKILL);
}

}  // namespace casetrail

#define CT_FAILPOINT(name) ::casetrail::Failpoint(name)
