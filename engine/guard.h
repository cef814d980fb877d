// Named guards: rules a workflow definition refers to by name ("G-TARGET") and a workflow
// implements in code. A guard is pure: it sees the case, the command's fields and the time, and
// may resolve a record the command refers to by id (a list, a meeting) through `lookup`, which
// reads immutable records only: deciding stays repeatable, and replay never re-runs it.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "engine/case_state.h"
#include "engine/event.h"
#include "storage/base/status.h"

namespace casetrail::engine {

// A record a command refers to by id, as the command path found it in the log: which unit it
// belongs to, which cases it lists and whether it was published. What the id names is the
// workflow's business; the engine only carries the answer.
struct ReferencedRecord {
  std::string kind;
  std::string unit;
  std::set<std::string> cases;
  bool published = false;
};

// Resolves a reference; nullopt when no such record exists (or it cannot be read: a guard that
// cannot see the record refuses rather than allows). Supplied by whoever wires the command path
// (CaseService::SetReferenceLookup); absent in tests of pure decisions.
using ReferenceLookup = std::function<std::optional<ReferencedRecord>(const std::string& id)>;

struct GuardContext {
  const CaseState& state;
  const Fields& fields;  // the command's fields, defaults applied
  const Actor& actor;
  Timestamp now;
  const ReferenceLookup* lookup = nullptr;  // nullptr: references are checked by their form only
};

// Returns true when the rule allows the command.
using GuardFn = std::function<bool(const GuardContext&)>;
using GuardTable = std::map<std::string, GuardFn>;

}  // namespace casetrail::engine
