// Reading request bodies field by field with API.md's invalid_field errors (400, `field` named).
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/state_machine.h"

namespace casetrail::adapters {

// `name` may come from the request (an unknown key or query parameter): see ShownFieldName.
inline Status InvalidField(const std::string& name, const std::string& why) {
  const std::string field = engine::ShownFieldName(name);
  return engine::Refusal(StatusCode::kInvalidArgument, "invalid_field", "field " + field + " " + why)
      .With("field", field);
}

// kInvalidArgument counting the members of `body` not in `allowed`: their names are the
// caller's text (a personal number sent as a key), so they are counted, never named.
inline Status OnlyFields(const boost::json::object& body, const std::set<std::string>& allowed) {
  size_t unknown = 0;
  for (const auto& [k, _] : body) unknown += allowed.count(std::string(k)) ? 0 : 1;
  if (unknown == 0) return Status::Ok();
  return engine::UnknownFields(unknown, "in the body");
}

inline Result<std::optional<std::string>> OptString(const boost::json::object& body, const std::string& name) {
  const auto* v = body.if_contains(name);
  if (!v || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return InvalidField(name, "must be a string");
  return std::optional<std::string>(std::string(v->as_string()));
}

inline Result<std::string> ReqString(const boost::json::object& body, const std::string& name) {
  CT_ASSIGN_OR_RETURN(auto v, OptString(body, name));
  if (!v || v->empty()) return InvalidField(name, "is required");
  return *v;
}

inline Result<std::vector<std::string>> StringList(const boost::json::object& body, const std::string& name) {
  const auto* v = body.if_contains(name);
  if (!v || !v->is_array()) return InvalidField(name, "must be a list of strings");
  std::vector<std::string> out;
  for (const auto& e : v->as_array()) {
    if (!e.is_string()) return InvalidField(name, "must be a list of strings");
    out.emplace_back(e.as_string());
  }
  return out;
}

}  // namespace casetrail::adapters
