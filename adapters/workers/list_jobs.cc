#include "adapters/workers/list_jobs.h"

#include <boost/json.hpp>

#include <spdlog/spdlog.h>

#include <map>
#include <optional>

#include "engine/cooperation_records.h"
#include "replay/case_rebuild.h"
#include "replay/stockholm_time.h"
#include "workflows/study_referral.h"

namespace casetrail::adapters {

namespace {

const engine::Actor kWorker{"worker:lists", "worker", "", "system", ""};

// The unit's previous meeting before `meeting_day`: the latest MeetingHeld if it was held in the
// month before or later, else that month's default meeting day (an unrecorded meeting is assumed
// to have been held on its default day).
Result<std::string> PreviousMeeting(storage::Log& log, const std::string& unit, int year, int month,
                                    const std::string& meeting_day, const replay::ListCalendar& cal) {
  CT_ASSIGN_OR_RETURN(auto meetings, replay::ReadStreamEvents(log, MeetingStream(unit)));
  std::string latest;
  for (const auto& m : meetings) {
    const std::string* held = engine::AsText(m.event.facts, "held_on");
    if (held && *held < meeting_day && *held > latest) latest = *held;
  }
  const std::string previous_default =
      month == 1 ? replay::DefaultMeetingDay(year - 1, 12, cal) : replay::DefaultMeetingDay(year, month - 1, cal);
  if (!latest.empty() && latest.substr(0, 7) >= previous_default.substr(0, 7)) return latest;
  return previous_default;
}

Status Store(storage::Log& log, const replay::FollowUpList& l, const std::string& type) {
  engine::Event e;
  e.type = type;
  e.meta.actor = kWorker;
  e.meta.legal_basis = "public_task";
  e.meta.recorded_at = e.meta.effective_at = l.generated_at;
  e.facts = {{"list_id", l.list_id}, {"unit", l.unit}, {"period", l.period}, {"content_hash", l.content_hash},
             {"cases", static_cast<int64_t>(l.cases.size())}, {"list", replay::ListJson(l)}};
  storage::AppendRequest req;
  req.writes.push_back({ListStream(l.list_id), storage::ExpectedVersion::NoStream(), {{e.type, engine::EncodeEvent(e)}}});
  req.idempotency_key = "list:" + l.list_id;
  req.idempotency_fingerprint = "list:" + l.list_id;
  auto r = log.Append(req);
  if (!r.ok() && r.status().code() == StatusCode::kAborted) return Status::Ok();  // generated meanwhile
  return r.status();
}

// ReminderFired on "reminder:<case>" under `reminder_id` as the idempotency key. Returns false if it
// had fired already.
Result<bool> FireReminder(storage::Log& log, const std::string& reminder_id, const std::string& kind,
                          const std::string& case_id, engine::Fields facts, engine::Timestamp due, engine::Timestamp now) {
  facts["reminder_id"] = reminder_id;
  facts["kind"] = kind;
  facts["case_id"] = case_id;
  facts["due_at"] = engine::FormatRfc3339(due);
  CT_ASSIGN_OR_RETURN(auto r, engine::AppendRecordOnce(log, StreamId("reminder:" + case_id), "ReminderFired", kWorker,
                                                       std::move(facts), now, "reminder:" + reminder_id));
  return !r.deduplicated;
}

}  // namespace

std::vector<std::string> ListUnits(const engine::DefinitionRegistry& registry) {
  const engine::WorkflowModel* model = registry.Model(workflows::kStudyReferral);
  return model ? model->UnitIds() : std::vector<std::string>{};
}

Result<int> GenerateDueLists(storage::Log& log, const engine::DefinitionRegistry& registry,
                             const replay::ReminderBook& book, engine::Timestamp now, const replay::ListCalendar& cal,
                             ListJobMemory* memory) {
  const auto earliest = book.EarliestReferral();
  if (!earliest) return 0;
  // The cases per unit, gathered only when a list is due: most passes generate nothing.
  std::optional<std::map<std::string, std::vector<std::string>>> by_unit_cache;
  auto cases_of = [&](const std::string& unit) -> const std::vector<std::string>& {
    if (!by_unit_cache) {
      by_unit_cache.emplace();
      for (const auto& [id, u] : book.Cases()) (*by_unit_cache)[u].push_back(id);
    }
    return (*by_unit_cache)[unit];
  };
  const std::string first = replay::StockholmDate(*earliest), today = replay::StockholmDate(now);
  int y = std::stoi(first.substr(0, 4)), m = std::stoi(first.substr(5, 2));
  const int end_y = std::stoi(today.substr(0, 4)), end_m = std::stoi(today.substr(5, 2));
  int generated = 0;
  // Monthly lists from the month of the first referral to the next month (its list may be due
  // at the end of this one).
  for (int yy = y, mm = m; yy < end_y || (yy == end_y && mm <= end_m + 1); mm == 12 ? (++yy, mm = 1) : ++mm) {
    const std::string meeting = replay::DefaultMeetingDay(yy, mm, cal);
    if (replay::MonthlyGenerationTime(meeting, cal) > now) continue;
    for (const std::string& unit : ListUnits(registry)) {
      char period[8];
      std::snprintf(period, sizeof(period), "%04d-%02d", yy, mm);
      const std::string id = std::string("monthly:") + unit + ":" + period;
      if (memory->generated.count(id)) continue;
      CT_ASSIGN_OR_RETURN(StreamVersion v, log.CurrentVersion(ListStream(id)));
      if (v.value() > 0) {
        memory->generated.insert(id);
        continue;
      }
      CT_ASSIGN_OR_RETURN(std::string since, PreviousMeeting(log, unit, yy, mm, meeting, cal));
      CT_ASSIGN_OR_RETURN(auto list, replay::BuildMonthlyList(log, registry, unit, yy, mm, since, cases_of(unit), cal));
      CT_RETURN_IF_ERROR(Store(log, list, "MonthlyListGenerated"));
      memory->generated.insert(id);
      spdlog::info("monthly list {} generated ({} cases)", id, list.cases.size());
      ++generated;
    }
  }
  // Progression lists from the quarter of the first referral.
  for (int yy = y, q = (m - 1) / 3 + 1; yy <= end_y; q == 4 ? (++yy, q = 1) : ++q) {
    if (replay::ProgressionGenerationTime(yy, q, cal) > now) break;
    for (const std::string& unit : ListUnits(registry)) {
      const std::string id = std::string("progression:") + unit + ":" + std::to_string(yy) + "-Q" + std::to_string(q);
      if (memory->generated.count(id)) continue;
      CT_ASSIGN_OR_RETURN(StreamVersion v, log.CurrentVersion(ListStream(id)));
      if (v.value() > 0) {
        memory->generated.insert(id);
        continue;
      }
      CT_ASSIGN_OR_RETURN(auto list, replay::BuildProgressionList(log, registry, unit, yy, q, cases_of(unit), cal));
      CT_RETURN_IF_ERROR(Store(log, list, "ProgressionListGenerated"));
      memory->generated.insert(id);
      spdlog::info("progression list {} generated ({} cases)", id, list.cases.size());
      ++generated;
    }
  }
  return generated;
}

Result<int> ChaseListFeedback(storage::Log& log, const engine::DefinitionRegistry& registry,
                              const replay::ReminderBook& book, engine::Timestamp now,
                              const replay::ListCalendar& cal, ListJobMemory* memory) {
  const auto feedback_after = std::chrono::hours(24 * cal.feedback_after_days);
  const auto earliest = book.EarliestReferral();
  if (!earliest) return 0;
  const std::string first = replay::StockholmDate(*earliest), today = replay::StockholmDate(now);
  int fired = 0;
  for (int yy = std::stoi(first.substr(0, 4)), q = (std::stoi(first.substr(5, 2)) - 1) / 3 + 1;
       yy <= std::stoi(today.substr(0, 4)); q == 4 ? (++yy, q = 1) : ++q) {
    if (replay::ProgressionGenerationTime(yy, q, cal) > now) break;
    for (const std::string& unit : ListUnits(registry)) {
      const std::string id = std::string("progression:") + unit + ":" + std::to_string(yy) + "-Q" + std::to_string(q);
      if (memory->chased.count(id)) continue;
      CT_ASSIGN_OR_RETURN(auto events, replay::ReadStreamEvents(log, ListStream(id)));
      std::optional<engine::Timestamp> published;
      std::optional<replay::FollowUpList> list;
      for (const auto& e : events) {
        if (e.event.type == "ProgressionListGenerated") {
          if (const std::string* json = engine::AsText(e.event.facts, "list")) {
            CT_ASSIGN_OR_RETURN(list, replay::ParseListJson(*json));
          }
        }
        if (e.event.type == "ProgressionListPublished" && !published) published = e.event.meta.recorded_at;
      }
      if (!list || !published || *published + feedback_after > now) continue;
      if (*published + feedback_after + std::chrono::hours(24 * 30) < now) {
        memory->chased.insert(id);  // more than 30 days overdue: moot, and not worth a rebuild per case
        continue;
      }
      CT_ASSIGN_OR_RETURN(auto chosen, SelectedCases(log, id));
      for (const auto& c : list->cases) {
        // AF asks only about the people it chose (when it chose): only those are chased.
        if (chosen && std::find(chosen->begin(), chosen->end(), c.case_id) == chosen->end()) continue;
        CT_ASSIGN_OR_RETURN(auto case_events, replay::ReadCaseEvents(log, c.case_id));
        const bool closed = std::any_of(case_events.begin(), case_events.end(),
                                        [](const auto& e) { return e.event.type == "CaseClosed"; });
        if (closed) continue;  // a closed case (also by consent withdrawal) is never chased
        bool answered = false;
        for (const auto& e : case_events) {
          const std::string* named = engine::AsText(e.event.facts, "list");
          answered = answered || (e.event.type == "ProgressionFeedbackRecorded" && named && *named == id);
        }
        if (answered) continue;
        CT_ASSIGN_OR_RETURN(bool first, FireReminder(log, "J4:feedback_chaser:" + id + ":" + c.case_id, "feedback_chaser",
                                                     c.case_id, {{"list", id}}, *published + feedback_after, now));
        if (first) ++fired;
      }
      memory->chased.insert(id);  // every listed case is decided, once for good: skip it from now on
    }
  }
  return fired;
}

Result<int> CheckMonthlyReviews(storage::Log& log, const engine::DefinitionRegistry& registry, engine::Timestamp now,
                                const replay::ListCalendar& cal, ListJobMemory* memory) {
  int fired = 0;
  for (const std::string& unit : ListUnits(registry)) {
    CT_ASSIGN_OR_RETURN(auto meetings, replay::ReadStreamEvents(log, MeetingStream(unit)));
    for (const auto& m : meetings) {
      const std::string* meeting = engine::AsText(m.event.facts, "meeting");
      const std::string* held_on = engine::AsText(m.event.facts, "held_on");
      if (m.event.type != "MeetingHeld" || !meeting || !held_on || memory->review_checked.count(*meeting)) continue;
      const engine::Timestamp due = replay::ReviewCheckTime(*held_on, cal);
      if (due > now) continue;
      // A check more than 30 days overdue is moot (the next meeting has passed): it is not made,
      // so a start does not rebuild every listed case of every past meeting.
      if (due + std::chrono::hours(24 * 30) < now) {
        memory->review_checked.insert(*meeting);
        continue;
      }
      auto list = ReadList(log, *meeting);  // the meeting's id is its monthly list's id
      if (!list.ok() && list.status().code() != StatusCode::kNotFound) return list.status();
      for (const auto& c : list.ok() ? list->list.cases : std::vector<replay::ListEntry>{}) {
        CT_ASSIGN_OR_RETURN(auto events, replay::ReadCaseEvents(log, c.case_id));
        CT_ASSIGN_OR_RETURN(engine::CaseState state, replay::Rebuild(events, {}, registry));
        if (!replay::OnMonthlyLists(state.state)) continue;  // planned or closed since: nothing to review
        const bool reviewed = std::any_of(events.begin(), events.end(), [&](const auto& e) {
          const std::string* named = engine::AsText(e.event.facts, "meeting");
          return e.event.type == "CaseReviewedAtMonthlyMeeting" && named && *named == *meeting;
        });
        if (reviewed) continue;
        CT_ASSIGN_OR_RETURN(bool first, FireReminder(log, "J2:review_missing:" + *meeting + ":" + c.case_id, "review_missing",
                                                     c.case_id, {{"meeting", *meeting}, {"list", *meeting}}, due, now));
        if (first) ++fired;
      }
      memory->review_checked.insert(*meeting);  // checked once, at its time: a later review does not undo the reminder
    }
  }
  return fired;
}

Result<std::optional<std::vector<std::string>>> SelectedCases(storage::Log& log, const std::string& list_id) {
  CT_ASSIGN_OR_RETURN(auto events, replay::ReadStreamEvents(log, ListStream(list_id)));
  std::optional<std::vector<std::string>> chosen;
  for (const auto& e : events) {
    if (e.event.type == "ProgressionListPublished") break;  // publication fixes the questions
    if (e.event.type != "ProgressionListSelected") continue;
    auto it = e.event.facts.find("case_ids");
    if (it == e.event.facts.end()) continue;
    if (const auto* ids = std::get_if<std::vector<std::string>>(&it->second)) chosen = *ids;
  }
  return chosen;
}

Result<StoredList> ReadList(storage::Log& log, const std::string& list_id) {
  CT_ASSIGN_OR_RETURN(auto events, replay::ReadStreamEvents(log, ListStream(list_id)));
  if (events.empty()) return NotFound("list not generated yet");
  StoredList out;
  for (const auto& e : events) {
    if (e.event.type == "MonthlyListGenerated" || e.event.type == "ProgressionListGenerated") {
      const std::string* json = engine::AsText(e.event.facts, "list");
      if (!json) return DataLoss("stored list has no body");
      CT_ASSIGN_OR_RETURN(out.list, replay::ParseListJson(*json));
    } else if (e.event.type == "ProgressionListPublished" && out.published_at.empty()) {
      out.published_at = engine::FormatRfc3339(e.event.meta.recorded_at);
      out.published_by = e.event.meta.actor.id;
    }
  }
  return out;
}

engine::ReferenceLookup ListLookup(storage::Log& log) {
  return [&log](const std::string& id) -> std::optional<engine::ReferencedRecord> {
    if (id.rfind("monthly:", 0) != 0 && id.rfind("progression:", 0) != 0) return std::nullopt;
    auto stored = ReadList(log, id);
    if (!stored.ok()) return std::nullopt;
    engine::ReferencedRecord r{stored->list.kind, stored->list.unit, {}, !stored->published_at.empty()};
    for (const auto& c : stored->list.cases) r.cases.insert(c.case_id);
    return r;
  };
}

Result<replay::ListCalendar> ListCalendarOf(const engine::WorkflowModel& model, const std::string& overrides) {
  boost::json::object merged;
  if (auto it = model.settings.find("list_calendar"); it != model.settings.end()) {
    boost::system::error_code ec;
    auto v = boost::json::parse(it->second, ec);
    if (ec || !v.is_object()) return InvalidArgument("the model's settings.list_calendar is not an object");
    merged = v.as_object();
  }
  if (!overrides.empty()) {
    boost::system::error_code ec;
    auto v = boost::json::parse(overrides, ec);
    if (ec || !v.is_object()) return InvalidArgument("the --calendar file is not a JSON object");
    for (const auto& [k, x] : v.as_object()) merged[k] = x;
  }
  return replay::ParseListCalendar(boost::json::serialize(merged));
}


}  // namespace casetrail::adapters
