// The generic state-machine runtime. Deciding and folding are pure functions of their inputs:
// they never read a clock, a store or the outside world, so replay is deterministic.
//
// Refusals are Statuses whose context field "code" is the API error code (API.md "Errors"):
//   kInvalidArgument    invalid_field (+ "field"), unknown_command
//   kPermissionDenied   forbidden
//   kFailedPrecondition consent_missing (+ "scope"), invalid_transition (+ "current_state",
//                       "allowed_commands", comma-separated), guard_failed (+ "guard")
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "engine/case_state.h"
#include "engine/consent.h"
#include "engine/definition.h"
#include "engine/event.h"
#include "engine/guard.h"
#include "engine/model.h"

namespace casetrail::engine {

struct Command {
  std::string name;
  Fields fields;
  std::optional<Timestamp> effective_at;  // default: now
};

// An event decided but not yet stored: `personal` is sealed by the caller before appending.
struct PendingEvent {
  Event event;
  Fields personal;
};

// A refusal with its API code (and optional context).
Status Refusal(StatusCode code, const std::string& api_code, std::string message);

// A field's name as an invalid_field refusal shows it (in `field`, the detail and the refusal
// log). The caller chose the name, so it is shown only if it looks like one: an ASCII letter or
// '_', then letters, digits, '_', '.' or '-', at most 64 in all. Anything else shows as
// "(not a field name)": bytes that are not UTF-8 would make the answer invalid JSON, and a value
// sent where a name goes (a personal number, say) must not be repeated.
std::string ShownFieldName(std::string_view name);

// invalid_field for members the caller sent that are not fields here: counted ("2 unknown
// fields in the body", `unknown_fields`: 2), never named, since every name is the caller's text.
Status UnknownFields(size_t count, const std::string& where);

// 422 personal_data_in_text naming `field` when text that would be stored unsealed (a deviation
// summary, a legal hold's reference, a command's non-personal text field) holds a personal
// identity number: in clear it would outlive the person's erasure.
Status RefuseIfPersonalNumber(const std::string& field, std::string_view text);

// Checks the command's fields against its spec and returns them with defaults applied.
// Missing, mistyped or out-of-code-list fields give invalid_field naming the field; unknown ones
// are counted (UnknownFields).
Result<Fields> ValidateFields(const CommandSpec& spec, const WorkflowDefinition& def, const Fields& given);

// Role (and role condition) check; for a role bound to its unit also the unit of a new case.
Status CheckRole(const WorkflowModel& model, const CommandSpec& spec, const Fields& fields, const Actor& actor);

struct DecideInput {
  const CaseState& state;
  const CommandSpec& spec;
  const Fields& fields;  // validated, defaults applied
  const Actor& actor;
  Timestamp now;
  std::optional<Timestamp> effective_at;
  const WorkflowDefinition& definition;  // the case's revision (the newest one for a new case)
  const GuardTable& guards;
  const ConsentState& consent;
  std::string consent_ref;
  std::string legal_basis;
  const ReferenceLookup* lookup = nullptr;  // for guards that resolve a referenced record
};

// Consent, transition and guards, in the order of API.md, then the outcome's events.
Result<std::vector<PendingEvent>> Decide(const DecideInput& in);

// The one case fold: every read model, replay and snapshot folds case events through it. An event
// that records its outcome (every event written since outcomes are recorded) sets the state, pace
// and closed reason from it; an older one takes the old path, choosing the outcome over its
// stored facts under the definition of the revision recorded on it.
// kDrop copies no fact into state.facts: the read models keep none, and copying every fact only
// to clear it was most of a replay's allocations.
enum class FoldFacts { kKeep, kDrop };
void Apply(CaseState& state, const StoredEvent& stored, const WorkflowDefinition& definition,
           FoldFacts facts = FoldFacts::kKeep);

// The outcome recorded on a CaseClosed that a policy (withdrawal, erasure) writes.
CaseOutcome ClosedOutcome(const CaseRules& rules, const std::string& reason);

// Bumped whenever Apply's result for the same events changes: snapshots written under another
// fold version are ignored and the case is folded from its events (engine/snapshot_codec.h).
inline constexpr int64_t kFoldVersion = 3;  // 3: the snapshot names the opening time _opened_at

}  // namespace casetrail::engine
