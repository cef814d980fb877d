// WorkflowDefinition: one revision of a workflow, as data. The runtime (engine/state_machine.h)
// decides commands and folds events using only this, a guard table and the case's state.
//
// A revision is a JSON document, one file per revision (workflows/<name>/rev<N>.json), never
// edited once cases use it. Format (docs/workflows.md has the full description):
//
// {
//   "workflow": "permit", "revision": 1, "adopted": "2025-01-01",
//   "states": ["submitted", …], "terminal_states": ["granted", "withdrawn"],
//   "codes": {"mode": ["on_site", "remote"], …},
//   "commands": [{
//     "name": "ScheduleInspection",
//     "roles": ["inspector"],                // roles that may issue it (else 403 forbidden)
//     "role_conditions": {"clerk": {"mode": "remote"}},  // optional: role allowed only
//                                                        // when these fields have these values
//     "from": ["submitted", "deferred"],     // states it is allowed in; ["*open"] = any non-terminal;
//                                            // [] = creates the case (an initial command; the
//                                            // first one is the default way to open a case)
//     "consent": ["share_plans"],            // scopes that must be active (else consent_missing)
//     "guards": ["G-SLOT-FUTURE"],           // named guards, implemented in workflows/
//     "fields": {"slot": {"type": "time", "required": true},
//                "mode": {"type": "code", "codes": "mode", "default": "on_site"},
//                "note": {"type": "text", "personal": true},
//                "why": {"type": "code", "codes": "why", "sealed_values": ["medical"]}},
//     "outcomes": [                          // first whose "when" matches the fields wins
//       {"when": {"outcome": "done"}, "emits": [{"event": "InspectionHeld"},
//                                               {"event": "PermitGranted", "to": "granted"}]},
//       {"emits": [{"event": "InspectionScheduled", "to": "scheduled"}]}]
//   }],
//   "events": {"InspectionScheduled": {"party": "field", "share_scope": "share_findings"}, …},
//   "timers": [{"name": "T1", "after_event": "ApplicationSubmitted", "in_states": ["submitted"],
//               "delay": "P14D", "kind": "inspection_overdue"}]
// }
//
// Field types: bool, int, code (one of codes[codes]), codes (list of codes), date (YYYY-MM-DD),
// time (RFC 3339), id (a non-personal reference such as a list id), text (free text: always
// personal). "personal": true seals a field under the subject's key; "sealed_values" seals a code
// field only when it holds one of the listed values.
// An emit's "to" is a state or omitted (state unchanged); "closed_reason" sets the reason when it
// enters the model's closed state; "set_pace": "<field>" | "unknown" | "keep" sets the case's pace.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/value.h"
#include "storage/base/result.h"

namespace casetrail::engine {

enum class FieldType { kBool, kInt, kCode, kCodes, kDate, kTime, kId, kText };

struct FieldSpec {
  FieldType type = FieldType::kText;
  bool required = false;
  bool personal = false;
  std::string codes;  // name of the code list, for kCode/kCodes
  Value default_value;
  // For kCode: values recorded sealed, like a personal field, while the field's other values are
  // recorded in clear (special-category data such as a health reason, GDPR Art. 9). With such a
  // value the event's clear facts lack the field.
  std::set<std::string> sealed_values;
};

struct Emit {
  std::string event;
  std::optional<std::string> to;             // target state; nullopt = unchanged
  std::optional<std::string> closed_reason;
  std::optional<std::string> set_pace;        // field name, "unknown", or nullopt (keep)
};

struct Outcome {
  Fields when;  // all must equal the command's fields
  std::vector<Emit> emits;
};

struct CommandSpec {
  std::string name;
  std::set<std::string> roles;
  std::map<std::string, Fields> role_conditions;
  std::vector<std::string> from;  // empty: initial command
  bool from_any_open = false;
  std::vector<std::string> consent;
  std::vector<std::string> guards;
  std::map<std::string, FieldSpec> fields;
  std::vector<Outcome> outcomes;

  bool IsInitial() const { return from.empty() && !from_any_open; }
};

struct EventSpec {
  std::string party;        // the model's party that records it (for consent-gated reads)
  std::string share_scope;  // scope under which the other party may see its data ("" = none)
};

struct TimerSpec {
  std::string name;
  std::string kind;
  std::string after_event;
  std::vector<std::string> in_states;
  std::string delay;  // ISO 8601 duration, e.g. "P14D", "PT1H", "-P1D"
  std::string relative_to;     // a field of the trigger event (a time or a date) instead of its effective_at
  std::string fallback_delay;  // used from effective_at when the trigger lacks `relative_to`
  std::string at;              // "HH:MM" Stockholm time of day the due instant is moved to
  // Consent scopes of the case's subject the follow-up depends on: while one is withdrawn the
  // timer is not pending (a reminder to act on what may no longer be shared is moot).
  std::vector<std::string> consent;
};

// What the fold takes from the workflow's model (engine/model.h), set when the registry adds the
// definition: not part of the revision's text.
struct CaseRules {
  std::string closed_state;          // the state a CaseClosed event leads to
  std::set<std::string> pace_states;  // states in which the case keeps a pace
};

struct WorkflowDefinition {
  std::string workflow;
  int revision = 0;
  std::string adopted;  // YYYY-MM-DD
  std::vector<std::string> states;
  std::set<std::string> terminal_states;
  std::map<std::string, std::vector<std::string>> codes;
  std::vector<CommandSpec> commands;
  std::map<std::string, EventSpec> events;
  std::vector<TimerSpec> timers;
  CaseRules rules;
  // The file as parsed, serialized compactly: two definitions of one revision must match in it.
  std::string canonical;

  // "<workflow>@<revision>"
  std::string Name() const { return workflow + "@" + std::to_string(revision); }
  const CommandSpec* FindCommand(const std::string& name) const;
  // The first initial command (the usual way a case opens); a revision may have several.
  const CommandSpec* InitialCommand() const;
  bool IsOpen(const std::string& state) const { return !terminal_states.count(state); }
  // The commands allowed in `state` (for invalid_transition answers).
  std::vector<std::string> AllowedCommands(const std::string& state) const;
};

// Parses and checks a definition: every state, code list, event and target named is declared
// (roles and consent scopes are checked against the model when the registry adds it).
// kInvalidArgument with the offending element named.
Result<WorkflowDefinition> ParseDefinition(std::string_view json);

}  // namespace casetrail::engine
