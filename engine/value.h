// Values carried by commands and events: a small closed set of types, so every field can be
// stored in Cap'n Proto, shown as JSON and checked against a workflow definition.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace casetrail::engine {

// null, bool, integer, text (codes, ids, dates, RFC 3339 times, free text), list of text.
using Value = std::variant<std::monostate, bool, int64_t, std::string, std::vector<std::string>>;

// Named values. Ordered so that encodings and hashes are stable.
using Fields = std::map<std::string, Value>;

inline const std::string* AsText(const Fields& f, const std::string& name) {
  auto it = f.find(name);
  return it == f.end() ? nullptr : std::get_if<std::string>(&it->second);
}
inline std::optional<bool> AsBool(const Fields& f, const std::string& name) {
  auto it = f.find(name);
  if (it == f.end()) return std::nullopt;
  if (auto* b = std::get_if<bool>(&it->second)) return *b;
  return std::nullopt;
}

}  // namespace casetrail::engine
