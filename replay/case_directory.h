// CaseDirectory: a read model of every case's unit, state and referral time, for listing and
// filtering. It is a projection: a catch-up subscription folds the log from its first event, or
// from its checkpoint (replay/read_model_checkpoints.h) when one is given and still fits the log,
// so it can be dropped and rebuilt at any time; no personal data is kept.
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
#include "engine/state_machine.h"
#include "replay/read_model_checkpoints.h"
#include "replay/resuming_fold.h"
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
  // With `checkpoints`, resumes from the directory's checkpoint if there is a usable one; either
  // way on the fold's own thread (replay/resuming_fold.h): this returns at once.
  CaseDirectory(storage::Log* log, const engine::DefinitionRegistry* registry,
                const ReadModelCheckpoints* checkpoints = nullptr);
  ~CaseDirectory();

  // Cases ordered by id, after `after` (exclusive), filtered (by unit, state, and a person
  // responsible for them on any side); at most `limit`.
  std::vector<CaseSummary> List(const std::optional<std::string>& unit, const std::optional<std::string>& state,
                                const std::string& after, size_t limit,
                                const std::optional<std::string>& responsible = std::nullopt) const;
  // Blocks until every event up to `position` has been folded (or `timeout_ms` passed).
  bool WaitFor(Position position, int timeout_ms) const;
  Position position() const;
  // Writes the checkpoint of what is folded now (needs the `checkpoints` given at construction).
  Status SaveCheckpoint() const;
  // Where the fold started: 0 from the first event, else the checkpoint's position.
  Position resumed_from() const { return fold_->resumed_from(); }
  static constexpr uint32_t kCheckpointFormat = (2u << 8) | engine::kFoldVersion;
  storage::SubscriptionHealth health() const { return fold_->Health(); }

 private:
  void OnEvent(const storage::RecordedEvent& record);
  std::string EncodeState() const;  // under mu_
  bool DecodeState(std::string_view body, const FoldedTo& at);

  const engine::DefinitionRegistry* registry_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::map<std::string, engine::CaseState> cases_;  // facts dropped after each fold
  std::map<std::string, std::map<std::string, std::string>> responsible_;  // case → party → person
  FoldedTo folded_;
  const ReadModelCheckpoints* checkpoints_;
  std::unique_ptr<ResumingFold> fold_;  // last: stops before the maps die
};

}  // namespace casetrail::replay
