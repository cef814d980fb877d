#include "adapters/http/read_models.h"

#include <algorithm>

#include "adapters/http/api.h"
#include "adapters/http/problem.h"
#include "adapters/workers/reminder_worker.h"
#include "replay/case_directory.h"
#include "replay/indicators.h"

namespace casetrail::adapters {

std::vector<ReadModelStatus> ReadModelStatuses(const ApiDeps& d) {
  const uint64_t head = d.log->GetHead().position.value();
  std::vector<ReadModelStatus> out;
  auto add = [&](const std::string& name, const storage::SubscriptionHealth& h) {
    out.push_back({name, h.delivered, head - std::min(head, h.delivered), h.failures, h.last_error});
  };
  if (d.directory) add("cases", d.directory->health());
  if (d.indicators) add("indicators", d.indicators->health());
  if (d.worker) add("reminders", d.worker->health());
  return out;
}

bool Degraded(const std::vector<ReadModelStatus>& models) {
  return std::any_of(models.begin(), models.end(), [](const ReadModelStatus& m) { return m.failures > 0; });
}

std::optional<ApiResponse> FreshOr503(bool caught_up, const std::string& model) {
  if (caught_up) return std::nullopt;
  ApiResponse r = Problem(503, "read_model_behind",
                          "the " + model + " read model could not catch up with the log in time; try again shortly");
  r.headers.emplace_back("Retry-After", std::to_string(kReadModelRetryAfterSeconds));
  return r;
}

}  // namespace casetrail::adapters
