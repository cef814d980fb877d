#include "adapters/http/json_values.h"

#include "storage/base/hex.h"

#include "engine/state_machine.h"

namespace casetrail::adapters {
namespace json = boost::json;

json::value ToJson(const engine::Value& v) {
  return std::visit(
      [](const auto& x) -> json::value {
        using X = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<X, std::monostate>) return nullptr;
        else if constexpr (std::is_same_v<X, std::vector<std::string>>) {
          json::array a;
          for (const auto& s : x) a.emplace_back(s);
          return a;
        } else {
          return json::value(x);
        }
      },
      v);
}

json::object ToJson(const engine::Fields& f) {
  json::object o;
  for (const auto& [k, v] : f) o[k] = ToJson(v);
  return o;
}

Result<engine::Fields> FieldsFromJson(const json::object& o) {
  engine::Fields out;
  for (const auto& [k, v] : o) {
    const std::string name(k);
    if (v.is_null()) out[name] = engine::Value{};
    else if (v.is_bool()) out[name] = v.as_bool();
    else if (v.is_int64()) out[name] = v.as_int64();
    else if (v.is_uint64() && v.as_uint64() <= INT64_MAX) out[name] = static_cast<int64_t>(v.as_uint64());
    else if (v.is_string()) out[name] = std::string(v.as_string());
    else if (v.is_array()) {
      std::vector<std::string> list;
      for (const auto& e : v.as_array()) {
        if (!e.is_string()) {
          return engine::Refusal(StatusCode::kInvalidArgument, "invalid_field", "field " + name + " has a wrong type")
              .With("field", name);
        }
        list.emplace_back(e.as_string());
      }
      out[name] = std::move(list);
    } else {
      return engine::Refusal(StatusCode::kInvalidArgument, "invalid_field", "field " + name + " has a wrong type")
          .With("field", name);
    }
  }
  return out;
}

boost::json::object EnvelopeJson(const engine::StoredEvent& e, bool audit) {
  namespace json = boost::json;
  const auto& m = e.event.meta;
  auto text_or_null = [](const std::string& v) { return v.empty() ? json::value(nullptr) : json::value(v); };
  json::object actor{{"id", m.actor.id}, {"role", m.actor.role}, {"unit", text_or_null(m.actor.unit)}};
  if (!m.actor.acting_for.empty()) actor["acting_for"] = m.actor.acting_for;  // a reserve (G-RESERVE)
  // A sign-in through the identity provider: its level of assurance, shown wherever the actor is.
  if (!m.actor.acr.empty()) actor["acr"] = m.actor.acr;
  json::object out{{"position", e.position.value()},
                   {"version", e.version.value()},
                   {"type", e.event.type},
                   {"recorded_at", engine::FormatRfc3339(m.recorded_at)},
                   {"effective_at", engine::FormatRfc3339(m.effective_at)},
                   {"actor", std::move(actor)},
                   {"revision", m.workflow.empty() ? json::value(nullptr) : json::value(m.workflow + "@" + std::to_string(m.revision))},
                   {"hash", ToHex(std::string_view(reinterpret_cast<const char*>(e.hash.data()), e.hash.size()))}};
  if (audit) {
    out["actor"].as_object()["auth"] = text_or_null(m.actor.auth);
    out["legal_basis"] = text_or_null(m.legal_basis);
    out["consent_ref"] = text_or_null(m.consent_ref);
    out["correlation_id"] = text_or_null(m.correlation_id);
    out["command"] = text_or_null(m.command);
  }
  return out;
}

}  // namespace casetrail::adapters
