// Jobs J1 (monthly follow-up lists), J2 (review completeness after a monthly meeting), J3
// (quarterly progression lists) and J4 (progression feedback chasers), run by the worker on
// each pass: every list whose generation time has passed on the server clock and that is not
// yet in the log is built by replay (replay/follow_up_lists.h) and appended once —
// MonthlyListGenerated / ProgressionListGenerated on "list:<list id>", the list id as the
// idempotency key — so a list is immutable and generated exactly once across restarts.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/definition_registry.h"
#include "engine/guard.h"
#include "replay/follow_up_lists.h"
#include "replay/reminders.h"
#include "storage/log.h"

namespace casetrail::adapters {

inline StreamId ListStream(const std::string& list_id) { return StreamId("list:" + list_id); }
inline StreamId MeetingStream(const std::string& unit) { return StreamId("meetings:" + unit); }

// What the list jobs have finished, so a worker pass does not read the log again for lists that
// are generated (immutable) or fully chased. Process memory only: after a restart the log answers.
struct ListJobMemory {
  std::set<std::string> generated;
  std::set<std::string> chased;
  std::set<std::string> review_checked;  // meetings J2 has checked
};

// Returns how many lists were generated.
Result<int> GenerateDueLists(storage::Log& log, const engine::DefinitionRegistry& registry,
                             const replay::ReminderBook& book, engine::Timestamp now, const replay::ListCalendar& calendar,
                             ListJobMemory* memory);

// J4: for each published progression list, every listed case without ProgressionFeedbackRecorded
// naming that list `calendar.feedback_after_days` after publication gets one reminder (kind feedback_chaser,
// id "J4:feedback_chaser:<list>:<case>", fired on "reminder:<case>" once); a chase more than 30
// days overdue is not made. Returns how many fired.
Result<int> ChaseListFeedback(storage::Log& log, const engine::DefinitionRegistry& registry,
                              const replay::ReminderBook& book, engine::Timestamp now,
                              const replay::ListCalendar& calendar, ListJobMemory* memory);

// The units lists are kept for: the study-referral model's.
std::vector<std::string> ListUnits(const engine::DefinitionRegistry& registry);

// J2: `calendar.review_check_days` after each MeetingHeld (at list_hour), every case on that
// meeting's monthly list (the meeting id is the list id) that is still before `planned` and open,
// and has no CaseReviewedAtMonthlyMeeting naming the meeting, gets one reminder (kind
// review_missing, id "J2:review_missing:<meeting>:<case>", fired on "reminder:<case>" once).
// A check more than 30 days overdue (the server was down, or the log is old) is not made.
// Returns how many fired.
Result<int> CheckMonthlyReviews(storage::Log& log, const engine::DefinitionRegistry& registry, engine::Timestamp now,
                                const replay::ListCalendar& calendar, ListJobMemory* memory);

// A stored list and, for progression lists, when it was published (empty if not yet).
struct StoredList {
  replay::FollowUpList list;
  std::string published_at;
  std::string published_by;
};
// kNotFound until generated.
Result<StoredList> ReadList(storage::Log& log, const std::string& list_id);

// The lists' calendar: the model's defaults (settings.list_calendar, so a new calendar is a new
// model version, not a rebuild), each key of `overrides` (a --calendar file's JSON object, or "")
// overriding them.
Result<replay::ListCalendar> ListCalendarOf(const engine::WorkflowModel& model, const std::string& overrides = "");
// The cases AF chose to ask Vux about on a progression list (the latest ProgressionListSelected
// before publication), or nullopt when it chose none: then every listed case is asked about.
Result<std::optional<std::vector<std::string>>> SelectedCases(storage::Log& log, const std::string& list_id);

// How G-MEETING and G-LIST find the list a command names (engine/guard.h): the stored list's unit,
// its cases and whether it was published; nullopt for a list not generated (or not readable).
// A monthly meeting's id is its monthly list's id.
engine::ReferenceLookup ListLookup(storage::Log& log);

}  // namespace casetrail::adapters
