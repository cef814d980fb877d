// Searching cases by the person: POST /v1/cases/search (see api_search.cc).
#pragma once

#include <optional>
#include <string>

#include "adapters/http/routes.h"
#include "adapters/http/metrics.h"
#include "adapters/http/rate_limits.h"
#include "replay/case_directory.h"
#include "replay/name_index.h"

namespace casetrail::adapters {

class SearchRoutes : private ModelChecks {
 public:
  struct Deps {
    storage::Log* log = nullptr;
    engine::CaseService* service = nullptr;
    engine::Clock* clock = nullptr;
    replay::CaseDirectory* directory = nullptr;
    replay::NameIndex* names = nullptr;  // keyed hashes of name parts; nullptr: 503
    Metrics* metrics = nullptr;
    RateLimits* limits = nullptr;        // a search spends a lookup
    std::string lookup_hash_key;         // keys the hash of a searched number (engine/lookup_trace.h)
  };
  explicit SearchRoutes(Deps deps) : ModelChecks(deps.service), d_(std::move(deps)) {}
  void Register(RouteTable& routes);

 private:
  ApiResponse SearchCases(Call& c);

  Deps d_;
};

}  // namespace casetrail::adapters
