// The health of the read models that answer requests (case directory, indicators, reminder
// book): how far each is behind the log's head and why, if its subscription's reads are failing.
// GET /healthz reports it, /metrics exports the lag, and routes that need a fresh read model
// answer 503 with Retry-After instead of stale data (FreshOr503).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "adapters/http/problem.h"

namespace casetrail::adapters {

struct ApiDeps;

struct ReadModelStatus {
  std::string name;        // "cases", "indicators", "reminders"
  uint64_t position = 0;   // last event folded
  uint64_t lag = 0;        // events behind the head
  uint64_t failures = 0;   // failed reads since the last good one
  std::string last_error;  // empty while reads succeed
};

std::vector<ReadModelStatus> ReadModelStatuses(const ApiDeps& deps);

// Degraded: a read model whose reads are failing.
bool Degraded(const std::vector<ReadModelStatus>& models);

// Seconds a client should wait before asking again when a read model could not catch up.
inline constexpr int kReadModelRetryAfterSeconds = 2;

// nullopt when `caught_up`; otherwise the 503 problem naming the read model.
std::optional<ApiResponse> FreshOr503(bool caught_up, const std::string& model);

}  // namespace casetrail::adapters
