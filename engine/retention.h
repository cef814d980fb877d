// Retention ("gallring"): rules that crypto-shred a subject's personal data a set time after their
// cases end, blocked by a legal hold, each run recorded as an event.
//
// The policy is a JSON file the operator keeps (the archive authorities set the periods, DOMAIN
// Q11); docs/gdpr.md documents it:
//
//   {"version": "2025-1",
//    "rules": [
//      {"id": "cases-ended", "when": "all_cases_ended", "after_days": 730, "decision_ref": "D-2024/0042"},
//      {"id": "no-case", "when": "no_case", "after_days": 90, "decision_ref": "D-2024/0042"}]}
//
//   all_cases_ended  every case of the subject is in a terminal state; counted from the last event
//                    of the case that ended last
//   no_case          the subject was registered but never had a case; counted from registration
//
// The decision (which rule, if any, is due) is pure; RunRetention applies it to every subject.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/case_service.h"

namespace casetrail::engine {

struct RetentionRule {
  std::string id;
  std::string when;  // all_cases_ended | no_case
  int after_days = 0;
  std::string decision_ref;
};

struct RetentionPolicy {
  std::string version;
  std::vector<RetentionRule> rules;
};

// kInvalidArgument naming the first problem (unknown key, bad `when`, negative days, duplicate id).
Result<RetentionPolicy> ParseRetentionPolicy(std::string_view json);

// What retention needs to know of a subject: facts only.
struct RetentionFacts {
  bool erased = false;
  bool legal_hold = false;
  Timestamp registered_at{};
  int cases = 0;
  bool all_ended = false;
  Timestamp last_ended_at{};  // when all_ended
};

// The first rule that makes the subject due at `now`, or nullptr.
const RetentionRule* DueRule(const RetentionPolicy& policy, const RetentionFacts& facts, Timestamp now);

struct RetentionReport {
  uint64_t examined = 0;
  uint64_t erased = 0;
  uint64_t held = 0;  // due, but under a legal hold
  std::vector<std::string> erased_subjects;
  uint64_t run_position = 0;  // where RetentionRunCompleted was recorded
};

// Applies the policy to every subject in the log, then appends RetentionRunCompleted to
// "retention:runs". `progress(done, total)` is called as subjects are examined.
// `requested_by`: who asked for the run (recorded as the run's actor); nullopt for the scheduled
// daily run, recorded as the system's.
Result<RetentionReport> RunRetention(CaseService& service, storage::Log& log, const DefinitionRegistry& registry,
                                     const RetentionPolicy& policy, Timestamp now,
                                     const std::function<void(uint64_t, uint64_t)>& progress = nullptr,
                                     const std::optional<Actor>& requested_by = std::nullopt);

inline StreamId RetentionRunStream() { return StreamId("retention:runs"); }

}  // namespace casetrail::engine
