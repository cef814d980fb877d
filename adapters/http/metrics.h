// Prometheus metrics: request counts and latencies by route and status, and the log's commit
// counters. Labels are route templates ("/v1/cases/{id}"), never ids or values.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "adapters/http/read_models.h"
#include "storage/log.h"

namespace casetrail::adapters {

// What the HTTP server holds and what its limits turned away (server.h), for the exposition.
struct ServerGauges {
  std::atomic<int64_t> open_connections{0};
  std::atomic<int64_t> in_flight{0};  // requests admitted to a handler: queued, running or being answered
  std::atomic<uint64_t> refused_connections{0};  // answered 503 at accept: a connection cap
  std::atomic<uint64_t> refused_requests{0};     // answered 503: the handler queue was full or too slow
  std::atomic<uint64_t> failed_sign_ins{0};      // answered 401: a wrong or missing bearer token
  std::atomic<uint64_t> rate_limited_sign_ins{0};  // answered 429: the address is locked out
  std::atomic<uint64_t> rate_limited_lookups{0};   // answered 429: the user's lookup budget is spent
  std::atomic<uint64_t> tls_handshake_failures{0};  // closed: an old protocol, plain HTTP, a bad certificate
};

class Metrics {
 public:
  ServerGauges& server() { return server_; }
  void ObserveRequest(const std::string& route, int status, std::chrono::microseconds latency);
  // Prometheus text exposition format, including the log's counters.
  std::string Render(storage::Log& log, const std::vector<ReadModelStatus>& read_models) const;

 private:
  struct Series {
    uint64_t count = 0;
    double sum_seconds = 0;
    std::array<uint64_t, 8> buckets{};  // le 1ms, 2.5ms, 5ms, 10ms, 25ms, 100ms, 1s, +Inf
  };
  ServerGauges server_;
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, Series> requests_;
};

}  // namespace casetrail::adapters
