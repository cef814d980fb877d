// Named guards: rules a workflow definition refers to by name ("G-TARGET") and a workflow
// implements in code. A guard is pure: it sees the case, the command's fields and the time.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "engine/case_state.h"
#include "engine/event.h"
#include "storage/base/status.h"

namespace casetrail::engine {

struct GuardContext {
  const CaseState& state;
  const Fields& fields;  // the command's fields, defaults applied
  const Actor& actor;
  Timestamp now;
};

// Returns true when the rule allows the command.
using GuardFn = std::function<bool(const GuardContext&)>;
using GuardTable = std::map<std::string, GuardFn>;

}  // namespace casetrail::engine
