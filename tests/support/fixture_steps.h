// The DOMAIN §7 fixture's case commands F03–F18 as API calls (after F01 consent and F02 referral
// at 2025-01-13), shared by the tests that walk the fixture over HTTP. A walker publishes the list
// a step names in `publish` (as A-J1) before sending the step.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <vector>

namespace casetrail::testing {

struct FixtureStep {
  std::string at, who, command;
  boost::json::object data;
  std::string effective, state;
  // The quarter of Järva's progression list the unit publishes before this step (F14): G-LIST
  // accepts only a published list that contains the case.
  std::string publish = "";
};

inline std::vector<FixtureStep> FixtureSteps() {
  return {
      {"2025-01-20T14:10:00+01:00", "V-1", "BookConversation", {{"slot", "2025-01-28T10:00:00+01:00"}, {"mode", "in_person"}}, "", "booked"},
      {"2025-01-28T10:30:00+01:00", "V-1", "RecordNoShow", {}, "", "referred"},
      {"2025-02-05T15:00:00+01:00", "V-1", "RecordMonthlyReview", {{"meeting", "monthly:jarva:2025-02"}, {"joint_plan", "rebook_digital"}}, "", "referred"},
      {"2025-02-06T09:15:00+01:00", "V-1", "BookConversation", {{"slot", "2025-02-12T13:00:00+01:00"}, {"mode", "digital"}}, "", "booked"},
      {"2025-02-12T13:55:00+01:00", "V-1", "RecordConversationHeld", {{"outcome", "no_plan"}}, "", "unplanned"},
      {"2025-03-17T11:00:00+01:00", "V-1", "RecordStudyApplication", {{"level", "upper_secondary"}, {"term_start", "2025-04-07"}}, "", "unplanned"},
      {"2025-03-18T10:20:00+01:00", "V-1", "CreateStudyPlan", {}, "", "planned"},
      {"2025-04-09T09:00:00+02:00", "V-2", "RecordStudiesStarted", {{"start_date", "2025-04-07"}, {"pace", "part_time"}}, "2025-04-07T08:00:00+02:00", "studying"},
      {"2025-10-07T10:00:00+02:00", "V-2", "RecordStudyPace", {{"pace", "full_time"}, {"list", "progression:jarva:2025-Q3"}}, "2025-08-18T08:00:00+02:00", "studying", "2025-Q3"},
      {"2026-01-13T11:00:00+01:00", "V-2", "RecordInterruption", {{"scope", "all_courses"}, {"reason", "employment"}}, "2025-11-14T08:00:00+01:00", "aborted"},
  };
}

}  // namespace casetrail::testing
