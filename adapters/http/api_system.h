// Integrity and operations: GET /v1/verify, /v1/checkpoints/latest, /v1/workflows, /v1/me,
// /v1/openapi.json, /v1/reminders, /v1/admin/records; POST /v1/admin/clock (with --manual-clock
// only), /v1/admin/backup.
#pragma once

#include <optional>
#include <string>

#include "adapters/http/routes.h"
#include "adapters/workers/reminder_worker.h"
#include "storage/key_store.h"

namespace casetrail::adapters {

class SystemRoutes : private ModelChecks {
 public:
  struct Deps {
    storage::Log* log = nullptr;
    engine::CaseService* service = nullptr;
    const engine::DefinitionRegistry* registry = nullptr;
    engine::Clock* clock = nullptr;
    engine::FakeClock* manual_clock = nullptr;  // --manual-clock; nullptr: no /v1/admin/clock route
    ReminderWorker* worker = nullptr;
    storage::KeyStore* key_store = nullptr;  // for online backups
    std::string backup_root;                 // --backup-root: where POST /v1/admin/backup writes
  };
  explicit SystemRoutes(Deps deps) : ModelChecks(deps.service), d_(std::move(deps)) {}
  void Register(RouteTable& routes);

 private:
  ApiResponse Verify(Call& c);
  ApiResponse LatestCheckpoint(Call& c);
  ApiResponse Workflows(Call& c);
  ApiResponse Me(Call& c);
  ApiResponse MoveClock(Call& c);
  ApiResponse AdminRecords(Call& c);
  ApiResponse Backup(Call& c);
  ApiResponse ListReminders(Call& c);

  Deps d_;
};

}  // namespace casetrail::adapters
