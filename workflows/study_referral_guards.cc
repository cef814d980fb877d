// Guards of the study-referral workflow (DOMAIN.md §3.5). Each is pure: case, fields, time, and
// for G-MEETING and G-LIST the immutable list the command names (engine/guard.h).
#include <regex>

#include "workflows/study_referral.h"

namespace casetrail::workflows {
namespace {

using engine::AsBool;
using engine::AsText;
using engine::GuardContext;

// G-TARGET: the officer attests residence, assessed need, and one of the target-group flags.
bool TargetGroup(const GuardContext& c) {
  auto yes = [&](const char* f) { return AsBool(c.fields, f).value_or(false); };
  return yes("resident_stockholm") && yes("need_assessed") &&
         (yes("long_term_unemployed") || yes("lacks_upper_secondary"));
}

// G-WANTS-STUDY: a study plan is made only for a customer who wants to study (absent = yes).
// On RecordConversationHeld it applies only to the "plan" outcome.
bool WantsToStudy(const GuardContext& c) {
  const std::string* outcome = AsText(c.fields, "outcome");
  if (outcome && *outcome != "plan") return true;
  return AsBool(c.fields, "wants_to_study").value_or(true);
}

std::optional<engine::Timestamp> TimeField(const engine::Fields& f, const char* name) {
  const std::string* t = AsText(f, name);
  if (!t) return std::nullopt;
  auto parsed = engine::ParseRfc3339(*t);
  return parsed.ok() ? std::optional<engine::Timestamp>(*parsed) : std::nullopt;
}

// G-SLOT-FUTURE: a conversation is booked for a time still to come.
bool SlotInFuture(const GuardContext& c) {
  auto slot = TimeField(c.fields, "slot");
  return slot && *slot > c.now;
}

// G-SLOT-PASSED: a no-show is recorded only once the booked slot has passed.
bool SlotPassed(const GuardContext& c) {
  auto slot = TimeField(c.state.facts, "slot");
  return slot && *slot <= c.now;
}

// With the command path's lookup (always, over HTTP and the CLI): the referenced record exists,
// belongs to the case's unit, lists the case and, when `published` is asked, has been published.
// Without one (tests of pure decisions) the reference's form is all that is checked.
bool RecordHoldsCase(const GuardContext& c, const std::string& id, bool published) {
  if (!c.lookup || !*c.lookup) return true;
  std::optional<engine::ReferencedRecord> r = (*c.lookup)(id);
  return r && r->unit == c.state.unit && r->cases.count(c.state.case_id) && (!published || r->published);
}

// G-MEETING: a meeting reference names a monthly meeting of the case's own unit whose monthly
// list (the meeting's id is its list's id) contains the case. Whether the reference is required
// is the field's business, not the guard's.
bool MeetingOfUnit(const GuardContext& c) {
  const std::string* m = AsText(c.fields, "meeting");
  if (!m) return true;
  static const std::regex kMonthly(R"(monthly:([a-z]+):\d{4}-(0[1-9]|1[0-2]))");
  std::smatch match;
  return std::regex_match(*m, match, kMonthly) && match[1] == c.state.unit && RecordHoldsCase(c, *m, false);
}

// G-LIST: progression feedback references a published progression list of the case's own unit
// that contains the case.
bool ListOfUnit(const GuardContext& c) {
  const std::string* l = AsText(c.fields, "list");
  if (!l) return true;  // ad hoc reports carry no list
  static const std::regex kProgression(R"(progression:([a-z]+):\d{4}-Q[1-4])");
  std::smatch match;
  return std::regex_match(*l, match, kProgression) && match[1] == c.state.unit && RecordHoldsCase(c, *l, true);
}

}  // namespace

const engine::GuardTable& StudyReferralGuards() {
  static const engine::GuardTable kGuards = {
      {"G-TARGET", TargetGroup},     {"G-WANTS-STUDY", WantsToStudy}, {"G-SLOT-FUTURE", SlotInFuture},
      {"G-SLOT-PASSED", SlotPassed}, {"G-MEETING", MeetingOfUnit},    {"G-LIST", ListOfUnit},
  };
  return kGuards;
}

}  // namespace casetrail::workflows
