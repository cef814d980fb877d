#include "engine/definition.h"

#include <algorithm>
#include <boost/json.hpp>

#include "engine/timers.h"

namespace casetrail::engine {
namespace json = boost::json;

namespace {

Status Bad(const std::string& what) { return InvalidArgument("workflow definition: " + what); }

Result<Value> ToValue(const json::value& v) {
  if (v.is_null()) return Value{};
  if (v.is_bool()) return Value{v.as_bool()};
  if (v.is_int64()) return Value{v.as_int64()};
  if (v.is_string()) return Value{std::string(v.as_string())};
  if (v.is_array()) {
    std::vector<std::string> out;
    for (const auto& e : v.as_array()) {
      if (!e.is_string()) return Bad("lists hold only strings");
      out.emplace_back(e.as_string());
    }
    return Value{std::move(out)};
  }
  return Bad("unsupported value");
}

Result<Fields> ToFields(const json::value& v) {
  Fields out;
  if (!v.is_object()) return Bad("expected an object of field values");
  for (const auto& [k, e] : v.as_object()) {
    CT_ASSIGN_OR_RETURN(out[std::string(k)], ToValue(e));
  }
  return out;
}

std::vector<std::string> Strings(const json::object& o, const char* key) {
  std::vector<std::string> out;
  if (auto* a = o.if_contains(key); a && a->is_array()) {
    for (const auto& e : a->as_array()) {
      if (e.is_string()) out.emplace_back(e.as_string());
    }
  }
  return out;
}

std::string Str(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

Result<FieldType> ParseType(const std::string& t) {
  static const std::map<std::string, FieldType> kTypes = {
      {"bool", FieldType::kBool}, {"int", FieldType::kInt},   {"code", FieldType::kCode},
      {"codes", FieldType::kCodes}, {"date", FieldType::kDate}, {"time", FieldType::kTime},
      {"id", FieldType::kId},     {"text", FieldType::kText}};
  auto it = kTypes.find(t);
  if (it == kTypes.end()) return Bad("unknown field type '" + t + "'");
  return it->second;
}

Result<Emit> ParseEmit(const json::object& o) {
  Emit e;
  e.event = Str(o, "event");
  if (e.event.empty()) return Bad("emit without event");
  if (auto s = Str(o, "to"); !s.empty()) e.to = s;
  if (auto s = Str(o, "closed_reason"); !s.empty()) e.closed_reason = s;
  if (auto s = Str(o, "set_pace"); !s.empty()) e.set_pace = s;
  return e;
}

Result<CommandSpec> ParseCommand(const json::object& o) {
  CommandSpec c;
  c.name = Str(o, "name");
  if (c.name.empty()) return Bad("command without name");
  for (auto& r : Strings(o, "roles")) c.roles.insert(r);
  if (auto* rc = o.if_contains("role_conditions"); rc && rc->is_object()) {
    for (const auto& [role, cond] : rc->as_object()) {
      CT_ASSIGN_OR_RETURN(c.role_conditions[std::string(role)], ToFields(cond));
    }
  }
  for (auto& s : Strings(o, "from")) {
    if (s == "*open") c.from_any_open = true;
    else c.from.push_back(s);
  }
  c.consent = Strings(o, "consent");
  c.guards = Strings(o, "guards");
  if (auto* fields = o.if_contains("fields"); fields && fields->is_object()) {
    for (const auto& [name, spec_v] : fields->as_object()) {
      if (!spec_v.is_object()) return Bad("field spec of " + c.name + " is not an object");
      const auto& spec = spec_v.as_object();
      FieldSpec f;
      CT_ASSIGN_OR_RETURN(f.type, ParseType(Str(spec, "type")));
      if (auto* r = spec.if_contains("required")) f.required = r->is_bool() && r->as_bool();
      if (auto* p = spec.if_contains("personal")) f.personal = p->is_bool() && p->as_bool();
      f.personal = f.personal || f.type == FieldType::kText;  // free text is always personal
      f.codes = Str(spec, "codes");
      if (auto* d = spec.if_contains("default")) {
        CT_ASSIGN_OR_RETURN(f.default_value, ToValue(*d));
      }
      for (auto& v : Strings(spec, "sealed_values")) f.sealed_values.insert(v);
      if (!f.sealed_values.empty() && f.type != FieldType::kCode) {
        return Bad("sealed_values of " + c.name + "." + std::string(name) + " need a code field");
      }
      c.fields[std::string(name)] = std::move(f);
    }
  }
  auto* outcomes = o.if_contains("outcomes");
  if (!outcomes || !outcomes->is_array() || outcomes->as_array().empty()) {
    return Bad("command " + c.name + " has no outcomes");
  }
  for (const auto& ov : outcomes->as_array()) {
    if (!ov.is_object()) return Bad("outcome of " + c.name + " is not an object");
    Outcome out;
    if (auto* w = ov.as_object().if_contains("when")) {
      CT_ASSIGN_OR_RETURN(out.when, ToFields(*w));
    }
    auto* emits = ov.as_object().if_contains("emits");
    if (!emits || !emits->is_array() || emits->as_array().empty()) return Bad("outcome of " + c.name + " emits nothing");
    for (const auto& ev : emits->as_array()) {
      if (!ev.is_object()) return Bad("emit of " + c.name + " is not an object");
      CT_ASSIGN_OR_RETURN(Emit e, ParseEmit(ev.as_object()));
      out.emits.push_back(std::move(e));
    }
    c.outcomes.push_back(std::move(out));
  }
  return c;
}

Status Check(const WorkflowDefinition& d) {
  std::set<std::string> states(d.states.begin(), d.states.end());
  if (d.workflow.empty() || d.revision <= 0) return Bad("workflow name and a positive revision are required");
  for (const auto& t : d.terminal_states) {
    if (!states.count(t)) return Bad("terminal state '" + t + "' is not declared");
  }
  int initial = 0;
  for (const auto& c : d.commands) {
    if (c.IsInitial()) ++initial;
    for (const auto& s : c.from) {
      if (!states.count(s)) return Bad("command " + c.name + " names unknown state '" + s + "'");
    }
    for (const auto& [name, f] : c.fields) {
      if ((f.type == FieldType::kCode || f.type == FieldType::kCodes) && !d.codes.count(f.codes)) {
        return Bad("field " + c.name + "." + name + " names unknown code list '" + f.codes + "'");
      }
      for (const auto& v : f.sealed_values) {
        const auto& list = d.codes.at(f.codes);
        if (std::find(list.begin(), list.end(), v) == list.end()) {
          return Bad("sealed value '" + v + "' of " + c.name + "." + name + " is not in its code list");
        }
      }
    }
    for (const auto& o : c.outcomes) {
      // An outcome is chosen over the command's fields; a personal field there would make the
      // state depend on data that is sealed (and erased) — refused, so a replay never needs it.
      for (const auto& [name, _] : o.when) {
        auto f = c.fields.find(name);
        if (f != c.fields.end() && (f->second.personal || !f->second.sealed_values.empty())) {
          return Bad("an outcome of " + c.name + " is chosen by the personal field '" + name + "'");
        }
      }
      for (const auto& e : o.emits) {
        if (!d.events.count(e.event)) return Bad("event '" + e.event + "' is not declared");
        if (e.to && !states.count(*e.to)) return Bad("emit targets unknown state '" + *e.to + "'");
        if (e.set_pace && *e.set_pace != "unknown" && !c.fields.count(*e.set_pace)) {
          return Bad("set_pace of " + c.name + " names unknown field");
        }
        if (e.set_pace && *e.set_pace != "unknown" &&
            (c.fields.at(*e.set_pace).personal || !c.fields.at(*e.set_pace).sealed_values.empty())) {
          return Bad("set_pace of " + c.name + " names a personal field");
        }
      }
    }
  }
  if (initial < 1) return Bad("an initial command is required");
  for (const auto& t : d.timers) {
    for (const auto& s : t.in_states) {
      if (!states.count(s)) return Bad("timer " + t.name + " names unknown state '" + s + "'");
    }
    if (!d.events.count(t.after_event)) return Bad("timer " + t.name + " is armed by undeclared event '" + t.after_event + "'");
    if (!ParseDuration(t.delay).ok()) return Bad("timer " + t.name + " has a malformed delay");
  }
  return Status::Ok();
}

}  // namespace

const CommandSpec* WorkflowDefinition::FindCommand(const std::string& name) const {
  for (const auto& c : commands) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const CommandSpec* WorkflowDefinition::InitialCommand() const {
  for (const auto& c : commands) {
    if (c.IsInitial()) return &c;
  }
  return nullptr;
}

std::vector<std::string> WorkflowDefinition::AllowedCommands(const std::string& state) const {
  std::vector<std::string> out;
  for (const auto& c : commands) {
    bool ok = (c.from_any_open && IsOpen(state)) ||
              std::find(c.from.begin(), c.from.end(), state) != c.from.end();
    if (ok) out.push_back(c.name);
  }
  return out;
}

Result<WorkflowDefinition> ParseDefinition(std::string_view text) {
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec || !root.is_object()) return Bad("not a JSON object");
  const auto& o = root.as_object();
  WorkflowDefinition d;
  d.canonical = json::serialize(root);
  d.workflow = Str(o, "workflow");
  if (auto* r = o.if_contains("revision"); r && r->is_int64()) d.revision = static_cast<int>(r->as_int64());
  d.adopted = Str(o, "adopted");
  d.states = Strings(o, "states");
  for (auto& s : Strings(o, "terminal_states")) d.terminal_states.insert(s);
  if (auto* codes = o.if_contains("codes"); codes && codes->is_object()) {
    for (const auto& [k, v] : codes->as_object()) {
      if (!v.is_array()) return Bad("code list '" + std::string(k) + "' is not an array");
      d.codes[std::string(k)] = Strings(codes->as_object(), std::string(k).c_str());
    }
  }
  if (auto* cmds = o.if_contains("commands"); cmds && cmds->is_array()) {
    for (const auto& cv : cmds->as_array()) {
      if (!cv.is_object()) return Bad("command is not an object");
      CT_ASSIGN_OR_RETURN(CommandSpec c, ParseCommand(cv.as_object()));
      d.commands.push_back(std::move(c));
    }
  }
  if (auto* evs = o.if_contains("events"); evs && evs->is_object()) {
    for (const auto& [k, v] : evs->as_object()) {
      if (!v.is_object()) return Bad("event spec is not an object");
      d.events[std::string(k)] = EventSpec{Str(v.as_object(), "party"), Str(v.as_object(), "share_scope")};
    }
  }
  if (auto* timers = o.if_contains("timers"); timers && timers->is_array()) {
    for (const auto& tv : timers->as_array()) {
      if (!tv.is_object()) return Bad("timer is not an object");
      const auto& t = tv.as_object();
      d.timers.push_back({Str(t, "name"), Str(t, "kind"), Str(t, "after_event"), Strings(t, "in_states"), Str(t, "delay"),
                          Str(t, "relative_to"), Str(t, "fallback_delay"), Str(t, "at"), Strings(t, "consent")});
    }
  }
  CT_RETURN_IF_ERROR(Check(d));
  return d;
}

}  // namespace casetrail::engine
