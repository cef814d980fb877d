// Who sees what (API.md "Who sees what"), decided with the consent state at the time of the read.
//
//   af_officer  cases of their unit; the subject and AF-recorded data; Vux-recorded event data only
//               while the event's share scope (share_guidance / share_study_progress) is active
//   syv         all cases; Vux-recorded data; the subject and AF-recorded data only while
//               transfer_referral is active
//   compliance  everything
//   strategic, worker, admin  no cases at all (aggregates, reminders and operations only)
//
// Every read that shows or redacts a personal field is recorded first (RecordRead), so "who saw
// what, when" is answered by replay like everything else.
#pragma once

#include <string>
#include <vector>

#include "engine/case_state.h"
#include "engine/consent.h"
#include "engine/definition.h"
#include "engine/event.h"
#include "storage/log.h"

namespace casetrail::engine {

// af_officer, syv and compliance read cases; the other roles never do.
bool RoleSeesCases(const std::string& role);
// kNotFound (a case of another unit), kPermissionDenied (a role that sees no cases), or OK.
Status CheckCaseVisible(const Actor& actor, const CaseState& state);

// Whether the subject's personal data (and AF-recorded notes) are shown.
bool ShowsSubject(const Actor& actor, const ConsentState& consent, Timestamp at);
// Whether an event's data is shown: its facts, and its personal fields if `ShowsPersonal`.
bool ShowsEventData(const Actor& actor, const EventSpec& spec, const ConsentState& consent, Timestamp at);
// Whether personal fields of an event the actor may see are shown (never for worker/admin).
bool ShowsPersonal(const Actor& actor, const EventSpec& spec, const ConsentState& consent, Timestamp at);
// Whether the study pace is shown (it reveals Vux-recorded progress).
bool ShowsPace(const Actor& actor, const ConsentState& consent, Timestamp at);

std::string DefaultPurpose(const Actor& actor);

struct ReadRecord {
  Actor actor;
  std::string subject_id;
  std::string case_id;                // "" for subject-level reads (extract)
  std::vector<std::string> fields;    // which personal fields were shown or redacted
  std::string purpose;
  bool granted = true;                // false: something was redacted
  Timestamp at{};
};

// Appends a PersonalDataRead event to "access:<subject>". kUnavailable if the store cannot write:
// then the read must not be answered.
Status RecordRead(storage::Log& log, const ReadRecord& record);

inline StreamId AccessStream(const std::string& subject) { return StreamId("access:" + subject); }

}  // namespace casetrail::engine
