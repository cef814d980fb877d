#include "engine/model.h"

#include <algorithm>
#include <boost/json.hpp>

namespace casetrail::engine {
namespace json = boost::json;

namespace {

Status Bad(const std::string& what) { return InvalidArgument("workflow model: " + what); }

std::string Str(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

Result<std::vector<std::string>> Strings(const json::object& o, const char* key) {
  std::vector<std::string> out;
  auto* a = o.if_contains(key);
  if (!a) return out;
  if (!a->is_array()) return Bad(std::string(key) + " must be a list");
  for (const auto& e : a->as_array()) {
    if (!e.is_string()) return Bad(std::string(key) + " holds only strings");
    out.emplace_back(e.as_string());
  }
  return out;
}

Result<Visibility> ParseVisibility(const json::value* v, const std::string& where) {
  if (!v) return Visibility{};
  if (v->is_string()) {
    const auto& s = v->as_string();
    if (s == "always") return Visibility{Visibility::Kind::kAlways, ""};
    if (s == "never") return Visibility{Visibility::Kind::kNever, ""};
    if (s == "share_scope") return Visibility{Visibility::Kind::kShareScope, ""};
  } else if (v->is_object()) {
    std::string scope = Str(v->as_object(), "consent");
    if (!scope.empty()) return Visibility{Visibility::Kind::kConsent, scope};
  }
  return Bad(where + " must be \"always\", \"never\", \"share_scope\" or {\"consent\": scope}");
}

Result<RoleSpec> ParseRole(const std::string& name, const json::value& v) {
  if (!v.is_object()) return Bad("role " + name + " must be an object");
  const auto& o = v.as_object();
  RoleSpec r;
  r.name = name;
  r.party = Str(o, "party");
  const std::string cases = Str(o, "cases");
  if (cases == "all") {
    r.cases = RoleSpec::Cases::kAll;
  } else if (cases == "unit") {
    r.cases = RoleSpec::Cases::kUnit;
  } else if (cases.empty() || cases == "none") {
    r.cases = RoleSpec::Cases::kNone;
  } else {
    return Bad("role " + name + ": cases must be all, unit or none");
  }
  r.purpose = Str(o, "purpose");
  CT_ASSIGN_OR_RETURN(r.subject, ParseVisibility(o.if_contains("subject"), "role " + name + " subject"));
  CT_ASSIGN_OR_RETURN(r.pace, ParseVisibility(o.if_contains("pace"), "role " + name + " pace"));
  if (auto* reads = o.if_contains("reads")) {
    if (!reads->is_object()) return Bad("role " + name + ": reads must be an object");
    for (const auto& [party, rule] : reads->as_object()) {
      if (!rule.is_object()) return Bad("role " + name + ": a read rule must be an object");
      const std::string where = "role " + name + " reads " + std::string(party);
      ReadRule rr;
      CT_ASSIGN_OR_RETURN(rr.data, ParseVisibility(rule.as_object().if_contains("data"), where + " data"));
      CT_ASSIGN_OR_RETURN(rr.personal, ParseVisibility(rule.as_object().if_contains("personal"), where + " personal"));
      r.reads[std::string(party)] = rr;
    }
  }
  CT_ASSIGN_OR_RETURN(auto may, Strings(o, "may"));
  r.may.insert(may.begin(), may.end());
  if (auto* v = o.if_contains("suppressed"); v && v->is_bool()) r.suppressed = v->as_bool();
  return r;
}

Status Check(const WorkflowModel& m) {
  if (m.workflow.empty() || m.version < 1) return Bad("workflow and model (>= 1) are required");
  if (m.closed_state.empty()) return Bad("case.closed_state is required");
  if (m.roles.empty()) return Bad("at least one role is required");
  auto known_scope = [&](const std::string& s) { return m.Scope(s) != nullptr; };
  auto check = [&](const Visibility& v, const std::string& where) -> Status {
    if (v.kind == Visibility::Kind::kConsent && !known_scope(v.scope)) {
      return Bad(where + " names unknown consent scope '" + v.scope + "'");
    }
    return Status::Ok();
  };
  for (const auto& [name, r] : m.roles) {
    if (!r.party.empty() && std::find(m.parties.begin(), m.parties.end(), r.party) == m.parties.end()) {
      return Bad("role " + name + " names unknown party '" + r.party + "'");
    }
    if (r.UnitBound() && m.units.empty()) return Bad("role " + name + " is bound to a unit but there are no units");
    CT_RETURN_IF_ERROR(check(r.subject, "role " + name + " subject"));
    CT_RETURN_IF_ERROR(check(r.pace, "role " + name + " pace"));
    for (const auto& [party, rule] : r.reads) {
      if (party != "*" && std::find(m.parties.begin(), m.parties.end(), party) == m.parties.end()) {
        return Bad("role " + name + " reads unknown party '" + party + "'");
      }
      CT_RETURN_IF_ERROR(check(rule.data, "role " + name + " reads"));
      CT_RETURN_IF_ERROR(check(rule.personal, "role " + name + " reads"));
    }
  }
  return Status::Ok();
}

}  // namespace

ReadRule RoleSpec::RuleFor(const std::string& event_party) const {
  const ReadRule all{{Visibility::Kind::kAlways, ""}, {Visibility::Kind::kAlways, ""}};
  if (party.empty() || event_party == party) return all;
  if (auto it = reads.find(event_party); it != reads.end()) return it->second;
  if (auto it = reads.find("*"); it != reads.end()) return it->second;
  return all;
}

const RoleSpec* WorkflowModel::Role(const std::string& name) const {
  auto it = roles.find(name);
  return it == roles.end() ? nullptr : &it->second;
}

bool WorkflowModel::May(const std::string& role, const std::string& action) const {
  const RoleSpec* r = Role(role);
  return r && r->may.count(action);
}

bool WorkflowModel::HasUnit(const std::string& id) const {
  return std::any_of(units.begin(), units.end(), [&](const UnitSpec& u) { return u.id == id; });
}

const ScopeSpec* WorkflowModel::Scope(const std::string& name) const {
  for (const auto& s : scopes) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::vector<std::string> WorkflowModel::ScopeNames() const {
  std::vector<std::string> out;
  for (const auto& s : scopes) out.push_back(s.name);
  return out;
}

std::vector<std::string> WorkflowModel::UnitIds() const {
  std::vector<std::string> out;
  for (const auto& u : units) out.push_back(u.id);
  return out;
}

std::vector<std::string> WorkflowModel::RoleNames() const {
  std::vector<std::string> out;
  for (const auto& [name, _] : roles) out.push_back(name);
  return out;
}

Result<WorkflowModel> ParseModel(std::string_view text) {
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec || !doc.is_object()) return Bad("not a JSON object");
  const auto& o = doc.as_object();
  WorkflowModel m;
  m.workflow = Str(o, "workflow");
  if (auto* v = o.if_contains("model"); v && v->is_int64()) m.version = static_cast<int>(v->as_int64());
  CT_ASSIGN_OR_RETURN(m.parties, Strings(o, "parties"));
  if (auto* units = o.if_contains("units")) {
    if (!units->is_array()) return Bad("units must be a list");
    for (const auto& u : units->as_array()) {
      if (!u.is_object() || Str(u.as_object(), "id").empty()) return Bad("a unit needs an id");
      UnitSpec spec{Str(u.as_object(), "id"), {}};
      for (const auto& [k, label] : u.as_object()) {
        if (k != "id" && label.is_string()) spec.labels[std::string(k)] = std::string(label.as_string());
      }
      m.units.push_back(std::move(spec));
    }
  }
  if (auto* consent = o.if_contains("consent"); consent && consent->is_object()) {
    const auto& c = consent->as_object();
    CT_ASSIGN_OR_RETURN(m.consent_methods, Strings(c, "methods"));
    CT_ASSIGN_OR_RETURN(m.consent_parties, Strings(c, "parties"));
    if (auto* scopes = c.if_contains("scopes"); scopes && scopes->is_object()) {
      for (const auto& [name, s] : scopes->as_object()) {
        ScopeSpec spec{std::string(name), false, {}};
        if (s.is_object()) {
          for (const auto& [k, v] : s.as_object()) {
            if (k == "closes_cases" && v.is_bool()) spec.closes_cases = v.as_bool();
            if (k != "closes_cases" && v.is_string()) spec.labels[std::string(k)] = std::string(v.as_string());
          }
        }
        m.scopes.push_back(std::move(spec));
      }
    }
  }
  if (auto* n = o.if_contains("notices"); n && n->is_object()) {
    CT_ASSIGN_OR_RETURN(m.notice_versions, Strings(n->as_object(), "versions"));
    CT_ASSIGN_OR_RETURN(m.notice_methods, Strings(n->as_object(), "methods"));
  }
  if (auto* c = o.if_contains("case"); c && c->is_object()) {
    m.closed_state = Str(c->as_object(), "closed_state");
    CT_ASSIGN_OR_RETURN(auto pace, Strings(c->as_object(), "pace_states"));
    m.pace_states.insert(pace.begin(), pace.end());
  }
  if (auto* roles = o.if_contains("roles"); roles && roles->is_object()) {
    for (const auto& [name, r] : roles->as_object()) {
      CT_ASSIGN_OR_RETURN(m.roles[std::string(name)], ParseRole(std::string(name), r));
    }
  }
  if (auto* settings = o.if_contains("settings")) {
    if (!settings->is_object()) return Bad("settings must be an object");
    for (const auto& [name, v] : settings->as_object()) m.settings[std::string(name)] = json::serialize(v);
  }
  CT_RETURN_IF_ERROR(Check(m));
  m.canonical = json::serialize(doc);
  return m;
}

}  // namespace casetrail::engine
