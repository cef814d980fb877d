// AppendPlanner: decides one commit group. For each request, in arrival order, it checks the
// expected versions, conditions and idempotency key against committed state plus the requests
// already accepted into the same group, then assigns positions and builds the chained records.
// A failed check fails only its own request. Both Log implementations commit what it plans.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "storage/internal/codec.h"
#include "storage/log.h"

namespace casetrail::storage::internal {

// Read access to what is already committed.
class CommittedState {
 public:
  virtual ~CommittedState() = default;
  virtual Result<StreamVersion> StreamVersionOf(const StreamId& stream) = 0;
  virtual Result<std::optional<IdempotencyRecord>> FindIdempotency(const std::string& key) = 0;
};

struct PlannedRecord {
  Position position{0};
  StreamId stream;
  StreamVersion version{0};
  std::string value;  // prev_hash ‖ hash ‖ record bytes
};

// Everything one commit group writes.
struct GroupPlan {
  std::vector<PlannedRecord> records;
  std::unordered_map<std::string, uint64_t> stream_versions;  // new version per touched stream
  std::vector<std::pair<std::string, std::string>> idempotency;  // key -> encoded record
  Head head;
};

class AppendPlanner {
 public:
  AppendPlanner(CommittedState* committed, Head head);

  // Plans `request` into the group, or returns why it is refused. A deduplicated repeat returns
  // the first result with `deduplicated` set and plans nothing.
  Result<AppendResult> Plan(const AppendRequest& request);

  const GroupPlan& plan() const { return plan_; }

 private:
  Result<StreamVersion> VersionOf(const StreamId& stream);
  Result<std::optional<IdempotencyRecord>> IdempotencyOf(const std::string& key);

  CommittedState* committed_;
  GroupPlan plan_;
  std::unordered_map<std::string, IdempotencyRecord> group_keys_;
};

Status ValidateRequest(const AppendRequest& request);

// Shared implementation of Log::LookupIdempotency.
Result<std::optional<AppendResult>> LookupIdempotency(CommittedState& state, const std::string& key,
                                                      const std::string& fingerprint);

}  // namespace casetrail::storage::internal
