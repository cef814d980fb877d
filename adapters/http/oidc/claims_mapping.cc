#include "adapters/http/oidc/claims_mapping.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace casetrail::adapters::oidc {

namespace json = boost::json;

namespace {

// The claim's string values: a string, or the strings of a list.
std::vector<std::string> Strings(const json::object& claims, const std::string& name) {
  std::vector<std::string> out;
  const auto* v = claims.if_contains(name);
  if (!v) return out;
  if (v->is_string()) out.emplace_back(v->as_string());
  if (v->is_array()) {
    for (const auto& e : v->as_array()) {
      if (e.is_string()) out.emplace_back(e.as_string());
    }
  }
  return out;
}

// Recorded in every envelope in clear: short, printable, no spaces.
bool Printable(const std::string& s, size_t max) {
  return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

Result<std::map<std::string, std::string>> ValueMap(const json::object& part, const char* where) {
  std::map<std::string, std::string> out;
  const auto* values = part.if_contains("values");
  if (!values) return out;
  if (!values->is_object()) return InvalidArgument(std::string("OIDC mapping: ") + where + ".values must be an object");
  for (const auto& [k, v] : values->as_object()) {
    if (!v.is_string()) return InvalidArgument(std::string("OIDC mapping: ") + where + ".values must map to strings");
    out[std::string(k)] = std::string(v.as_string());
  }
  return out;
}

}  // namespace

Result<ClaimsMapping> ClaimsMapping::Parse(std::string_view text, const engine::WorkflowModel& model) {
  boost::system::error_code ec;
  auto root = json::parse(text, ec);
  if (ec || !root.is_object()) return InvalidArgument("OIDC mapping: the file is not a JSON object");
  const auto& o = root.as_object();
  auto part = [&](const char* name) -> const json::object* {
    const auto* v = o.if_contains(name);
    return v && v->is_object() ? &v->as_object() : nullptr;
  };
  auto text_of = [](const json::object* p, const char* k) -> std::string {
    const auto* v = p ? p->if_contains(k) : nullptr;
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  ClaimsMapping m;
  if (const auto* person = part("person")) {
    if (!text_of(person, "claim").empty()) m.person_claim_ = text_of(person, "claim");
    m.person_prefix_ = text_of(person, "prefix");
  }
  const auto* role = part("role");
  m.role_claim_ = text_of(role, "claim");
  if (m.role_claim_.empty()) return InvalidArgument("OIDC mapping: role.claim is required");
  CT_ASSIGN_OR_RETURN(m.roles_, ValueMap(*role, "role"));
  if (m.roles_.empty()) return InvalidArgument("OIDC mapping: role.values must name at least one role");
  for (const auto& [value, r] : m.roles_) {
    if (!model.Role(r)) return InvalidArgument("OIDC mapping: role.values names a role the workflow model lacks: " + r);
  }
  if (const auto* unit = part("unit")) {
    m.unit_claim_ = text_of(unit, "claim");
    if (m.unit_claim_.empty()) return InvalidArgument("OIDC mapping: unit.claim is required when unit is given");
    CT_ASSIGN_OR_RETURN(m.units_, ValueMap(*unit, "unit"));
    for (const auto& [value, u] : m.units_) {
      if (!model.HasUnit(u)) return InvalidArgument("OIDC mapping: unit.values names a unit the workflow model lacks: " + u);
    }
  }
  return m;
}

Result<ClaimsMapping> ClaimsMapping::Load(const std::string& path, const engine::WorkflowModel& model) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read the --oidc-mapping file");
  std::stringstream ss;
  ss << in.rdbuf();
  return Parse(ss.str(), model);
}

Result<engine::Actor> ClaimsMapping::Map(const json::object& claims, const engine::WorkflowModel& model) const {
  engine::Actor a;
  const auto person = Strings(claims, person_claim_);
  if (person.size() != 1 || !Printable(person_prefix_ + person[0], 128)) {
    return PermissionDenied("the token names no usable person id (claim " + person_claim_ + ")");
  }
  a.id = person_prefix_ + person[0];
  std::set<std::string> roles;
  for (const auto& v : Strings(claims, role_claim_)) {
    if (auto it = roles_.find(v); it != roles_.end()) roles.insert(it->second);
  }
  if (roles.size() != 1) {
    return PermissionDenied(roles.empty() ? "the token's claims map to no casetrail role"
                                          : "the token's claims map to more than one casetrail role");
  }
  a.role = *roles.begin();
  const engine::RoleSpec* spec = model.Role(a.role);
  if (!spec) return PermissionDenied("the token's role is not in the workflow model in force");
  if (spec->UnitBound()) {
    const auto unit = unit_claim_.empty() ? std::vector<std::string>{} : Strings(claims, unit_claim_);
    std::set<std::string> units;
    for (const auto& v : unit) {
      if (units_.empty()) units.insert(v);
      else if (auto it = units_.find(v); it != units_.end()) units.insert(it->second);
    }
    if (units.size() != 1 || !model.HasUnit(*units.begin())) {
      return PermissionDenied("the token names no unit of the workflow model for role " + a.role);
    }
    a.unit = *units.begin();
  }
  // How the person signed in: the provider's authentication methods and level of assurance.
  a.auth = "oidc";
  std::string amr;
  for (const auto& m : Strings(claims, "amr")) {
    if (Printable(m, 40)) amr += (amr.empty() ? "" : "+") + m;
  }
  if (!amr.empty()) a.auth += ":" + amr;
  if (a.auth.size() > 200) a.auth.resize(200);
  const auto acr = Strings(claims, "acr");
  if (acr.size() == 1 && Printable(acr[0], 200)) a.acr = acr[0];
  return a;
}

}  // namespace casetrail::adapters::oidc
