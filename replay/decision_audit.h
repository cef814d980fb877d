// Decision audit for the strategic group (issue "strategic group"): every case decision of a
// period grouped by kind and reason, with the rule revision that allowed it and counts per unit,
// folded from the log by replay. No personal data: kinds, reason codes, revisions, units, counts.
//
//   referrals_rejected   ReferralRejected by reason
//   cases_closed         CaseClosed by reason, CustomerDeclined (declined), ReferralRejected
//                        (not_eligible), ReferralWithdrawn (withdrawn_by_af)
//   plans_not_started    PlannedEducationNotStarted by reason
//   interruptions        StudiesInterrupted by reason
//   refused_commands     CommandRefused by code
//   erasures             SubjectErased by legal basis; GallringExecuted by rule
//   retention_runs       RetentionRunCompleted
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "replay/indicators.h"
#include "storage/log.h"

namespace casetrail::replay {

struct DecisionKey {
  std::string kind, reason, revision, unit;
  auto operator<=>(const DecisionKey&) const = default;
};

struct DecisionAudit {
  std::map<DecisionKey, uint64_t> counts;
  std::set<std::string> cases;  // every case with a decision in the period (for sampling)
};

// Scans the log once. `unit` filters case decisions to that unit (other kinds carry no unit).
Result<DecisionAudit> AuditDecisions(storage::Log& log, const Period& period, const std::optional<std::string>& unit);

// A reproducible sample: `size` ids drawn without replacement from the sorted `population` by a
// Fisher–Yates walk on std::mt19937_64 (whose output the C++ standard fixes) seeded with `seed`.
std::vector<std::string> DrawSample(const std::set<std::string>& population, size_t size, uint64_t seed);

}  // namespace casetrail::replay
