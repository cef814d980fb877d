// Timers derived from events by the workflow definition (DESIGN "Background workers"): a timer of
// the definition is pending for a case when its trigger event (`after_event`) happened while the
// case has been in its current state, that state is one of `in_states`, and the consent scopes it
// names are active. Any state change (a booking, a close, a consent withdrawal that closes the
// case) cancels it, and so does withdrawing a scope it names. The timer's id is
// deterministic — name, kind, case and the trigger's stream version — so firing it with that id
// as the idempotency key happens exactly once across crashes and restarts.
#pragma once

#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include "engine/case_state.h"
#include "engine/definition.h"
#include "engine/event.h"

namespace casetrail::engine {

// An ISO 8601 duration of weeks, days, hours, minutes and seconds ("P14D", "PT1H30M", "-P1D");
// years and months are refused (their length varies). kInvalidArgument also when it is longer
// than the span of the time range (kMaxTime - kMinTime, about 10 000 years), so a duration added
// to any time of the range never overflows.
Result<std::chrono::microseconds> ParseDuration(std::string_view text);

// What a timer reads of its trigger event: its stream version, its effective time, and the text
// facts that can anchor a timer (`relative_to`: an RFC 3339 time or a date, which begin with a
// digit or a sign). Nothing else of the event is kept: a book of a million cases holds one per type.
struct TimerTrigger {
  uint64_t version = 0;
  Timestamp effective_at{};
  std::map<std::string, std::string> instants;
  bool operator==(const TimerTrigger&) const = default;
};

// Per case, what timers need beyond the folded state: the latest event of each type and the
// version at which the case entered its current state.
struct TimerInputs {
  uint64_t state_entered_version = 0;
  std::string state;
  std::map<std::string, TimerTrigger> last_of_type;
  // The subject's consent scopes active now (kept by the caller from the consent stream).
  std::set<std::string> active_scopes;
  // Folds one case event; `after` is the state after it.
  void Apply(const StoredEvent& e, const CaseState& after);
};

struct PendingTimer {
  std::string id;  // "<name>:<kind>:<case>:<trigger version>"
  std::string name, kind, case_id;
  Timestamp due_at{};
};

// The timers pending for a case now (pure: a function of the inputs and the definition).
// `to_utc_at` converts a Stockholm date plus "HH:MM" into an instant (for `at`).
std::vector<PendingTimer> PendingTimers(const std::string& case_id, const TimerInputs& inputs,
                                        const WorkflowDefinition& definition);

}  // namespace casetrail::engine
