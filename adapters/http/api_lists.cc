// Meetings and follow-up lists (API.md "Meetings, lists"): POST/GET /v1/meetings,
// GET /v1/lists/monthly, GET /v1/lists/progression, POST /v1/lists/progression/publish.
// Lists answer JSON, or CSV / XLSX by the Accept header.
#include <algorithm>

#include "adapters/http/api_lists.h"
#include "adapters/http/body_fields.h"
#include "adapters/http/json_values.h"
#include "adapters/http/list_export.h"
#include "adapters/workers/list_jobs.h"
#include "engine/cooperation_records.h"
#include "replay/case_rebuild.h"
#include "replay/stockholm_time.h"

namespace casetrail::adapters {
namespace json = boost::json;

namespace {

// A file name every system accepts: the list id with ':' (refused on Windows) as '_'.
std::string DownloadName(std::string list_id) {
  std::replace(list_id.begin(), list_id.end(), ':', '_');
  return list_id;
}

}  // namespace

bool IsMonthLabel(const std::string& v) {
  return v.size() == 7 && v[4] == '-' && std::all_of(v.begin(), v.begin() + 4, ::isdigit) && v.substr(5) >= "01" && v.substr(5) <= "12";
}
bool IsQuarterLabel(const std::string& v) {
  return v.size() == 7 && v.substr(4, 2) == "-Q" && std::all_of(v.begin(), v.begin() + 4, ::isdigit) && v[6] >= '1' && v[6] <= '4';
}

Result<StoredList> ListRoutes::GeneratedList(const std::string& id) {
  if (d_.worker) d_.worker->CatchUp(5000);
  auto stored = ReadList(*d_.log, id);
  if (!stored.ok() && stored.status().code() == StatusCode::kNotFound) return NotFound("the list has not been generated yet");
  return stored;
}

ApiResponse ListRoutes::RecordMeeting(Call& c) {
  if (Status s = OnlyFields(c.body, {"unit", "kind", "held_on", "participants"}); !s.ok()) return FromStatus(s);
  auto unit = ReqString(c.body, "unit");
  if (!unit.ok()) return FromStatus(unit.status());
  if (Status s = CheckUnit(*unit); !s.ok()) return FromStatus(s);
  auto kind = ReqString(c.body, "kind");
  if (!kind.ok()) return FromStatus(kind.status());
  if (*kind != "monthly") return FromStatus(InvalidField("kind", "must be monthly"));
  auto held_on = ReqString(c.body, "held_on");
  if (!held_on.ok()) return FromStatus(held_on.status());
  auto end = replay::EndOfStockholmDay(*held_on);
  if (!end.ok() || held_on->size() != 10) return FromStatus(InvalidField("held_on", "must be a date YYYY-MM-DD"));
  std::vector<std::string> participants;
  if (c.body.contains("participants")) {
    auto list = StringList(c.body, "participants");
    if (!list.ok()) return FromStatus(list.status());
    participants = *list;  // user ids, not names
  }
  if (!(May(c, "work_lists") && ActsFor(c, *unit))) {
    return Problem(403, "forbidden", "the unit's AF officers and the SYV record its meetings");
  }
  const auto now = d_.clock->Now();
  const engine::Timestamp on = *end - std::chrono::hours(24);
  if (on > now) return FromStatus(InvalidField("held_on", "must not be in the future"));
  auto p = engine::AppendRecord(*d_.log, MeetingStream(*unit), "MeetingHeld", c.actor,
                                {{"unit", *unit}, {"kind", *kind}, {"held_on", *held_on}, {"participants", participants},
                                 {"meeting", "monthly:" + *unit + ":" + held_on->substr(0, 7)}},
                                now, on);
  if (!p.ok()) return FromStatus(p.status());
  return Json(201, json::object{{"meeting", "monthly:" + *unit + ":" + held_on->substr(0, 7)}, {"position", p->value()}});
}

ApiResponse ListRoutes::ListMeetings(Call& c) {
  std::string unit;
  for (const auto& [k, v] : c.query) {
    if (k != "unit") return FromStatus(engine::UnknownFields(1, "in the query"));
    unit = v;
  }
  if (Status s = CheckUnit(unit); !s.ok()) return FromStatus(s);
  if (!(May(c, "read_lists") && ActsFor(c, unit))) return Problem(403, "forbidden", "not this unit's meetings");
  auto events = replay::ReadStreamEvents(*d_.log, MeetingStream(unit));
  if (!events.ok()) return FromStatus(events.status());
  json::array out;
  for (const auto& e : *events) {
    json::object o = ToJson(e.event.facts);
    o["recorded_by"] = e.event.meta.actor.id;
    out.push_back(std::move(o));
  }
  return Json(200, json::object{{"meetings", std::move(out)}});
}

ApiResponse ListRoutes::GetList(Call& c, const std::string& kind) {
  std::string unit, period;
  const char* period_key = kind == "monthly" ? "month" : "quarter";
  for (const auto& [k, v] : c.query) {
    if (k == "unit") unit = v;
    else if (k == period_key) period = v;
    else return FromStatus(engine::UnknownFields(1, "in the query"));
  }
  if (Status s = CheckUnit(unit); !s.ok()) return FromStatus(s);
  if (kind == "monthly" ? !IsMonthLabel(period) : !IsQuarterLabel(period)) {
    return FromStatus(InvalidField(period_key, kind == "monthly" ? "must be YYYY-MM" : "must be YYYY-Qn"));
  }
  if (!(May(c, "read_lists") && ActsFor(c, unit))) return Problem(403, "forbidden", "not this unit's lists");
  auto stored = GeneratedList(kind + ":" + unit + ":" + period);
  if (!stored.ok()) return FromStatus(stored.status());
  const std::string_view accept = c.req.accept;
  if (accept.find("text/csv") != std::string_view::npos) {
    return ApiResponse{200, "text/csv; charset=utf-8", ListCsv(stored->list),
                       {{"Content-Disposition", "attachment; filename=\"" + DownloadName(stored->list.list_id) + ".csv\""}}};
  }
  if (accept.find(kXlsxMediaType) != std::string_view::npos) {
    auto bytes = ListXlsx(stored->list);
    if (!bytes.ok()) return FromStatus(bytes.status());
    return ApiResponse{200, kXlsxMediaType, *bytes,
                       {{"Content-Disposition", "attachment; filename=\"" + DownloadName(stored->list.list_id) + ".xlsx\""}}};
  }
  json::object body = json::parse(replay::ListJson(stored->list)).as_object();
  if (kind == "progression") {
    body["published_at"] = stored->published_at.empty() ? json::value(nullptr) : json::value(stored->published_at);
  }
  return Json(200, body);
}

ApiResponse ListRoutes::PublishProgressionList(Call& c) {
  if (Status s = OnlyFields(c.body, {"unit", "quarter"}); !s.ok()) return FromStatus(s);
  auto unit = ReqString(c.body, "unit");
  if (!unit.ok()) return FromStatus(unit.status());
  if (Status s = CheckUnit(*unit); !s.ok()) return FromStatus(s);
  auto quarter = ReqString(c.body, "quarter");
  if (!quarter.ok()) return FromStatus(quarter.status());
  if (!IsQuarterLabel(*quarter)) return FromStatus(InvalidField("quarter", "must be YYYY-Qn"));
  if (!(May(c, "publish_list") && ActsFor(c, *unit))) return Problem(403, "forbidden", "this role does not publish this unit's list");
  const std::string id = "progression:" + *unit + ":" + *quarter;
  auto stored = GeneratedList(id);
  if (!stored.ok()) return FromStatus(stored.status());
  if (stored->published_at.empty()) {
    const auto now = d_.clock->Now();
    auto p = engine::AppendRecord(*d_.log, ListStream(id), "ProgressionListPublished", c.actor,
                                  {{"list_id", id}, {"content_hash", stored->list.content_hash}}, now, now);
    if (!p.ok()) return FromStatus(p.status());
    stored = ReadList(*d_.log, id);
    if (!stored.ok()) return FromStatus(stored.status());
  }
  return Json(200, json::object{{"list_id", id}, {"published_at", stored->published_at},
                                {"published_by", stored->published_by}, {"content_hash", stored->list.content_hash}});
}

void ListRoutes::Register(RouteTable& t) {
  t.Add("POST", {"meetings"}, [this](Call& c) { return RecordMeeting(c); });
  t.Add("GET", {"meetings"}, [this](Call& c) { return ListMeetings(c); });
  t.Add("GET", {"lists", "monthly"}, [this](Call& c) { return GetList(c, "monthly"); });
  t.Add("GET", {"lists", "progression"}, [this](Call& c) { return GetList(c, "progression"); });
  t.Add("POST", {"lists", "progression", "publish"}, [this](Call& c) { return PublishProgressionList(c); });
  t.Add("GET", {"lists", "monthly", "rows"}, [this](Call& c) { return GetMonthlyListRows(c); });
  t.Add("POST", {"lists", "progression", "selection"}, [this](Call& c) { return SelectProgressionCases(c); });
  t.Add("GET", {"lists", "progression", "selection"}, [this](Call& c) { return GetProgressionSelection(c); });
}

}  // namespace casetrail::adapters
