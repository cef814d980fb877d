#include "engine/state_machine.h"

#include <algorithm>
#include <chrono>

#include "engine/personal_number.h"

namespace casetrail::engine {
namespace {

bool IsDate(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

bool InCodes(const WorkflowDefinition& def, const std::string& list, const std::string& v) {
  auto it = def.codes.find(list);
  return it != def.codes.end() && std::find(it->second.begin(), it->second.end(), v) != it->second.end();
}

Status InvalidField(const std::string& name, const std::string& why) {
  const std::string field = ShownFieldName(name);
  return Refusal(StatusCode::kInvalidArgument, "invalid_field", "field " + field + " " + why).With("field", field);
}

Result<Value> CheckValue(const std::string& name, const FieldSpec& spec, const WorkflowDefinition& def,
                         const Value& v) {
  const auto* text = std::get_if<std::string>(&v);
  switch (spec.type) {
    case FieldType::kBool:
      if (!std::holds_alternative<bool>(v)) return InvalidField(name, "must be a boolean");
      return v;
    case FieldType::kInt:
      if (!std::holds_alternative<int64_t>(v)) return InvalidField(name, "must be an integer");
      return v;
    case FieldType::kCode:
      if (!text || !InCodes(def, spec.codes, *text)) return InvalidField(name, "must be one of the codes of " + spec.codes);
      return v;
    case FieldType::kCodes: {
      const auto* list = std::get_if<std::vector<std::string>>(&v);
      if (!list) return InvalidField(name, "must be a list of codes");
      for (const auto& c : *list) {
        if (!InCodes(def, spec.codes, c)) return InvalidField(name, "must hold only codes of " + spec.codes);
      }
      return v;
    }
    case FieldType::kDate:
      if (!text || !IsDate(*text)) return InvalidField(name, "must be a date YYYY-MM-DD");
      return v;
    case FieldType::kTime: {
      if (!text) return InvalidField(name, "must be an RFC 3339 time");
      auto t = ParseRfc3339(*text);
      if (!t.ok()) return InvalidField(name, "must be an RFC 3339 time");
      return Value{FormatRfc3339(*t)};  // canonical UTC form
    }
    case FieldType::kId:
      if (!text || text->empty() || text->size() > 200) return InvalidField(name, "must be an id of 1 to 200 characters");
      if (!spec.personal) CT_RETURN_IF_ERROR(RefuseIfPersonalNumber(name, *text));
      return v;
    case FieldType::kText:
      if (!text || text->size() > 10000) return InvalidField(name, "must be text of at most 10000 characters");
      if (!spec.personal) CT_RETURN_IF_ERROR(RefuseIfPersonalNumber(name, *text));  // sealed text may hold one
      return v;
  }
  return InvalidField(name, "has an unknown type");
}

bool Matches(const Fields& when, const Fields& fields) {
  for (const auto& [k, v] : when) {
    auto it = fields.find(k);
    if (it == fields.end() || it->second != v) return false;
  }
  return true;
}

const Outcome* ChooseOutcome(const CommandSpec& spec, const Fields& fields) {
  for (const auto& o : spec.outcomes) {
    if (Matches(o.when, fields)) return &o;
  }
  return nullptr;
}

// What an outcome's emit of this event type makes of the case: state, closed reason and pace.
// `fields` are those the decision saw (Decide: every field; the old fold: the stored facts).
void FoldOutcome(CaseState& s, const Event& e, const Outcome* outcome, const Fields& fields, const CaseRules& rules) {
  if (e.type == "CaseClosed") {
    s.state = rules.closed_state;
    if (auto* r = AsText(e.facts, "reason")) s.closed_reason = *r;
  }
  if (outcome) {
    for (const auto& emit : outcome->emits) {
      if (emit.event != e.type) continue;
      if (emit.to) s.state = *emit.to;
      if (emit.closed_reason) s.closed_reason = *emit.closed_reason;
      if (emit.set_pace) {
        if (*emit.set_pace == "unknown") {
          s.pace = "unknown";
        } else if (auto* p = AsText(fields, *emit.set_pace)) {
          s.pace = *p;
        }
      }
      break;
    }
  }
  if (rules.pace_states.count(s.state)) {
    if (!s.pace) s.pace = "unknown";
  } else {
    s.pace.reset();
  }
  if (s.state != rules.closed_state) s.closed_reason.reset();
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

Status Refusal(StatusCode code, const std::string& api_code, std::string message) {
  return Status(code, std::move(message)).With("code", api_code);
}

std::string ShownFieldName(std::string_view name) {
  auto letter = [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_'; };
  bool plain = !name.empty() && name.size() <= 64 && letter(name[0]);
  for (char ch : name) plain = plain && (letter(ch) || (ch >= '0' && ch <= '9') || ch == '.' || ch == '-');
  return plain ? std::string(name) : "(not a field name)";
}

Status RefuseIfPersonalNumber(const std::string& field, std::string_view text) {
  const std::chrono::year_month_day today{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
  if (!ContainsPersonalNumber(text, static_cast<int>(today.year()))) return Status::Ok();
  return Refusal(StatusCode::kInvalidArgument, "personal_data_in_text",
                 "the text holds a personal identity number, which would be kept in clear beyond an erasure")
      .With("field", ShownFieldName(field));
}

Status UnknownFields(size_t count, const std::string& where) {
  return Refusal(StatusCode::kInvalidArgument, "invalid_field",
                 std::to_string(count) + (count == 1 ? " unknown field " : " unknown fields ") + where)
      .With("unknown_fields", std::to_string(count));
}

Result<Fields> ValidateFields(const CommandSpec& spec, const WorkflowDefinition& def, const Fields& given) {
  size_t unknown = 0;
  for (const auto& [name, _] : given) unknown += spec.fields.count(name) ? 0 : 1;
  if (unknown > 0) return UnknownFields(unknown, "in the data of " + spec.name);
  Fields out;
  for (const auto& [name, fs] : spec.fields) {
    auto it = given.find(name);
    if (it == given.end() || std::holds_alternative<std::monostate>(it->second)) {
      if (fs.required) return InvalidField(name, "is required");
      if (!std::holds_alternative<std::monostate>(fs.default_value)) out[name] = fs.default_value;
      continue;
    }
    CT_ASSIGN_OR_RETURN(out[name], CheckValue(name, fs, def, it->second));
  }
  return out;
}

Status CheckRole(const WorkflowModel& model, const CommandSpec& spec, const Fields& fields, const Actor& actor) {
  if (!spec.roles.count(actor.role)) {
    return Refusal(StatusCode::kPermissionDenied, "forbidden", "role may not issue " + spec.name);
  }
  auto cond = spec.role_conditions.find(actor.role);
  if (cond != spec.role_conditions.end() && !Matches(cond->second, fields)) {
    return Refusal(StatusCode::kPermissionDenied, "forbidden", "role may issue " + spec.name + " only in some cases");
  }
  const std::string* unit = AsText(fields, "unit");
  const RoleSpec* role = model.Role(actor.role);
  if (spec.IsInitial() && role && role->UnitBound() && unit && *unit != actor.unit) {
    return Refusal(StatusCode::kPermissionDenied, "forbidden", "this role opens cases only in its own unit");
  }
  return Status::Ok();
}

Result<std::vector<PendingEvent>> Decide(const DecideInput& in) {
  const CommandSpec& spec = in.spec;
  Timestamp effective = in.effective_at.value_or(in.now);
  if (effective > in.now) return InvalidField("effective_at", "must not be in the future");

  if (std::string missing = in.consent.FirstMissing(spec.consent, in.now); !missing.empty()) {
    return Refusal(StatusCode::kFailedPrecondition, "consent_missing", "consent does not cover " + spec.name)
        .With("scope", missing);
  }

  const std::string& current = in.state.state;
  bool allowed = spec.IsInitial()
                     ? !in.state.Exists()
                     : in.state.Exists() &&
                           ((spec.from_any_open && in.definition.IsOpen(current)) ||
                            std::find(spec.from.begin(), spec.from.end(), current) != spec.from.end());
  if (!allowed) {
    return Refusal(StatusCode::kFailedPrecondition, "invalid_transition", spec.name + " is not allowed in this state")
        .With("current_state", current)
        .With("allowed_commands", Join(in.definition.AllowedCommands(current)));
  }

  GuardContext ctx{in.state, in.fields, in.actor, in.now, in.lookup};
  for (const auto& name : spec.guards) {
    auto g = in.guards.find(name);
    if (g == in.guards.end()) return Internal("guard " + name + " is not implemented");
    if (!g->second(ctx)) {
      return Refusal(StatusCode::kFailedPrecondition, "guard_failed", "guard " + name + " refused " + spec.name)
          .With("guard", name);
    }
  }

  const Outcome* outcome = ChooseOutcome(spec, in.fields);
  if (!outcome) return Internal("no outcome of " + spec.name + " matches");

  Fields facts, personal;
  for (const auto& [name, v] : in.fields) {
    const FieldSpec& fs = spec.fields.at(name);
    const std::string* code = std::get_if<std::string>(&v);
    const bool sealed = fs.personal || (code && fs.sealed_values.count(*code));
    (sealed ? personal : facts)[name] = v;
  }
  std::vector<PendingEvent> out;
  CaseState after = in.state;  // the case as each event leaves it: recorded on the event
  for (size_t i = 0; i < outcome->emits.size(); ++i) {
    PendingEvent p;
    Event& e = p.event;
    e.type = outcome->emits[i].event;
    e.meta.actor = in.actor;
    e.meta.legal_basis = in.legal_basis;
    e.meta.consent_ref = in.consent_ref;
    e.meta.workflow = in.definition.workflow;
    e.meta.revision = in.definition.revision;
    e.meta.recorded_at = in.now;
    e.meta.effective_at = effective;
    e.meta.subject_id = in.state.subject_id;
    e.meta.command = spec.name;
    if (auto* m = AsText(in.fields, "meeting")) e.meta.correlation_id = *m;
    if (auto* l = AsText(in.fields, "list")) e.meta.correlation_id = *l;
    e.facts = facts;
    if (i == 0) p.personal = personal;  // personal data is recorded once, on the first event
    FoldOutcome(after, e, outcome, in.fields, in.definition.rules);
    e.outcome = CaseOutcome{after.state, after.pace, after.closed_reason};
    out.push_back(std::move(p));
  }
  return out;
}

void Apply(CaseState& s, const StoredEvent& stored, const WorkflowDefinition& def, FoldFacts facts) {
  const Event& e = stored.event;
  if (s.version == 0) {
    const std::string& stream = stored.stream.value();
    s.case_id = stream.rfind("case:", 0) == 0 ? stream.substr(5) : stream;
    s.subject_id = e.meta.subject_id;
    s.workflow = e.meta.workflow;
    s.revision = e.meta.revision;
    s.opened_at = e.meta.effective_at;
  }
  if (facts == FoldFacts::kKeep) {
    for (const auto& [k, v] : e.facts) s.facts[k] = v;
  }
  if (auto* unit = AsText(e.facts, "unit"); unit && s.version == 0) s.unit = *unit;
  if (e.type == "CaseMigrated") {
    auto it = e.facts.find("to_revision");
    if (it != e.facts.end() && std::holds_alternative<int64_t>(it->second)) {
      s.revision = static_cast<int>(std::get<int64_t>(it->second));
    }
  } else if (e.type == "CaseTransferred") {
    if (auto* u = AsText(e.facts, "to_unit")) s.unit = *u;
  }

  if (e.outcome) {
    // The decision is on record: read it, never decide again.
    s.state = e.outcome->state;
    s.pace = e.outcome->pace;
    s.closed_reason = e.outcome->closed_reason;
  } else {
    // Written before outcomes were recorded: choose the outcome over the stored facts, as the
    // release that wrote it did (tests/replay/one_fold_test.cc keeps this path honest).
    const CommandSpec* spec = def.FindCommand(e.meta.command);
    FoldOutcome(s, e, spec ? ChooseOutcome(*spec, e.facts) : nullptr, e.facts, def.rules);
  }
  s.version = stored.version.value();
  s.last_recorded_at = e.meta.recorded_at;
}

CaseOutcome ClosedOutcome(const CaseRules& rules, const std::string& reason) {
  return CaseOutcome{rules.closed_state, std::nullopt, reason};
}

}  // namespace casetrail::engine
