// The strategic group's indicators: GET /v1/indicators (API.md), POST/GET
// /v1/indicators/snapshots (published sets, as the group saw them), POST /v1/activities (A1).
#include <sodium.h>

#include "adapters/http/api_indicators.h"
#include "adapters/http/api_cadences.h"
#include "adapters/http/body_fields.h"
#include "replay/indicator_definitions.h"
#include "engine/cooperation_records.h"
#include "replay/case_rebuild.h"
#include "replay/stockholm_time.h"
#include "replay/suppression.h"
#include "replay/suppression_bands.h"
#include "adapters/http/indicator_bands_json.h"
#include "storage/base/hex.h"
#include "workflows/indicator_definitions.h"

namespace casetrail::adapters {
namespace json = boost::json;

namespace {


json::object RatioJson(const replay::Ratio& r) {
  return {{"numerator", r.numerator},
          {"denominator", r.denominator},
          {"share", r.denominator ? json::value(static_cast<double>(r.numerator) / r.denominator) : json::value(nullptr)}};
}

json::object BlockJson(const replay::IndicatorSet& s) {
  return {{"referrals", s.referrals},
          {"cases_booked", s.cases_booked},
          {"conversations_held",
           json::object{{"women", s.held_women}, {"men", s.held_men}, {"unknown", s.held_unknown}, {"total", s.HeldTotal()}}},
          {"started_after_conversation", RatioJson(s.started_after_conversation)},
          {"rom_started", RatioJson(s.rom_started)},
          {"group_activities", s.group_activities}};
}

// A block as the strategic role sees it: each hidden field null.
json::object BlockJson(const replay::SuppressedSet& s) {
  json::object block = BlockJson(s.figures);
  for (const auto& field : s.hidden) {
    const auto dot = field.find('.');
    if (dot == std::string::npos) block[field] = nullptr;
    else block[field.substr(0, dot)].as_object()[field.substr(dot + 1)] = nullptr;
  }
  return block;
}

// A value at "a.b" in a block, or null.
json::value At(const json::object& block, const std::string& path) {
  const json::value* v = &block.at(path.substr(0, path.find('.')));
  if (path.find('.') != std::string::npos) v = &v->as_object().at(path.substr(path.find('.') + 1));
  return *v;
}
double Num(const json::value& v) { return v.is_int64() ? v.as_int64() : v.is_uint64() ? v.as_uint64() : v.as_double(); }

// Each indicator's target and whether it is met (null when a figure is hidden or missing).
json::object TargetsJson(const json::object& now, const json::object& before, int year,
                         const replay::IndicatorDefinitions& defs) {
  json::object out;
  for (const auto& ind : defs.doc.at("indicators").as_array()) {
    const auto& d = ind.as_object();
    const std::string key(d.at("key").as_string());
    const auto& target = d.at("target").as_object();
    const std::string kind(target.at("kind").as_string());
    json::object t{{"indicator", d.at("id")}, {"kind", kind}, {"met", nullptr}};
    const std::string path = key == "conversations_held" ? "conversations_held.total"
                             : key == "started_after_conversation" || key == "rom_started" ? key + ".share"
                                                                                          : key;
    const json::value v = At(now, path), prev = At(before, path);
    if (kind == "above_previous_year" || kind == "share_above_previous_year") {
      json::value reference = prev;
      if (target.contains("baseline_year") && target.at("baseline_year").as_int64() == year - 1) reference = target.at("baseline");
      t["compared_with"] = reference;
      if (!v.is_null() && !reference.is_null()) t["met"] = Num(v) > Num(reference);
    } else if (kind == "share_at_least" || kind == "at_least") {
      t["value"] = target.at("value");
      if (!v.is_null()) t["met"] = Num(v) >= Num(target.at("value"));
    }
    if (target.contains("baseline")) t["baseline"] = json::object{{"year", target.at("baseline_year")}, {"value", target.at("baseline")}};
    out[key] = std::move(t);
  }
  return out;
}

}  // namespace

Result<json::object> IndicatorRoutes::IndicatorReport(const std::string& period_label, const std::optional<std::string>& unit,
                                          bool suppress) {
  CT_ASSIGN_OR_RETURN(replay::Period period, replay::ParsePeriod(period_label));
  const replay::Period before = replay::SamePeriodYearBefore(period);
  // Read your own writes; figures that cannot catch up are refused (503), never answered stale.
  if (!d_.indicators->WaitFor(d_.log->GetHead().position, 5000)) {
    return Status(StatusCode::kUnavailable, "the indicators read model could not catch up with the log in time")
        .With("code", "read_model_behind");
  }
  const auto& p = d_.indicators->projection();
  // Suppressed, every unit's block and the total are suppressed together and the requested one is
  // answered, so no pair of requests (a unit and the total) can be subtracted to a hidden cell.
  std::vector<std::string> hidden;
  // With the age bands: the bands are suppressed with the units and the total (their sums cross).
  auto block = [&](const replay::Period& in, const std::string& prefix) {
    const auto by_band = p.ComputeAllByBand(in);
    if (!suppress) {
      std::map<std::string, replay::SuppressedSet> bands;
      if (auto it = by_band.find(unit.value_or("")); it != by_band.end()) {
        for (const auto& [band, figures] : it->second) bands[band].figures = figures;
      }
      json::object out = BlockJson(p.Compute(in, unit));
      out["by_age_band"] = ByAgeBandJson(bands, prefix, &hidden);
      return out;
    }
    // One pass for the units and the total, suppressed together.
    const replay::SuppressedBandTable table =
        replay::SuppressTableByBand(p.ComputeAll(in), by_band, Model().UnitIds(), d_.suppress_below);
    const replay::SuppressedSet& mine = unit ? table.table.units.at(*unit) : table.table.total;
    for (const auto& h : mine.hidden) hidden.push_back(prefix + h);
    json::object out = BlockJson(mine);
    out["by_age_band"] = ByAgeBandJson(table.bands.at(unit.value_or("")), prefix, &hidden);
    return out;
  };
  json::object now = block(period, "");
  json::object prev = block(before, "previous_year.");
  const int year = std::stoi(period.from.substr(0, 4));
  const auto* def = d_.registry->Current(d_.service->workflow(), period.to);
  CT_ASSIGN_OR_RETURN(auto versions, replay::LoadIndicatorDefinitions(*d_.log, workflows::IndicatorDefinitionsJson()));
  const replay::IndicatorDefinitions& defs = replay::InForce(versions, period.from);
  json::object out{{"year", year},
                   {"period", period.label},
                   {"from", period.from},
                   {"to", period.to},
                   {"unit", unit ? json::value(*unit) : json::value(nullptr)},
                   {"definitions", defs.Name()},
                   {"definitions_adopted_by", defs.decision_ref},
                   {"definitions_effective_from", defs.effective_from.empty() ? json::value(nullptr) : json::value(defs.effective_from)},
                   {"workflow_revision", def ? json::value(def->Name()) : json::value(nullptr)}};
  for (auto& [k, v] : now) out[k] = v;
  out["targets"] = TargetsJson(now, prev, year, defs);
  out["previous_year"] = std::move(prev);
  CT_ASSIGN_OR_RETURN(out["activities"], ActivitiesReport(*d_.log, Model(), period.from, period.to, unit));  // A1, A2
  json::array names;
  for (const auto& h : hidden) names.emplace_back(h);
  out["suppressed"] = std::move(names);
  out["suppress_below"] = suppress ? json::value(d_.suppress_below) : json::value(nullptr);
  return out;
}

// Reads ?year=|period= and ?unit=; 400 on anything else.
Result<std::pair<std::string, std::optional<std::string>>> IndicatorScope(const ModelChecks& checks,
                                                                           const std::map<std::string, std::string>& q,
                                                                           const json::object* body) {
  std::string period;
  std::optional<std::string> unit;
  auto take = [&](const std::string& k, const std::string& v) -> Status {
    if (k == "year" || k == "period") {
      if (!period.empty()) return InvalidField(k, "give year or period, not both");
      period = v;
    } else if (k == "unit") {
      CT_RETURN_IF_ERROR(checks.CheckUnit(v));
      unit = v;
    } else {
      return InvalidField(k, "is not accepted here");
    }
    return Status::Ok();
  };
  for (const auto& [k, v] : q) CT_RETURN_IF_ERROR(take(k, v));
  if (body) {
    for (const auto& [k, v] : *body) {
      if (v.is_int64() && k == "year") {
        CT_RETURN_IF_ERROR(take("year", std::to_string(v.as_int64())));
      } else if (v.is_string()) {
        CT_RETURN_IF_ERROR(take(std::string(k), std::string(v.as_string())));
      } else {
        return InvalidField(std::string(k), "has the wrong type");
      }
    }
  }
  if (period.empty()) return InvalidField("year", "is required (or period)");
  if (!replay::ParsePeriod(period).ok()) return InvalidField("period", "must be YYYY, YYYY-MM, YYYY-Qn, YYYY-Tn, YYYY-Hn, YYYY-VT or YYYY-HT");
  return std::pair{period, unit};
}

ApiResponse IndicatorRoutes::GetIndicators(Call& c) {
  auto scope = IndicatorScope(*this, c.query, nullptr);
  if (!scope.ok()) return FromStatus(scope.status());
  if (!May(c, "read_indicators")) {
    return Problem(403, "forbidden", "indicators are for the strategic group and compliance");
  }
  auto report = IndicatorReport(scope->first, scope->second, Model().Role(c.actor.role)->suppressed);
  if (!report.ok()) return FromStatus(report.status());
  return Json(200, *report);
}

ApiResponse IndicatorRoutes::TakeIndicatorSnapshot(Call& c) {
  auto scope = IndicatorScope(*this, {}, &c.body);
  if (!scope.ok()) return FromStatus(scope.status());
  if (!May(c, "read_indicators")) {
    return Problem(403, "forbidden", "indicators are for the strategic group and compliance");
  }
  auto taken = RecordSnapshot(scope->first, scope->second, c.actor, "");
  if (!taken.ok()) return FromStatus(taken.status());
  taken->erase("deduplicated");  // a request always appends
  return Json(201, std::move(*taken));
}

Result<json::object> IndicatorRoutes::RecordSnapshot(const std::string& period, const std::optional<std::string>& unit,
                                         const engine::Actor& actor, const std::string& idempotency_key) {
  // What is published is what the strategic group sees: always suppressed.
  CT_ASSIGN_OR_RETURN(json::object report, IndicatorReport(period, unit, true));
  const std::string body = json::serialize(report);
  uint8_t hash[32];
  crypto_generichash(hash, sizeof(hash), reinterpret_cast<const uint8_t*>(body.data()), body.size(), nullptr, 0);
  const std::string content_hash = ToHex(std::string_view(reinterpret_cast<const char*>(hash), sizeof(hash)));
  const auto now = d_.clock->Now();
  const auto* def = d_.registry->Current("study-referral", replay::StockholmDate(now));
  CT_ASSIGN_OR_RETURN(auto appended,
                      engine::AppendRecordOnce(*d_.log, engine::IndicatorSnapshotStream(), "IndicatorSnapshotTaken", actor,
                                               {{"period", period},
                                                {"unit", unit.value_or("")},
                                                {"definitions", std::string(report.at("definitions").as_string())},
                                                {"content_hash", content_hash},
                                                {"report", body}},
                                               now, idempotency_key, idempotency_key, def ? "study-referral" : "",
                                               def ? def->revision : 0));
  return json::object{{"snapshot", appended.first_position.value()},
                      {"content_hash", content_hash},
                      {"report", std::move(report)},
                      {"deduplicated", appended.deduplicated}};
}

Result<bool> IndicatorRoutes::TakeScheduledSnapshot(const std::string& period, const std::optional<std::string>& unit) {
  const engine::Actor worker{"worker:snapshots", "worker", "", "system", ""};
  const std::string key = "snapshot:" + period + ":" + unit.value_or("all");
  // Taken already (every start walks every ended period): skip computing the report.
  CT_ASSIGN_OR_RETURN(auto known, d_.log->LookupIdempotency(key, key));
  if (known) return false;
  CT_ASSIGN_OR_RETURN(json::object taken, RecordSnapshot(period, unit, worker, key));
  return !taken.at("deduplicated").as_bool();
}

ApiResponse IndicatorRoutes::ListIndicatorSnapshots(Call& c) {
  if (!May(c, "read_indicators")) {
    return Problem(403, "forbidden", "indicators are for the strategic group and compliance");
  }
  auto events = replay::ReadStreamEvents(*d_.log, engine::IndicatorSnapshotStream());
  if (!events.ok()) return FromStatus(events.status());
  json::array out;
  for (const auto& e : *events) {
    auto text = [&](const char* k) {
      const std::string* v = engine::AsText(e.event.facts, k);
      return v ? *v : std::string();
    };
    boost::system::error_code ec;
    json::value report = json::parse(text("report"), ec);
    out.push_back(json::object{{"snapshot", e.position.value()},
                               {"taken_at", engine::FormatRfc3339(e.event.meta.recorded_at)},
                               {"taken_by", e.event.meta.actor.id},
                               {"period", text("period")},
                               {"unit", text("unit").empty() ? json::value(nullptr) : json::value(text("unit"))},
                               {"definitions", text("definitions")},
                               {"workflow_revision", e.event.meta.workflow + "@" + std::to_string(e.event.meta.revision)},
                               {"content_hash", text("content_hash")},
                               {"report", ec ? json::value(nullptr) : report}});
  }
  return Json(200, json::object{{"snapshots", std::move(out)}});
}

ApiResponse IndicatorRoutes::RecordGroupActivity(Call& c) {
  if (Status s = OnlyFields(c.body, {"unit", "held_on", "participants_total"}); !s.ok()) return FromStatus(s);
  auto unit = ReqString(c.body, "unit");
  if (!unit.ok()) return FromStatus(unit.status());
  if (Status s = CheckUnit(*unit); !s.ok()) return FromStatus(s);
  auto held_on = ReqString(c.body, "held_on");
  if (!held_on.ok()) return FromStatus(held_on.status());
  auto end = replay::EndOfStockholmDay(*held_on);
  if (!end.ok()) return FromStatus(InvalidField("held_on", "must be a date YYYY-MM-DD"));
  const auto* n = c.body.if_contains("participants_total");
  if (!n || !n->is_int64() || n->as_int64() < 0 || n->as_int64() > 10000) {
    return FromStatus(InvalidField("participants_total", "must be a count"));
  }
  if (!May(c, "record_activity")) return Problem(403, "forbidden", "this role does not record activities");
  if (!ActsFor(c, *unit)) return Problem(403, "forbidden", "another unit's activity");
  const auto now = d_.clock->Now();
  const engine::Timestamp on = *end - std::chrono::hours(24);  // the start of that Stockholm day
  if (on > now) return FromStatus(InvalidField("held_on", "must not be in the future"));
  auto position = engine::AppendRecord(*d_.log, engine::ActivityStream(*unit), "GroupActivityHeld", c.actor,
                                       {{"unit", *unit}, {"kind", std::string("group_activity")},
                                        {"participants_total", n->as_int64()}},
                                       now, on);
  if (!position.ok()) return FromStatus(position.status());
  return Json(201, json::object{{"position", position->value()}});
}

void IndicatorRoutes::Register(RouteTable& t) {
  t.Add("GET", {"indicators"}, [this](Call& c) { return GetIndicators(c); });
  t.Add("POST", {"indicators", "snapshots"}, [this](Call& c) { return TakeIndicatorSnapshot(c); });
  t.Add("GET", {"indicators", "snapshots"}, [this](Call& c) { return ListIndicatorSnapshots(c); });
  t.Add("POST", {"activities"}, [this](Call& c) { return RecordGroupActivity(c); });
}

}  // namespace casetrail::adapters
