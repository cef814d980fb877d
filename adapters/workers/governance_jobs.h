// Jobs J8 (strategic cadence), J9 (activity tally) and J12 (governance reminders) of DOMAIN §4.5,
// run by the worker on each pass like J1–J4 and J10. Each output is appended once under a
// deterministic idempotency key, so a restart, a second pass or a second server writes nothing
// twice:
//
//   J8  MeetingOverdueFlagged on "strategic:cadence", key strategic:<yyyy>:<H1|H2>: at the first
//       pass after a half's cut-off day, fewer StrategicMeetingHeld in the year than that half
//       requires (≥ 1 by the H1 cut-off, ≥ 2 by the H2 cut-off: "at least twice a year", 000
//       §4.1.1) and no next meeting convened (`next_meeting_on` of the latest meeting) for a day
//       after the cut-off and within the half.
//   J9  ActivityTallyRecorded on "activity:tally", key activity:<yyyy-mm>: at the first pass after
//       each month, the year's joint group activities so far against the yearly target (~6) and
//       each activity's participants against the 20–25 range (000 §4.1.2).
//   J12 ReminderFired{to: strategic, kind, period} on "governance:reminders", key
//       gov:<kind>:<period>: the yearly activity plan, the term follow-up, the twice-yearly
//       compliance check and the yearly agreement revision (004 §4, §7.1, §7.2, §8). These carry
//       no reminder_id and no case: the reminder book and the webhook outbox, which are per case,
//       leave them alone; GET /v1/cadences lists them for the strategic group.
//
// The dates are defaults (GovernanceCalendar), chosen by us where the documents give none (DOMAIN
// Q7). They hold no personal data: dates, counts, codes.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "engine/clock.h"
#include "storage/log.h"

namespace casetrail::adapters {

inline StreamId StrategicMeetingStream() { return StreamId("strategic:meetings"); }
inline StreamId StrategicCadenceStream() { return StreamId("strategic:cadence"); }
inline StreamId ActivityTallyStream() { return StreamId("activity:tally"); }
inline StreamId GovernanceReminderStream() { return StreamId("governance:reminders"); }
// A2: the cooperation's listed activities (ActivityHeld{kind}), all units on one stream.
inline StreamId CooperationActivityStream() { return StreamId("cooperation:activities"); }

struct GovernanceReminder {
  std::string kind;                 // activity_plan | term_follow_up | compliance_check | agreement_revision
  std::vector<std::string> days;    // MM-DD in each year; one period per day
  std::vector<std::string> periods; // the period label suffix per day: "" (the year), "-VT", "-H1" …
};

struct GovernanceCalendar {
  // J8: the cut-off days (MM-DD) and how many meetings the year needs by then.
  std::string h1_cutoff = "06-15";
  int h1_required = 1;
  std::string h2_cutoff = "11-15";
  int h2_required = 2;
  // J9: the yearly target and each activity's participant range.
  int activity_target = 6;
  int participants_min = 20;
  int participants_max = 25;
  // J12: fired at 08:00 Stockholm on each day; more than 30 days overdue is moot and not fired.
  std::vector<GovernanceReminder> reminders = {
      {"activity_plan", {"01-15"}, {""}},
      {"term_follow_up", {"06-01", "12-01"}, {"-VT", "-HT"}},
      {"compliance_check", {"03-01", "09-01"}, {"-H1", "-H2"}},
      {"agreement_revision", {"10-01"}, {""}},
  };
};

// The J8 cut-off of `half` (1 or 2) in `year` and the meetings it requires.
struct HalfCutoff {
  std::string cutoff;    // YYYY-MM-DD
  std::string half_end;  // YYYY-MM-DD, the half's last day
  int required = 0;
};
HalfCutoff CutoffOf(int year, int half, const GovernanceCalendar& cal);

// One group activity (GroupActivityHeld) as J9 and A1 read it.
struct HeldActivity {
  std::string unit;
  std::string held_on;  // YYYY-MM-DD
  int64_t participants = 0;
};
Result<std::vector<HeldActivity>> ReadGroupActivities(storage::Log& log, const std::vector<std::string>& units);

// Keys known to be on record (process memory; after a restart the log's idempotency index answers).
struct GovernanceMemory {
  std::set<std::string> done;
};

// Runs J8, J9 and J12 for every period from the one holding `first_day` (YYYY-MM-DD) up to `now`.
// Returns how many events were appended.
Result<int> RunGovernanceJobs(storage::Log& log, const std::vector<std::string>& units, engine::Timestamp now,
                              const std::string& first_day, const GovernanceCalendar& cal, GovernanceMemory* memory);

}  // namespace casetrail::adapters
