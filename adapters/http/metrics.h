// Prometheus metrics: request counts and latencies by route and status, and the log's commit
// counters. Labels are route templates ("/v1/cases/{id}"), never ids or values.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "adapters/http/read_models.h"
#include "storage/log.h"

namespace casetrail::adapters {

class Metrics {
 public:
  void ObserveRequest(const std::string& route, int status, std::chrono::microseconds latency);
  // Prometheus text exposition format, including the log's counters.
  std::string Render(storage::Log& log, const std::vector<ReadModelStatus>& read_models) const;

 private:
  struct Series {
    uint64_t count = 0;
    double sum_seconds = 0;
    std::array<uint64_t, 8> buckets{};  // le 1ms, 2.5ms, 5ms, 10ms, 25ms, 100ms, 1s, +Inf
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, Series> requests_;
};

}  // namespace casetrail::adapters
