#include "adapters/http/metrics.h"

#include <array>
#include <sstream>

namespace casetrail::adapters {
namespace {

std::string RenderHistogram(const std::string& name, const std::string& help, const std::array<double, 8>& bounds,
                            const std::array<uint64_t, 8>& buckets, uint64_t count, double sum) {
  std::ostringstream out;
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " histogram\n";
  for (size_t i = 0; i < bounds.size(); ++i) out << name << "_bucket{le=\"" << bounds[i] << "\"} " << buckets[i] << "\n";
  out << name << "_bucket{le=\"+Inf\"} " << count << "\n" << name << "_sum " << sum << "\n" << name << "_count " << count << "\n";
  return out.str();
}

constexpr std::array<double, 7> kBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1.0};
}

void Metrics::ObserveRequest(const std::string& route, int status, std::chrono::microseconds latency) {
  const double s = latency.count() / 1e6;
  std::lock_guard lock(mu_);
  Series& series = requests_[{route, status}];
  series.count++;
  series.sum_seconds += s;
  for (size_t i = 0; i < kBounds.size(); ++i) {
    if (s <= kBounds[i]) series.buckets[i]++;
  }
  series.buckets[7]++;
}

std::string Metrics::Render(storage::Log& log, const std::vector<ReadModelStatus>& read_models) const {
  uint64_t projection_lag = 0;
  for (const auto& m : read_models) {
    if (m.name == "cases") projection_lag = m.lag;
  }
  std::ostringstream out;
  out << "# HELP casetrail_http_request_duration_seconds HTTP request latency by route and status.\n"
      << "# TYPE casetrail_http_request_duration_seconds histogram\n";
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, s] : requests_) {
      std::string labels = "route=\"" + key.first + "\",status=\"" + std::to_string(key.second) + "\"";
      for (size_t i = 0; i < kBounds.size(); ++i) {
        out << "casetrail_http_request_duration_seconds_bucket{" << labels << ",le=\"" << kBounds[i] << "\"} "
            << s.buckets[i] << "\n";
      }
      out << "casetrail_http_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} " << s.buckets[7] << "\n"
          << "casetrail_http_request_duration_seconds_sum{" << labels << "} " << s.sum_seconds << "\n"
          << "casetrail_http_request_duration_seconds_count{" << labels << "} " << s.count << "\n";
    }
  }
  out << "# HELP casetrail_http_open_connections Connections the server holds open.\n"
      << "# TYPE casetrail_http_open_connections gauge\ncasetrail_http_open_connections "
      << server_.open_connections.load() << "\n"
      << "# HELP casetrail_http_requests_in_flight Requests queued for or in a handler, or being answered (this one included).\n"
      << "# TYPE casetrail_http_requests_in_flight gauge\ncasetrail_http_requests_in_flight " << server_.in_flight.load()
      << "\n# HELP casetrail_http_refused_total Answered 503 by a server limit: a connection cap or the handler queue.\n"
      << "# TYPE casetrail_http_refused_total counter\n"
      << "casetrail_http_refused_total{limit=\"connections\"} " << server_.refused_connections.load() << "\n"
      << "casetrail_http_refused_total{limit=\"queue\"} " << server_.refused_requests.load() << "\n"
      << "# HELP casetrail_http_rate_limited_total Answered 429 by a rate limit: lookups per user, sign-ins per address.\n"
      << "# TYPE casetrail_http_rate_limited_total counter\n"
      << "casetrail_http_rate_limited_total{limit=\"lookups\"} " << server_.rate_limited_lookups.load() << "\n"
      << "casetrail_http_rate_limited_total{limit=\"sign_in\"} " << server_.rate_limited_sign_ins.load() << "\n"
      << "# HELP casetrail_auth_failed_total Requests answered 401: a wrong or missing bearer token.\n"
      << "# TYPE casetrail_auth_failed_total counter\ncasetrail_auth_failed_total " << server_.failed_sign_ins.load() << "\n"
      << "# HELP casetrail_tls_handshake_failures_total Connections closed in the TLS handshake (old protocol, plain HTTP).\n"
      << "# TYPE casetrail_tls_handshake_failures_total counter\ncasetrail_tls_handshake_failures_total "
      << server_.tls_handshake_failures.load() << "\n";
  storage::LogStats stats = log.Stats();
  out << "# HELP casetrail_log_appends_total Appends committed.\n# TYPE casetrail_log_appends_total counter\n"
      << "casetrail_log_appends_total " << stats.appends << "\n"
      << "# HELP casetrail_log_synced_writes_total Synced write groups (group commit).\n"
      << "# TYPE casetrail_log_synced_writes_total counter\ncasetrail_log_synced_writes_total " << stats.synced_writes
      << "\n# HELP casetrail_log_events_total Events committed.\n# TYPE casetrail_log_events_total counter\n"
      << "casetrail_log_events_total " << stats.events << "\n"
      << "# HELP casetrail_log_unsynced_writes_total Write groups of refusals only, written without an fsync of their own.\n"
      << "# TYPE casetrail_log_unsynced_writes_total counter\ncasetrail_log_unsynced_writes_total " << stats.unsynced_writes
      << "\n# HELP casetrail_log_deferred_syncs_total Syncs forced by the bound on unsynced refusals.\n"
      << "# TYPE casetrail_log_deferred_syncs_total counter\ncasetrail_log_deferred_syncs_total " << stats.deferred_syncs << "\n"
      << RenderHistogram("casetrail_log_append_duration_seconds",
                         "Append latency: queueing for the writer plus the synced group commit.",
                         storage::LogStats::kLatencyBounds, stats.append_latency_buckets, stats.append_latency_count,
                         stats.append_latency_sum_seconds)
      << RenderHistogram("casetrail_log_group_commit_size", "Append requests per synced write group.",
                         storage::LogStats::kGroupBounds, stats.group_size_buckets, stats.synced_writes,
                         static_cast<double>(stats.group_size_sum))
      << "# HELP casetrail_log_head_position Position of the last committed event.\n"
      << "# TYPE casetrail_log_head_position gauge\ncasetrail_log_head_position " << log.GetHead().position.value()
      << "\n# HELP casetrail_projection_lag_events Events the case directory has yet to fold.\n"
      << "# TYPE casetrail_projection_lag_events gauge\ncasetrail_projection_lag_events " << projection_lag << "\n"
      << "# HELP casetrail_read_model_lag_events Events each read model has yet to fold.\n"
      << "# TYPE casetrail_read_model_lag_events gauge\n";
  for (const auto& m : read_models) out << "casetrail_read_model_lag_events{model=\"" << m.name << "\"} " << m.lag << "\n";
  out << "# HELP casetrail_read_model_failing 1 while a read model's reads of the log are failing.\n"
      << "# TYPE casetrail_read_model_failing gauge\n";
  for (const auto& m : read_models) {
    out << "casetrail_read_model_failing{model=\"" << m.name << "\"} " << (m.failures > 0 ? 1 : 0) << "\n";
  }
  return out.str();
}

}  // namespace casetrail::adapters
