// The follow-up lists of the study cooperation (DOMAIN §4.1, §4.5 J1 and J3; API.md "Meetings,
// lists"), decided by replay as the log stood when each list was generated:
//
// Monthly list per AF unit, "monthly:<unit>:<YYYY-MM>": generated at 06:00 two days before the
// unit's meeting (default: the first Wednesday of the month that is not a Swedish public holiday);
// lists the unit's cases referred since its previous meeting, plus open cases that have not reached
// `planned` (carried_over: true — our answer to DOMAIN Q5: an Unplanned case stays on the list
// until it is planned or closed). `planned` and later are never listed.
//
// Quarterly progression list, "progression:<unit>:<YYYY>-Q<n>": generated at 16:00 on the
// quarter's last day; lists every case of the unit that was `studying` at some time in the
// quarter (by effective time, as known at generation).
//
// Lists hold case ids, states and dates only. Each is stored once, immutable, with a content hash.
#pragma once

#include <string>
#include <vector>

#include "engine/clock.h"
#include "engine/definition_registry.h"
#include "storage/log.h"

namespace casetrail::replay {

struct ListEntry {
  std::string case_id;
  std::string state;
  std::string referred_at;  // RFC 3339
  bool carried_over = false;
};

struct FollowUpList {
  std::string list_id;  // monthly:<unit>:<YYYY-MM> | progression:<unit>:<YYYY>-Q<n>
  std::string kind;     // monthly | progression
  std::string unit;
  std::string period;   // YYYY-MM | YYYY-Qn
  std::string since;    // monthly: the previous meeting's date
  engine::Timestamp generated_at{};
  std::vector<ListEntry> cases;
  std::string content_hash;  // BLAKE2b-256 of the canonical case list, hex
};

// The lists' calendar: configuration (`serve --calendar FILE`, docs/workers.md) with these
// defaults, which DOMAIN §4.1 leaves to the users (Q7).
struct ListCalendar {
  int meeting_weekday = 3;        // 0 Sunday … 6 Saturday: the first such day of the month
  bool skip_public_holidays = true;
  int list_days_before = 2;       // the monthly list is generated this many days before the meeting
  int list_hour = 6;              // … at this Stockholm hour
  int progression_hour = 16;      // the quarterly list at this hour on the quarter's last day
  int feedback_after_days = 14;   // J4 chases Vux feedback this long after publication
  int review_check_days = 2;      // J2 checks a meeting's reviews this long after it, at list_hour
};
// Reads {"meeting_weekday":"wednesday","skip_public_holidays":true,"list_days_before":2,
// "list_hour":6,"progression_hour":16,"feedback_after_days":14,"review_check_days":2} (any subset). kInvalidArgument
// naming the key.
Result<ListCalendar> ParseListCalendar(std::string_view json);

// Stockholm calendar helpers.
bool IsSwedishPublicHoliday(int year, int month, int day);
// The default meeting day (YYYY-MM-DD): the first meeting weekday of the month that is not a
// holiday (with the defaults: the first Wednesday).
std::string DefaultMeetingDay(int year, int month, const ListCalendar& calendar = {});
// With the defaults: 06:00 Stockholm two days before the meeting.
engine::Timestamp MonthlyGenerationTime(const std::string& meeting_day, const ListCalendar& calendar = {});
// J2, with the defaults: 06:00 Stockholm two days after a meeting held on `held_on` (YYYY-MM-DD).
engine::Timestamp ReviewCheckTime(const std::string& held_on, const ListCalendar& calendar = {});
// The states a monthly list holds (and J2 checks): before `planned`, not closed.
bool OnMonthlyLists(const std::string& state);
// With the defaults: 16:00 Stockholm on the quarter's last day.
engine::Timestamp ProgressionGenerationTime(int year, int quarter, const ListCalendar& calendar = {});

// Builds the lists from the cases' events (`case_ids` are the candidates, any unit).
Result<FollowUpList> BuildMonthlyList(storage::Log& log, const engine::DefinitionRegistry& registry,
                                      const std::string& unit, int year, int month, const std::string& since,
                                      const std::vector<std::string>& case_ids, const ListCalendar& calendar = {});
Result<FollowUpList> BuildProgressionList(storage::Log& log, const engine::DefinitionRegistry& registry,
                                          const std::string& unit, int year, int quarter,
                                          const std::vector<std::string>& case_ids, const ListCalendar& calendar = {});

// The canonical JSON of a list (what is hashed, stored and returned).
std::string ListJson(const FollowUpList& list);
Result<FollowUpList> ParseListJson(std::string_view json);

}  // namespace casetrail::replay
