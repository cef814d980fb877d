// Indicators of the study cooperation (DOMAIN §5.1, computed by the rules of §5.5) as a read
// model: a projection folds every case's indicator facts from the log (incrementally, following a
// subscription, or rebuilt from the first event), and Compute() answers any period and unit.
//
//   I1a referrals             cases referred in the period via the space or a group activity
//   I1b cases_booked          distinct cases with ≥ 1 ConversationBooked in the period
//   I4  conversations_held    distinct cases with ConversationHeld in the period, by gender
//   I2  started_after_conversation  of those, the ones with StudiesStarted on or after the
//                             conversation (as known now), on a route that is an education
//                             (CountsAsStartedEducation; docs/strategic.md "Outcomes")
//   I3  rom_started           Rusta och matcha cases referred in the period that started studies
//   A1  group_activities      GroupActivityHeld events in the period
//
// I1–I4 are also counted per age band of the case (the band in clear on its opening event,
// "unknown" without one; ComputeAllByBand): a figure's bands add up to it.
// Dates are Stockholm calendar dates of `effective_at`. A case counts for its current unit.
// Nothing here holds personal data: case ids, units, codes and dates only.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/case_state.h"
#include "engine/definition_registry.h"
#include "engine/state_machine.h"
#include "replay/read_model_checkpoints.h"
#include "replay/resuming_fold.h"
#include "storage/log.h"

namespace casetrail::replay {

// A period [from, to) of Stockholm dates, with its label: "2025", "2025-03", "2025-Q2",
// "2025-T1".."T3" (tertials), "2025-H1"/"H2", "2025-VT" (spring term, Jan–Jun), "2025-HT" (Jul–Dec).
struct Period {
  std::string label;
  std::string from;  // YYYY-MM-DD, inclusive
  std::string to;    // YYYY-MM-DD, exclusive
  bool Contains(const std::string& date) const { return date >= from && date < to; }
};
Result<Period> ParsePeriod(std::string_view label);
Period SamePeriodYearBefore(const Period& p);
// J10: every month, quarter, tertial, term (VT/HT) and year that ends after `first` and by
// `today` (both YYYY-MM-DD), i.e. those a period-end snapshot is owed for, oldest first.
std::vector<std::string> EndedPeriods(const std::string& first, const std::string& today);

// Whether studies started on `route` (rev3's code list `route`; "" = komvux, the only route before
// rev3) count as "started education" in I2 and as "started studies" in I3: komvux, folk high
// school and labour-market training do; validation and a proficiency test (prövning) assess what
// the person already knows and do not.
bool CountsAsStartedEducation(const std::string& route);

struct Ratio {
  uint64_t numerator = 0;
  uint64_t denominator = 0;
  bool operator==(const Ratio&) const = default;
};

struct IndicatorSet {
  uint64_t referrals = 0;     // I1a
  uint64_t cases_booked = 0;  // I1b
  uint64_t held_women = 0, held_men = 0, held_unknown = 0;  // I4a–c (total is their sum)
  Ratio started_after_conversation;  // I2
  Ratio rom_started;                 // I3
  uint64_t group_activities = 0;     // A1
  uint64_t HeldTotal() const { return held_women + held_men + held_unknown; }
  bool operator==(const IndicatorSet&) const = default;
};

// A dated step of a case and the unit the case belonged to when it was recorded: a unit's figures
// count what happened while the case was theirs, so a later transfer does not move past figures
// (a published snapshot recomputes to the same numbers).
struct UnitDate {
  std::string on;  // Stockholm date of effective_at
  std::string unit;
  bool operator==(const UnitDate&) const = default;
};

// What one case contributes.
struct CaseIndicatorFacts {
  engine::CaseState fold;  // the case by the one case fold (engine::Apply), facts dropped: its unit
  std::string channel;
  std::string gender;
  std::string age_band;  // from the case's opening event ("" when it carries none)
  bool rom_participant = false;
  UnitDate referred;
  std::vector<UnitDate> booked;
  std::vector<UnitDate> held;
  std::string started_on;  // first StudiesStarted on a route that counts as education (below)
  std::string plan_route;  // the latest plan's route (rev3 `route`; before it every plan was komvux)
  bool operator==(const CaseIndicatorFacts&) const = default;
};

class IndicatorProjection {
 public:
  explicit IndicatorProjection(const engine::DefinitionRegistry* registry) : registry_(registry) {}

  // Folds one event (any stream; others are skipped).
  void Apply(const storage::RecordedEvent& record);
  // Answered from per-day counters (a year is 365 days × units, whatever the number of cases);
  // only cases booked or held more than once are counted case by case.
  IndicatorSet Compute(const Period& period, const std::optional<std::string>& unit) const;
  // Every unit's figures (under its code) and the total (under "") in one pass: equal to Compute
  // for each. A unit with nothing in the period may be missing (read it as zeros).
  std::map<std::string, IndicatorSet> ComputeAll(const Period& period) const;
  // I1–I4 per age band (kAgeBands, "unknown" for a case without one) for every unit (under its
  // code) and the total (under ""): the bands of a figure add up to ComputeAll's. A band or unit
  // with nothing in the period may be missing (read it as zeros). group_activities stays zero.
  std::map<std::string, std::map<std::string, IndicatorSet>> ComputeAllByBand(const Period& period) const;
  // The same figures counted case by case over every case: what the counters must agree with.
  IndicatorSet ComputeByCases(const Period& period, const std::optional<std::string>& unit) const;
  Position position() const;
  // The checkpoint body (replay/read_models.capnp IndicatorState) of what is folded now, and the
  // event it was folded to; DecodeState replaces everything with such a body (false: unusable,
  // nothing changed). The per-day counters are not kept: they are counted again from the cases.
  std::string EncodeState(FoldedTo* at) const;
  bool DecodeState(std::string_view body, const FoldedTo& at);
  static constexpr uint32_t kCheckpointFormat = (2u << 8) | engine::kFoldVersion;
  // Equal folded facts (for checking a rebuild against the incremental projection).
  bool SameFactsAs(const IndicatorProjection& other) const;
  size_t cases() const;

 private:
  // What the cases that count by day add to one (Stockholm date, unit).
  struct DayCounts {
    int64_t referrals = 0;     // referred via the space or a group activity
    int64_t rom_referred = 0;  // referred, Rusta och matcha
    int64_t rom_started = 0;   //   …and started studies
    int64_t booked = 0;        // the case's one booking
    int64_t held_women = 0, held_men = 0, held_unknown = 0;  // the case's one conversation
    int64_t started_after_held = 0;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Adds (sign 1) or takes back (sign -1) what case `id` contributes to the counters.
  void Count(const std::string& id, const CaseIndicatorFacts& c, int sign);
  static void AddDay(const DayCounts& d, IndicatorSet& s);

  const engine::DefinitionRegistry* registry_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, CaseIndicatorFacts, Hash, std::equal_to<>> cases_;
  // date → (unit, age band) → counts
  std::map<std::string, std::map<std::pair<std::string, std::string>, DayCounts>> days_;
  std::set<std::string> irregular_;  // cases booked or held more than once: counted case by case
  std::vector<std::pair<std::string, std::string>> activities_;  // (unit, held_on)
  FoldedTo folded_;
};

// The age bands of the figures, as engine/case_service_internal.h AgeBand records them, and the
// band of a case without one.
inline const std::vector<std::string>& AgeBands() {
  static const std::vector<std::string> bands = {"16-24", "25-29", "30-39", "40-49", "50-64", "65+", "unknown"};
  return bands;
}
inline const std::string& BandOf(const CaseIndicatorFacts& c) {
  static const std::string unknown = "unknown";
  return c.age_band.empty() ? unknown : c.age_band;
}

// Folds the whole log from its first event into a fresh projection. `progress(done, total)`.
Result<std::unique_ptr<IndicatorProjection>> RebuildIndicators(storage::Log& log,
                                                               const engine::DefinitionRegistry* registry,
                                                               const storage::ProgressFn& progress = nullptr);

// An IndicatorProjection kept current by a catch-up subscription.
class LiveIndicators {
 public:
  // With `checkpoints`, resumes from the projection's checkpoint if there is a usable one.
  LiveIndicators(storage::Log* log, const engine::DefinitionRegistry* registry,
                 const ReadModelCheckpoints* checkpoints = nullptr);
  ~LiveIndicators();
  const IndicatorProjection& projection() const { return projection_; }
  // Blocks until events up to `position` are folded (or `timeout_ms` passed).
  bool WaitFor(Position position, int timeout_ms) const;
  storage::SubscriptionHealth health() const { return fold_->Health(); }
  // Writes the checkpoint of what is folded now (needs the `checkpoints` given at construction).
  Status SaveCheckpoint() const;
  Position resumed_from() const { return fold_->resumed_from(); }

 private:
  IndicatorProjection projection_;
  const ReadModelCheckpoints* checkpoints_;
  std::unique_ptr<ResumingFold> fold_;  // last: stops before the projection dies
};

}  // namespace casetrail::replay
