// The strategic group's cadences (DOMAIN §4.5 J8, J9, J12) and the cooperation's activities
// (§5.1 A1, A2): POST/GET /v1/strategic-meetings, POST /v1/cooperation-activities,
// GET /v1/cadences, and the "activities" block of GET /v1/indicators. The worker's side is
// adapters/workers/governance_jobs.h. Records hold dates, counts and codes: no personal data.
#include "adapters/http/api_cadences.h"

#include "adapters/http/body_fields.h"
#include "adapters/workers/governance_jobs.h"
#include "engine/cooperation_records.h"
#include "replay/case_rebuild.h"
#include "replay/indicators.h"
#include "replay/stockholm_time.h"

namespace casetrail::adapters {
namespace json = boost::json;

namespace {

// A2's activity kinds (000 §6 "Aktiviteter").
const std::vector<std::string>& ActivityKinds() {
  static const std::vector<std::string> kinds = {
      "group_activity",                // group activities (also counted by A1 through POST /v1/activities)
      "booking_via_space",             // booking of SYV conversations via the collaboration space
      "jobbtorg_cooperation_review",   // review extending the Jobbtorg–AF Järva cooperation
      "provider_information_meeting",  // information meetings with AF, Vux and ROM providers
      "mutual_information_meeting",    // mutual information meetings AF ↔ Vux
  };
  return kinds;
}

// A date YYYY-MM-DD (the start of that Stockholm day), or invalid_field.
Result<engine::Timestamp> DayStart(const std::string& name, const std::string& v) {
  auto end = replay::EndOfStockholmDay(v);
  if (!end.ok() || v.size() != 10) return InvalidField(name, "must be a date YYYY-MM-DD");
  return *end - std::chrono::hours(24);
}

json::object Facts(const engine::StoredEvent& e) {
  json::object o;
  for (const auto& [k, v] : e.event.facts) {
    if (const auto* s = std::get_if<std::string>(&v)) o[k] = *s;
    else if (const auto* n = std::get_if<int64_t>(&v)) o[k] = *n;
    else if (const auto* b = std::get_if<bool>(&v)) o[k] = *b;
  }
  return o;
}

}  // namespace

ApiResponse CadenceRoutes::RecordStrategicMeeting(Call& c) {
  if (Status s = OnlyFields(c.body, {"held_on", "next_meeting_on", "convened_by"}); !s.ok()) return FromStatus(s);
  auto held_on = ReqString(c.body, "held_on");
  if (!held_on.ok()) return FromStatus(held_on.status());
  auto on = DayStart("held_on", *held_on);
  if (!on.ok()) return FromStatus(on.status());
  auto next = OptString(c.body, "next_meeting_on");
  if (!next.ok()) return FromStatus(next.status());
  if (*next && (!DayStart("next_meeting_on", **next).ok() || **next <= *held_on)) {
    return FromStatus(InvalidField("next_meeting_on", "must be a date YYYY-MM-DD after held_on"));
  }
  auto by = OptString(c.body, "convened_by");
  if (!by.ok()) return FromStatus(by.status());
  if (*by && **by != "af" && **by != "vux") return FromStatus(InvalidField("convened_by", "must be af or vux"));
  if (!May(c, "govern")) return Problem(403, "forbidden", "strategic meetings are recorded by the strategic group, compliance or admin");
  const auto now = d_.clock->Now();
  if (*on > now) return FromStatus(InvalidField("held_on", "must not be in the future"));
  auto p = engine::AppendRecord(*d_.log, StrategicMeetingStream(), "StrategicMeetingHeld", c.actor,
                                {{"held_on", *held_on}, {"next_meeting_on", next->value_or("")},
                                 {"convened_by", by->value_or("")}},
                                now, *on);
  if (!p.ok()) return FromStatus(p.status());
  return Json(201, json::object{{"position", p->value()}});
}

ApiResponse CadenceRoutes::RecordCooperationActivity(Call& c) {
  if (Status s = OnlyFields(c.body, {"kind", "held_on", "unit"}); !s.ok()) return FromStatus(s);
  auto kind = ReqString(c.body, "kind");
  if (!kind.ok()) return FromStatus(kind.status());
  const auto& kinds = ActivityKinds();
  if (std::find(kinds.begin(), kinds.end(), *kind) == kinds.end()) {
    return FromStatus(InvalidField("kind", "is not a listed activity kind"));
  }
  auto held_on = ReqString(c.body, "held_on");
  if (!held_on.ok()) return FromStatus(held_on.status());
  auto on = DayStart("held_on", *held_on);
  if (!on.ok()) return FromStatus(on.status());
  auto unit = OptString(c.body, "unit");
  if (!unit.ok()) return FromStatus(unit.status());
  if (*unit) {
    if (Status s = CheckUnit(**unit); !s.ok()) return FromStatus(s);
  }
  if (!May(c, "record_activity")) return Problem(403, "forbidden", "this role does not record activities");
  // An officer records their own unit's activities, and only with the unit named.
  if (UnitBound(c) && (!*unit || !ActsFor(c, **unit))) return Problem(403, "forbidden", "another unit's activity");
  const auto now = d_.clock->Now();
  if (*on > now) return FromStatus(InvalidField("held_on", "must not be in the future"));
  auto p = engine::AppendRecord(*d_.log, CooperationActivityStream(), "ActivityHeld", c.actor,
                                {{"kind", *kind}, {"held_on", *held_on}, {"unit", unit->value_or("")}}, now, *on);
  if (!p.ok()) return FromStatus(p.status());
  return Json(201, json::object{{"position", p->value()}});
}

Result<json::object> ActivitiesReport(storage::Log& log, const engine::WorkflowModel& model, const std::string& from,
                                      const std::string& to, const std::optional<std::string>& unit) {
  const GovernanceCalendar cal;
  CT_ASSIGN_OR_RETURN(auto held, ReadGroupActivities(log, model.UnitIds()));
  const std::string year = from.substr(0, 4);
  json::array list;
  int64_t count = 0, in_year = 0, in_range = 0;
  for (const auto& a : held) {
    if (unit && a.unit != *unit) continue;
    if (a.held_on.substr(0, 4) == year) ++in_year;
    if (a.held_on < from || a.held_on >= to) continue;
    const bool ok = a.participants >= cal.participants_min && a.participants <= cal.participants_max;
    ++count;
    in_range += ok;
    list.push_back(json::object{{"held_on", a.held_on}, {"unit", a.unit}, {"participants_total", a.participants},
                                {"in_range", ok}});
  }
  CT_ASSIGN_OR_RETURN(auto events, replay::ReadStreamEvents(log, CooperationActivityStream()));
  json::object kinds;
  for (const auto& k : ActivityKinds()) kinds[k] = json::object{{"done", false}, {"count", 0}};
  for (const auto& e : events) {
    const std::string* kind = engine::AsText(e.event.facts, "kind");
    const std::string* u = engine::AsText(e.event.facts, "unit");
    const std::string on = replay::StockholmDate(e.event.meta.effective_at);
    if (!kind || !kinds.contains(*kind) || on < from || on >= to) continue;
    if (unit && (!u || *u != *unit)) continue;
    auto& k = kinds[*kind].as_object();
    k["count"] = k["count"].as_int64() + 1;
    k["done"] = true;
  }
  // A group activity recorded through POST /v1/activities (A1) is one done for A2 too.
  if (count > 0) {
    auto& g = kinds["group_activity"].as_object();
    g["count"] = g["count"].as_int64() + count;
    g["done"] = true;
  }
  return json::object{
      {"group_activities",  // A1
       json::object{{"count", count},
                    {"in_year", in_year},
                    {"yearly_target", cal.activity_target},
                    {"participants_range", json::array{cal.participants_min, cal.participants_max}},
                    {"in_range", in_range},
                    {"outside_range", count - in_range},
                    {"held", std::move(list)}}},
      {"listed_activities", std::move(kinds)}};  // A2
}

ApiResponse CadenceRoutes::ListStrategicMeetings(Call& c) {
  if (!c.query.empty()) return FromStatus(engine::UnknownFields(c.query.size(), "in the query"));
  if (!May(c, "read_strategic")) return Problem(403, "forbidden", "strategic meetings are for the strategic group and compliance");
  auto events = replay::ReadStreamEvents(*d_.log, StrategicMeetingStream());
  if (!events.ok()) return FromStatus(events.status());
  json::array out;
  for (const auto& e : *events) {
    json::object o = Facts(e);
    o["position"] = e.position.value();
    o["recorded_by"] = e.event.meta.actor.id;
    out.push_back(std::move(o));
  }
  return Json(200, json::object{{"meetings", std::move(out)}});
}

ApiResponse CadenceRoutes::GetCadences(Call& c) {
  std::string year;
  for (const auto& [k, v] : c.query) {
    if (k != "year") return FromStatus(InvalidField(k, "is not accepted here"));
    year = v;
  }
  if (year.size() != 4 || !replay::ParsePeriod(year).ok()) return FromStatus(InvalidField("year", "must be YYYY"));
  if (!May(c, "read_strategic")) return Problem(403, "forbidden", "cadences are for the strategic group and compliance");
  const GovernanceCalendar cal;
  auto read = [&](const StreamId& s) { return replay::ReadStreamEvents(*d_.log, s); };
  auto meetings = read(StrategicMeetingStream());
  auto flags = read(StrategicCadenceStream());
  auto tallies = read(ActivityTallyStream());
  auto reminders = read(GovernanceReminderStream());
  for (const auto* r : {&meetings, &flags, &tallies, &reminders}) {
    if (!r->ok()) return FromStatus(r->status());
  }
  json::array held, flagged, tallied, fired;
  for (const auto& e : *meetings) {
    const std::string* on = engine::AsText(e.event.facts, "held_on");
    if (on && on->substr(0, 4) == year) held.push_back(Facts(e));
  }
  for (const auto& e : *flags) {
    const auto* y = std::get_if<int64_t>(&e.event.facts.at("year"));
    if (y && std::to_string(*y) == year) flagged.push_back(Facts(e));
  }
  for (const auto& e : *tallies) {
    const std::string* m = engine::AsText(e.event.facts, "month");
    if (m && m->substr(0, 4) == year) tallied.push_back(Facts(e));
  }
  for (const auto& e : *reminders) {
    const std::string* p = engine::AsText(e.event.facts, "period");
    if (p && p->substr(0, 4) == year) {
      json::object o = Facts(e);
      o["fired_at"] = engine::FormatRfc3339(e.event.meta.recorded_at);
      fired.push_back(std::move(o));
    }
  }
  const int y = std::stoi(year);
  const HalfCutoff h1 = CutoffOf(y, 1, cal), h2 = CutoffOf(y, 2, cal);
  return Json(200, json::object{
                       {"year", y},
                       {"strategic_meetings",  // J8
                        json::object{{"held", held.size()},
                                     {"required", json::object{{"by", h2.cutoff}, {"count", h2.required}}},
                                     {"cutoffs", json::array{json::object{{"half", "H1"}, {"cutoff", h1.cutoff}, {"required", h1.required}},
                                                             json::object{{"half", "H2"}, {"cutoff", h2.cutoff}, {"required", h2.required}}}},
                                     {"meetings", std::move(held)},
                                     {"overdue_flags", std::move(flagged)}}},
                       {"activity_tallies", std::move(tallied)},  // J9
                       {"governance_reminders", std::move(fired)}});  // J12
}

void CadenceRoutes::Register(RouteTable& t) {
  t.Add("POST", {"cooperation-activities"}, [this](Call& c) { return RecordCooperationActivity(c); });
  t.Add("POST", {"strategic-meetings"}, [this](Call& c) { return RecordStrategicMeeting(c); });
  t.Add("GET", {"strategic-meetings"}, [this](Call& c) { return ListStrategicMeetings(c); });
  t.Add("GET", {"cadences"}, [this](Call& c) { return GetCadences(c); });
}

}  // namespace casetrail::adapters
