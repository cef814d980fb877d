#include "replay/indicator_definitions.h"

#include <set>

#include "engine/cooperation_records.h"
#include "engine/event.h"
#include "replay/case_rebuild.h"

namespace casetrail::replay {
namespace json = boost::json;

namespace {

Status Bad(const std::string& what) { return InvalidArgument("indicator definitions: " + what); }

std::string Str(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

Status CheckTarget(const std::string& id, const json::value* target) {
  static const std::set<std::string> kKinds = {"above_previous_year", "share_above_previous_year", "share_at_least",
                                               "at_least", "none"};
  if (!target || !target->is_object()) return Bad(id + ": target must be an object");
  const auto& t = target->as_object();
  const std::string kind = Str(t, "kind");
  if (!kKinds.count(kind)) return Bad(id + ": unknown target kind");
  if (kind == "share_at_least" || kind == "at_least") {
    auto* v = t.if_contains("value");
    if (!v || !v->is_number()) return Bad(id + ": target needs a numeric value");
  }
  const bool has_year = t.contains("baseline_year"), has_value = t.contains("baseline");
  if (has_year != has_value) return Bad(id + ": baseline_year and baseline go together");
  if (has_year && (!t.at("baseline_year").is_int64() || !t.at("baseline").is_number())) {
    return Bad(id + ": baseline_year must be a year and baseline a number");
  }
  return Status::Ok();
}

}  // namespace

Result<IndicatorDefinitions> ParseIndicatorDefinitions(const json::value& value) {
  static const std::set<std::string> kKeys = {"referrals",   "cases_booked",       "started_after_conversation",
                                              "rom_started", "conversations_held", "group_activities"};
  if (!value.is_object()) return Bad("must be an object");
  const auto& o = value.as_object();
  IndicatorDefinitions d;
  d.id = Str(o, "id");
  d.version = Str(o, "version");
  if (d.id.empty() || d.id.size() > 60 || d.version.empty() || d.version.size() > 40) {
    return Bad("id (up to 60 characters) and version (up to 40) are required");
  }
  auto* list = o.if_contains("indicators");
  if (!list || !list->is_array() || list->as_array().empty()) return Bad("indicators must be a non-empty list");
  std::set<std::string> ids;
  for (const auto& ind : list->as_array()) {
    if (!ind.is_object()) return Bad("an indicator must be an object");
    const std::string id = Str(ind.as_object(), "id");
    if (id.empty() || !ids.insert(id).second) return Bad("every indicator needs an id of its own");
    if (!kKeys.count(Str(ind.as_object(), "key"))) return Bad(id + ": unknown key");
    CT_RETURN_IF_ERROR(CheckTarget(id, ind.as_object().if_contains("target")));
  }
  d.decision_ref = Str(o, "decision_ref");
  d.doc = o;
  return d;
}

Result<std::vector<IndicatorDefinitions>> LoadIndicatorDefinitions(storage::Log& log, std::string_view builtin) {
  std::vector<IndicatorDefinitions> all;
  boost::system::error_code ec;
  json::value doc = json::parse(builtin, ec);
  if (ec) return Internal("the built-in indicator definitions are not JSON");
  CT_ASSIGN_OR_RETURN(IndicatorDefinitions first, ParseIndicatorDefinitions(doc));
  all.push_back(std::move(first));
  CT_ASSIGN_OR_RETURN(auto events, ReadStreamEvents(log, engine::DecisionStream()));
  for (const auto& e : events) {
    if (e.event.type != "IndicatorDefinitionsAdopted") continue;
    const std::string* text = engine::AsText(e.event.facts, "definitions");
    if (!text) return DataLoss("IndicatorDefinitionsAdopted without its definitions");
    json::value adopted = json::parse(*text, ec);
    if (ec) return DataLoss("IndicatorDefinitionsAdopted with definitions that are not JSON");
    CT_ASSIGN_OR_RETURN(IndicatorDefinitions d, ParseIndicatorDefinitions(adopted));
    if (auto* from = engine::AsText(e.event.facts, "effective_from")) d.effective_from = *from;
    if (auto* ref = engine::AsText(e.event.facts, "registry_number")) d.decision_ref = *ref;
    all.push_back(std::move(d));
  }
  return all;
}

const IndicatorDefinitions& InForce(const std::vector<IndicatorDefinitions>& all, const std::string& date) {
  const IndicatorDefinitions* best = &all.front();
  for (size_t i = 1; i < all.size(); ++i) {
    if (all[i].effective_from <= date && (best == &all.front() || all[i].effective_from >= best->effective_from)) {
      best = &all[i];
    }
  }
  return *best;
}

}  // namespace casetrail::replay
