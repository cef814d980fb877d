// Subjects, consent, notices and reserves: POST /v1/subjects, POST /v1/subjects/lookup,
// PATCH /v1/subjects/{id}, POST …/consents, …/consents/withdraw, …/notices, POST /v1/reserves,
// POST /v1/reserves/revoke.
#pragma once

#include <optional>
#include <string>

#include "adapters/http/routes.h"
#include "adapters/http/metrics.h"
#include "adapters/http/rate_limits.h"

namespace casetrail::adapters {

class SubjectRoutes : private ModelChecks {
 public:
  struct Deps {
    storage::Log* log = nullptr;
    engine::CaseService* service = nullptr;
    const engine::DefinitionRegistry* registry = nullptr;
    engine::Clock* clock = nullptr;
    Metrics* metrics = nullptr;
    RateLimits* limits = nullptr;          // lookups per user
    const RequestHashes* hashes = nullptr;
    std::string lookup_hash_key;  // keys the hash of personal numbers in lookup records (engine/lookup_trace.h)
  };
  explicit SubjectRoutes(Deps deps) : ModelChecks(deps.service), d_(std::move(deps)) {}
  void Register(RouteTable& routes);

 private:
  ApiResponse RegisterSubject(Call& c);
  ApiResponse LookupSubject(Call& c);
  ApiResponse RectifySubject(Call& c, const std::string& subject);
  ApiResponse GrantConsent(Call& c, const std::string& subject);
  ApiResponse WithdrawConsent(Call& c, const std::string& subject);
  ApiResponse RecordNotice(Call& c, const std::string& subject);
  ApiResponse AppointReserve(Call& c, bool revoke);
  // Records a lookup (engine/lookup_trace.h) before it is answered.
  Status TraceLookup(const Call& c, const std::string& canonical_number, const std::string& subject_id,
                     const char* outcome, const char* via);

  Deps d_;
};

}  // namespace casetrail::adapters
