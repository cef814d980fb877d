#include "adapters/workers/governance_jobs.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>

#include "engine/cooperation_records.h"
#include "replay/case_rebuild.h"
#include "replay/stockholm_time.h"

namespace casetrail::adapters {

namespace {

const engine::Actor kWorker{"worker:governance", "worker", "", "system", ""};

std::string Day(int year, const std::string& mm_dd) { return std::to_string(year) + "-" + mm_dd; }

engine::Timestamp StartOfDay(const std::string& date) {
  return replay::StockholmTime(std::stoi(date.substr(0, 4)), std::stoi(date.substr(5, 2)), std::stoi(date.substr(8, 2)), 0, 0);
}

// Appends once under `key`; true when this call wrote it.
Result<bool> Once(storage::Log& log, const StreamId& stream, const std::string& type, engine::Fields facts,
                  engine::Timestamp now, const std::string& key, GovernanceMemory* memory) {
  CT_ASSIGN_OR_RETURN(auto r, engine::AppendRecordOnce(log, stream, type, kWorker, std::move(facts), now, key));
  memory->done.insert(key);
  return !r.deduplicated;
}

Result<bool> Known(storage::Log& log, const std::string& key, GovernanceMemory* memory) {
  if (memory->done.count(key)) return true;
  CT_ASSIGN_OR_RETURN(auto known, log.LookupIdempotency(key, key));
  if (known) memory->done.insert(key);
  return known.has_value();
}

struct StrategicMeeting {
  std::string held_on, next_meeting_on;
};

Result<std::vector<StrategicMeeting>> ReadStrategicMeetings(storage::Log& log) {
  CT_ASSIGN_OR_RETURN(auto events, replay::ReadStreamEvents(log, StrategicMeetingStream()));
  std::vector<StrategicMeeting> out;
  for (const auto& e : events) {
    if (e.event.type != "StrategicMeetingHeld") continue;
    const std::string* held = engine::AsText(e.event.facts, "held_on");
    const std::string* next = engine::AsText(e.event.facts, "next_meeting_on");
    if (held) out.push_back({*held, next ? *next : ""});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.held_on < b.held_on; });
  return out;
}

// J8 for one half.
Result<int> CheckCadence(storage::Log& log, const std::vector<StrategicMeeting>& meetings, int year, int half,
                         engine::Timestamp now, const GovernanceCalendar& cal, GovernanceMemory* memory) {
  const HalfCutoff c = CutoffOf(year, half, cal);
  const std::string key = "strategic:" + std::to_string(year) + ":H" + std::to_string(half);
  CT_ASSIGN_OR_RETURN(auto eod, replay::EndOfStockholmDay(c.cutoff));
  if (now < eod) return 0;
  CT_ASSIGN_OR_RETURN(bool known, Known(log, key, memory));
  if (known) return 0;
  int held = 0;
  std::string next;  // the latest meeting's (by the cut-off) convened next meeting
  for (const auto& m : meetings) {
    if (m.held_on.substr(0, 4) != std::to_string(year) || m.held_on > c.cutoff) continue;
    ++held;
    next = m.next_meeting_on;
  }
  const bool convened = !next.empty() && next > c.cutoff && next <= c.half_end;
  if (held >= c.required || convened) {
    memory->done.insert(key);  // on track: nothing to record, and nothing to look at again
    return 0;
  }
  CT_ASSIGN_OR_RETURN(bool first, Once(log, StrategicCadenceStream(), "MeetingOverdueFlagged",
                                       {{"year", int64_t{year}}, {"half", "H" + std::to_string(half)},
                                        {"cutoff", c.cutoff}, {"held", int64_t{held}},
                                        {"required", int64_t{c.required}}, {"next_meeting_on", next}},
                                       now, key, memory));
  if (first) spdlog::info("strategic cadence: {} meeting(s) of {} by {}, none convened: flagged", held, c.required, c.cutoff);
  return first ? 1 : 0;
}

// J9 for one month (YYYY-MM).
Result<int> TallyMonth(storage::Log& log, const std::vector<HeldActivity>& activities, const std::string& month,
                       engine::Timestamp now, const GovernanceCalendar& cal, GovernanceMemory* memory) {
  const std::string key = "activity:" + month;
  CT_ASSIGN_OR_RETURN(bool known, Known(log, key, memory));
  if (known) return 0;
  const std::string year = month.substr(0, 4);
  int64_t ytd = 0, in_month = 0, in_range = 0, outside = 0;
  for (const auto& a : activities) {
    if (a.held_on.substr(0, 4) != year || a.held_on.substr(0, 7) > month) continue;
    ++ytd;
    if (a.held_on.substr(0, 7) == month) ++in_month;
    (a.participants >= cal.participants_min && a.participants <= cal.participants_max ? in_range : outside)++;
  }
  const int m = std::stoi(month.substr(5, 2));
  const int64_t expected = (static_cast<int64_t>(cal.activity_target) * m + 11) / 12;  // ceil(target · m / 12)
  CT_ASSIGN_OR_RETURN(bool first, Once(log, ActivityTallyStream(), "ActivityTallyRecorded",
                                       {{"month", month}, {"activities_in_month", in_month},
                                        {"year_to_date", ytd}, {"target", int64_t{cal.activity_target}},
                                        {"expected_by_now", expected}, {"behind", ytd < expected},
                                        {"participants_in_range", in_range}, {"participants_outside_range", outside},
                                        {"participants_min", int64_t{cal.participants_min}},
                                        {"participants_max", int64_t{cal.participants_max}}},
                                       now, key, memory));
  return first ? 1 : 0;
}

}  // namespace

HalfCutoff CutoffOf(int year, int half, const GovernanceCalendar& cal) {
  if (half == 1) return {Day(year, cal.h1_cutoff), Day(year, "06-30"), cal.h1_required};
  return {Day(year, cal.h2_cutoff), Day(year, "12-31"), cal.h2_required};
}

Result<std::vector<HeldActivity>> ReadGroupActivities(storage::Log& log, const std::vector<std::string>& units) {
  std::vector<HeldActivity> out;
  for (const auto& u : units) {
    CT_ASSIGN_OR_RETURN(auto events, replay::ReadStreamEvents(log, engine::ActivityStream(u)));
    for (const auto& e : events) {
      if (e.event.type != "GroupActivityHeld") continue;
      HeldActivity a{u, replay::StockholmDate(e.event.meta.effective_at), 0};
      if (auto it = e.event.facts.find("participants_total"); it != e.event.facts.end()) {
        if (const auto* n = std::get_if<int64_t>(&it->second)) a.participants = *n;
      }
      out.push_back(std::move(a));
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.held_on < b.held_on; });
  return out;
}

Result<int> RunGovernanceJobs(storage::Log& log, const std::vector<std::string>& units, engine::Timestamp now,
                              const std::string& first_day, const GovernanceCalendar& cal, GovernanceMemory* memory) {
  if (first_day.size() < 10) return 0;
  const std::string today = replay::StockholmDate(now);
  const int first_year = std::stoi(first_day.substr(0, 4)), this_year = std::stoi(today.substr(0, 4));
  int written = 0;
  // J8: the meetings are read only when a half's check is still open.
  std::optional<std::vector<StrategicMeeting>> meetings;
  for (int y = first_year; y <= this_year; ++y) {
    for (int half : {1, 2}) {
      const HalfCutoff c = CutoffOf(y, half, cal);
      if (c.half_end < first_day || c.cutoff >= today) continue;
      if (!meetings) {
        CT_ASSIGN_OR_RETURN(auto read, ReadStrategicMeetings(log));
        meetings = std::move(read);
      }
      CT_ASSIGN_OR_RETURN(int n, CheckCadence(log, *meetings, y, half, now, cal, memory));
      written += n;
    }
  }
  // J9: every month that has ended, from the first one.
  std::optional<std::vector<HeldActivity>> activities;
  for (int y = first_year, m = std::stoi(first_day.substr(5, 2));;) {
    char month[8];
    std::snprintf(month, sizeof(month), "%04d-%02d", y, m);
    if (std::string(month) >= today.substr(0, 7)) break;
    if (!memory->done.count(std::string("activity:") + month)) {
      if (!activities) {
        CT_ASSIGN_OR_RETURN(auto read, ReadGroupActivities(log, units));
        activities = std::move(read);
      }
      CT_ASSIGN_OR_RETURN(int n, TallyMonth(log, *activities, month, now, cal, memory));
      written += n;
    }
    if (++m == 13) m = 1, ++y;
  }
  // J12: each reminder day that has come (08:00 Stockholm), not more than 30 days ago.
  for (int y = first_year; y <= this_year; ++y) {
    for (const auto& r : cal.reminders) {
      for (size_t i = 0; i < r.days.size() && i < r.periods.size(); ++i) {
        const std::string day = Day(y, r.days[i]);
        const std::string period = std::to_string(y) + r.periods[i];
        const std::string key = "gov:" + r.kind + ":" + period;
        if (memory->done.count(key)) continue;
        const engine::Timestamp due = StartOfDay(day) + std::chrono::hours(8);
        if (due > now) continue;
        if (due + std::chrono::hours(24 * 30) < now) {
          memory->done.insert(key);  // moot: the period's work is long under way
          continue;
        }
        CT_ASSIGN_OR_RETURN(bool known, Known(log, key, memory));
        if (known) continue;
        CT_ASSIGN_OR_RETURN(bool first, Once(log, GovernanceReminderStream(), "ReminderFired",
                                             {{"gov_id", key}, {"to", std::string("strategic")}, {"kind", r.kind},
                                              {"period", period}, {"due_at", engine::FormatRfc3339(due)}},
                                             now, key, memory));
        if (first) spdlog::info("governance reminder {} for {} fired", r.kind, period);
        written += first;
      }
    }
  }
  return written;
}

}  // namespace casetrail::adapters
