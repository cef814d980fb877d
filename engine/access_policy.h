// Who sees what (API.md "Who sees what"), decided with the consent state at the time of the read
// and the workflow's model (engine/model.h): each role's cases (none, its unit's, all), whether
// it sees the subject, and per recording party whether it sees an event's data and its personal
// fields — always, never, while a consent scope is granted, or while the event's share scope is.
// An unknown role sees nothing.
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
#include "engine/model.h"
#include "storage/log.h"

namespace casetrail::engine {

// Whether the role reads cases at all.
bool RoleSeesCases(const WorkflowModel& model, const std::string& role);
// kNotFound (a case of another unit), kPermissionDenied (a role that sees no cases), or OK.
Status CheckCaseVisible(const WorkflowModel& model, const Actor& actor, const CaseState& state);

// Whether the subject's personal data are shown.
bool ShowsSubject(const WorkflowModel& model, const Actor& actor, const ConsentState& consent, Timestamp at);
// Whether an event's data is shown: its facts, and its personal fields if `ShowsPersonal`.
bool ShowsEventData(const WorkflowModel& model, const Actor& actor, const EventSpec& spec,
                    const ConsentState& consent, Timestamp at);
// Whether personal fields of an event the actor may see are shown (never for roles without cases).
bool ShowsPersonal(const WorkflowModel& model, const Actor& actor, const EventSpec& spec,
                   const ConsentState& consent, Timestamp at);
// Whether the case's pace is shown (it may reveal what another party recorded).
bool ShowsPace(const WorkflowModel& model, const Actor& actor, const ConsentState& consent, Timestamp at);

std::string DefaultPurpose(const WorkflowModel& model, const Actor& actor);

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
