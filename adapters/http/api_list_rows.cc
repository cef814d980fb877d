// What the monthly meeting needs beside the immutable list (000 §4.1.2: who applied and got a
// study plan, who did not): GET /v1/lists/monthly/rows gives, for each listed case the caller may
// see, the person's name when the model's read rules show it to the caller (each name shown is
// recorded as a read, PersonalDataRead, like every other read), the application and study-plan
// status as known now (only from events whose data the caller may see), and the days from the
// referral to the list's generation day.
//
// For the quarterly list AF chooses which people to ask Vux about (000 §5.1: "AF asks about pace,
// interruptions and lack of progression") before publishing: POST /v1/lists/progression/selection
// records ProgressionListSelected{list_id, case_ids} on the list's stream (chosen again until the
// list is published; the latest counts), GET answers it. Vux answers per person
// (RecordProgressionFeedback naming the list), and J4 chases only the chosen people.
#include <set>

#include "adapters/http/api_cases.h"
#include "adapters/http/api_lists.h"
#include "adapters/http/body_fields.h"
#include "adapters/workers/list_jobs.h"
#include "engine/access_policy.h"
#include "engine/cooperation_records.h"
#include "replay/case_rebuild.h"
#include "replay/stockholm_time.h"
#include "replay/subject_personal.h"

namespace casetrail::adapters {
namespace json = boost::json;

namespace {

int64_t DaysBetween(const std::string& from, const std::string& to) {
  auto a = replay::EndOfStockholmDay(from), b = replay::EndOfStockholmDay(to);
  if (!a.ok() || !b.ok()) return 0;
  return std::chrono::duration_cast<std::chrono::hours>(*b - *a).count() / 24;
}

}  // namespace

ApiResponse ListRoutes::SelectProgressionCases(Call& c) {
  if (Status s = OnlyFields(c.body, {"unit", "quarter", "case_ids"}); !s.ok()) return FromStatus(s);
  auto unit = ReqString(c.body, "unit");
  if (!unit.ok()) return FromStatus(unit.status());
  if (Status s = CheckUnit(*unit); !s.ok()) return FromStatus(s);
  auto quarter = ReqString(c.body, "quarter");
  if (!quarter.ok()) return FromStatus(quarter.status());
  if (!IsQuarterLabel(*quarter)) return FromStatus(InvalidField("quarter", "must be YYYY-Qn"));
  auto ids = StringList(c.body, "case_ids");
  if (!ids.ok()) return FromStatus(ids.status());
  if (!(May(c, "publish_list") && ActsFor(c, *unit))) return Problem(403, "forbidden", "the unit's AF officers choose whom to ask about");
  const std::string id = "progression:" + *unit + ":" + *quarter;
  auto stored = GeneratedList(id);
  if (!stored.ok()) return FromStatus(stored.status());
  if (!stored->published_at.empty()) return Problem(409, "already_published", "the list is published: its questions are fixed");
  std::set<std::string> listed, chosen;
  for (const auto& e : stored->list.cases) listed.insert(e.case_id);
  for (const auto& cid : *ids) {
    if (!listed.count(cid)) return FromStatus(InvalidField("case_ids", "must name cases on the list"));
    chosen.insert(cid);
  }
  const auto now = d_.clock->Now();
  auto p = engine::AppendRecord(*d_.log, ListStream(id), "ProgressionListSelected", c.actor,
                                {{"list_id", id}, {"case_ids", std::vector<std::string>(chosen.begin(), chosen.end())}}, now, now);
  if (!p.ok()) return FromStatus(p.status());
  return Json(201, json::object{{"list_id", id}, {"case_ids", json::value_from(std::vector<std::string>(chosen.begin(), chosen.end()))},
                                {"position", p->value()}});
}

ApiResponse ListRoutes::GetProgressionSelection(Call& c) {
  std::string unit, quarter;
  for (const auto& [k, v] : c.query) {
    if (k == "unit") unit = v;
    else if (k == "quarter") quarter = v;
    else return FromStatus(engine::UnknownFields(1, "in the query"));
  }
  if (Status s = CheckUnit(unit); !s.ok()) return FromStatus(s);
  if (!IsQuarterLabel(quarter)) return FromStatus(InvalidField("quarter", "must be YYYY-Qn"));
  if (!(May(c, "read_lists") && ActsFor(c, unit))) return Problem(403, "forbidden", "not this unit's lists");
  const std::string id = "progression:" + unit + ":" + quarter;
  auto stored = GeneratedList(id);
  if (!stored.ok()) return FromStatus(stored.status());
  auto selected = SelectedCases(*d_.log, id);
  if (!selected.ok()) return FromStatus(selected.status());
  return Json(200, json::object{{"list_id", id},
                                {"case_ids", *selected ? json::value_from(**selected) : json::value(nullptr)},
                                {"published_at", stored->published_at.empty() ? json::value(nullptr) : json::value(stored->published_at)}});
}

ApiResponse ListRoutes::GetMonthlyListRows(Call& c) {
  std::string unit, month;
  for (const auto& [k, v] : c.query) {
    if (k == "unit") unit = v;
    else if (k == "month") month = v;
    else return FromStatus(engine::UnknownFields(1, "in the query"));
  }
  if (Status s = CheckUnit(unit); !s.ok()) return FromStatus(s);
  if (!IsMonthLabel(month)) return FromStatus(InvalidField("month", "must be YYYY-MM"));
  if (!(May(c, "read_lists") && ActsFor(c, unit))) return Problem(403, "forbidden", "not this unit's lists");
  auto stored = GeneratedList("monthly:" + unit + ":" + month);
  if (!stored.ok()) return FromStatus(stored.status());
  const auto& list = stored->list;
  const std::string listed_on = replay::StockholmDate(list.generated_at);
  const engine::Timestamp now = d_.clock->Now();
  json::array rows;
  for (const auto& entry : list.cases) {
    json::object row{{"case_id", entry.case_id}, {"state_listed", entry.state}, {"carried_over", entry.carried_over},
                     {"referred_on", entry.referred_at.substr(0, 10)}};
    if (entry.referred_at.size() >= 10) {
      auto t = engine::ParseRfc3339(entry.referred_at);
      row["days_since_referral"] = t.ok() ? DaysBetween(replay::StockholmDate(*t), listed_on) : 0;
    }
    auto visible = LoadVisibleCase(*d_.log, *d_.registry, Model(), c, entry.case_id);
    if (!visible.ok()) {  // transferred away since, or erased: the row keeps what the list holds
      row["visible"] = false;
      rows.push_back(std::move(row));
      continue;
    }
    row["visible"] = true;
    row["state"] = visible->latest.state;
    auto consent = d_.service->LoadConsent(visible->latest.subject_id);
    if (!consent.ok()) return FromStatus(consent.status());
    // Application and study plan, from the events whose data this reader may see.
    json::value application = nullptr, plan = nullptr;
    for (const auto& e : visible->events) {
      const auto* def = d_.registry->Find(e.event.meta.workflow, e.event.meta.revision);
      engine::EventSpec spec = def && def->events.count(e.event.type) ? def->events.at(e.event.type) : engine::EventSpec{"system", ""};
      if (!engine::ShowsEventData(Model(), c.actor, spec, *consent, now)) continue;
      const std::string on = replay::StockholmDate(e.event.meta.effective_at);
      if (e.event.type == "StudyApplicationSubmitted") {
        json::object a{{"submitted_on", on}};
        if (const auto* level = engine::AsText(e.event.facts, "level")) a["level"] = *level;
        if (const auto* start = engine::AsText(e.event.facts, "term_start")) a["term_start"] = *start;
        application = std::move(a);
      } else if (e.event.type == "IndividualStudyPlanCreated" || e.event.type == "IndividualStudyPlanRevised") {
        plan = json::object{{"made_on", on}, {"revised", e.event.type == "IndividualStudyPlanRevised"}};
      }
    }
    row["application"] = std::move(application);
    row["study_plan"] = std::move(plan);
    // The name, when the read rules show the subject to this caller; the read is recorded first.
    const bool show = engine::ShowsSubject(Model(), c.actor, *consent, now);
    json::value name = nullptr;
    if (show) {
      auto personal = replay::SubjectPersonal(*d_.log, *d_.keys, visible->latest.subject_id);
      if (!personal.ok()) return FromStatus(personal.status());
      if (*personal) {
        engine::ReadRecord read{c.actor, visible->latest.subject_id, entry.case_id, {"name"},
                                c.Purpose(engine::DefaultPurpose(Model(), c.actor)), true, now};
        if (Status s = engine::RecordRead(*d_.log, read); !s.ok()) return FromStatus(s);
        if (const auto* n = engine::AsText(**personal, "name")) name = *n;
      }
    }
    row["name"] = std::move(name);
    rows.push_back(std::move(row));
  }
  return Json(200, json::object{{"list_id", list.list_id}, {"listed_on", listed_on}, {"rows", std::move(rows)}});
}

}  // namespace casetrail::adapters
