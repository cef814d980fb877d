// WorkflowModel: the cooperation a workflow serves, as data — who the parties and roles are and
// what each may do and see, the organisational units, the consent scopes and what each gates,
// and the case rules the fold needs (which state a closing event leads to, in which states a
// pace is kept). The engine holds no word of any particular cooperation: every role, unit, scope
// and state it acts on comes from here or from a WorkflowDefinition.
//
// A model is a JSON document, workflows/<name>/model.json, versioned like the revisions
// (docs/workflows.md "The model"):
//
// {
//   "workflow": "<name>", "model": 1,
//   "parties": ["p1", "p2"],                 // who records events (EventSpec::party)
//   "units": [{"id": "north", "sv": "Norr", "en": "North"}],
//   "consent": {"methods": ["signed_form"], "parties": ["P1", "P2"],
//               "scopes": {"s1": {"closes_cases": true}, "s2": {}}},
//   "notices": {"versions": ["2025-1"], "methods": ["letter"]},  // privacy notices given
//   "case": {"closed_state": "withdrawn", "pace_states": ["active"]},
//   "settings": {"<name>": {…}},               // for the workflow's adapters (WorkflowModel::settings)
//   "roles": {
//     "clerk": {"party": "p1", "cases": "unit",        // "all" | "unit" (own unit) | "none"
//               "purpose": "case_handling",
//               "subject": "always",                   // "always" | "never" | {"consent": scope}
//               "pace": {"consent": "s2"},
//               "reads": {"p2": {"data": "share_scope", "personal": "share_scope"},
//                         "*": {"data": "always", "personal": "always"}},
//               "may": ["register_subject", "record_consent"],
//               "suppressed": false}}                  // aggregates with small cells hidden
// }
//
// "reads" says, per party that recorded an event ("*": any other), whether the role sees its
// data and its personal fields: "always", "never", "share_scope" (while the event's share scope
// is granted) or {"consent": scope}. "may" lists the actions outside the case commands (those
// name their roles in the definition); docs/workflows.md lists every action.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "storage/base/result.h"

namespace casetrail::engine {

// A read rule: shown always, never, while a named consent scope is granted, or while the
// event's own share scope is granted.
struct Visibility {
  enum class Kind { kAlways, kNever, kConsent, kShareScope } kind = Kind::kNever;
  std::string scope;  // for kConsent
};

struct ReadRule {
  Visibility data;
  Visibility personal;
};

struct RoleSpec {
  std::string name;
  std::string party;             // "" : belongs to no party (reads every party as its own)
  enum class Cases { kNone, kUnit, kAll } cases = Cases::kNone;
  std::string purpose;           // default purpose of its reads
  Visibility subject;            // the subject's personal data
  Visibility pace;               // the case's pace
  std::map<std::string, ReadRule> reads;  // by party; "*" for any other
  std::set<std::string> may;
  bool suppressed = false;  // sees aggregates only with small cells suppressed

  bool SeesCases() const { return cases != Cases::kNone; }
  bool UnitBound() const { return cases == Cases::kUnit; }
  // The rule for events recorded by `party`: its own party's events are always shown.
  ReadRule RuleFor(const std::string& party) const;
};

struct UnitSpec {
  std::string id;
  std::map<std::string, std::string> labels;  // by language
};

struct ScopeSpec {
  std::string name;
  bool closes_cases = false;  // withdrawing it closes the subject's open cases
  std::map<std::string, std::string> labels;  // what it allows, in plain words, by language
};

struct WorkflowModel {
  std::string workflow;
  int version = 0;
  std::vector<std::string> parties;
  std::vector<UnitSpec> units;
  std::vector<ScopeSpec> scopes;
  std::vector<std::string> consent_methods;
  std::vector<std::string> consent_parties;
  std::vector<std::string> notice_versions;  // the privacy notices a person may have been given
  std::vector<std::string> notice_methods;
  std::string closed_state;
  std::set<std::string> pace_states;
  std::map<std::string, RoleSpec> roles;
  // Workflow-specific settings the engine does not read, each a JSON document kept as written
  // (compactly) for the workflow's adapters, e.g. the list calendar's defaults. Versioned with the
  // model, so a new setting needs a new model version, not a rebuild.
  std::map<std::string, std::string> settings;
  std::string canonical;  // the document as parsed, serialized compactly

  const RoleSpec* Role(const std::string& name) const;
  // Whether `role` may take the action `action` (an entry of its "may").
  bool May(const std::string& role, const std::string& action) const;
  bool HasUnit(const std::string& id) const;
  const ScopeSpec* Scope(const std::string& name) const;
  std::vector<std::string> ScopeNames() const;
  std::vector<std::string> UnitIds() const;
  std::vector<std::string> RoleNames() const;
};

// Parses and checks a model: every scope, party and unit a role names is declared.
// kInvalidArgument with the offending element named.
Result<WorkflowModel> ParseModel(std::string_view json);

}  // namespace casetrail::engine
