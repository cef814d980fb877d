// CaseDirectory: a read model of every case's unit, state and referral time, for listing and
// filtering. It is a projection: a catch-up subscription folds the log from its first event, so
// it can be dropped and rebuilt at any time; no personal data is kept.
#pragma once

#include <map>
#include <memory>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/case_state.h"
#include "engine/definition_registry.h"
#include "storage/log.h"

namespace casetrail::replay {

struct CaseSummary {
  std::string case_id;
  std::string subject_id;
  std::string unit;
  std::string state;
  engine::Timestamp opened_at{};
  uint64_t version = 0;
  std::map<std::string, std::string> responsible;  // party → person (engine/responsibility.h)
};

class CaseDirectory {
 public:
  // Starts following `log` from its first event. `registry` must outlive this object.
  CaseDirectory(storage::Log* log, const engine::DefinitionRegistry* registry);
  ~CaseDirectory();

  // Cases ordered by id, after `after` (exclusive), filtered (by unit, state, and a person
  // responsible for them on any side); at most `limit`.
  std::vector<CaseSummary> List(const std::optional<std::string>& unit, const std::optional<std::string>& state,
                                const std::string& after, size_t limit,
                                const std::optional<std::string>& responsible = std::nullopt) const;
  // Blocks until every event up to `position` has been folded (or `timeout_ms` passed).
  bool WaitFor(Position position, int timeout_ms) const;
  Position position() const;
  storage::SubscriptionHealth health() const { return subscription_->Health(); }

 private:
  void OnEvent(const storage::RecordedEvent& record);

  const engine::DefinitionRegistry* registry_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::map<std::string, engine::CaseState> cases_;  // facts dropped after each fold
  std::map<std::string, std::map<std::string, std::string>> responsible_;  // case → party → person
  Position position_{0};
  std::unique_ptr<storage::Subscription> subscription_;  // last: stops before the maps die
};

}  // namespace casetrail::replay
