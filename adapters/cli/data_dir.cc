#include "adapters/cli/data_dir.h"

#include <fstream>
#include <sstream>

#include "engine/case_service.h"
#include "engine/registered_revisions.h"
#include "storage/rocksdb_log.h"
#include "workflows/study_referral.h"

namespace casetrail::adapters {

std::string MasterKeyPath(const DataDirFlags& flags) {
  return flags.master_key.empty() ? flags.data + "/master.key" : flags.master_key;
}

Result<storage::KeyBytes> SigningSeed(const DataDirFlags& flags) {
  if (!flags.signing_key.empty()) return storage::ReadKeyFile(flags.signing_key);
  CT_ASSIGN_OR_RETURN(storage::KeyBytes master, storage::ReadKeyFile(MasterKeyPath(flags)));
  return storage::DeriveSubkey(master, 1, "ckptsign");
}

Result<OpenStores> OpenDataDir(const DataDirFlags& flags) {
  OpenStores stores;
  CT_ASSIGN_OR_RETURN(stores.master, storage::ReadKeyFile(MasterKeyPath(flags)));
  storage::LogOptions options;
  options.path = flags.data + "/log";
  CT_ASSIGN_OR_RETURN(options.signing_seed, SigningSeed(flags));
  CT_ASSIGN_OR_RETURN(stores.log, storage::OpenRocksLog(options));
  CT_ASSIGN_OR_RETURN(stores.keys, storage::OpenKeyStore(flags.data + "/keys"));
  stores.ledger = std::make_unique<storage::ErasureLedger>(flags.data + "/erasure-ledger");
  return stores;
}

Result<std::unique_ptr<EngineOnStores>> BuildEngine(OpenStores& stores) {
  auto e = std::make_unique<EngineOnStores>();
  engine::MasterKey master;
  master.bytes = stores.master;
  e->keys = std::make_unique<engine::SubjectKeys>(stores.keys.get(), master);
  CT_RETURN_IF_ERROR(workflows::RegisterStudyReferral(&e->registry));
  CT_RETURN_IF_ERROR(engine::LoadRegisteredRevisions(*stores.log, &e->registry).status());
  e->clock = engine::NewSystemClock();
  e->service = std::make_unique<engine::CaseService>(stores.log.get(), e->keys.get(), &e->registry,
                                                     &workflows::StudyReferralGuards(), e->clock.get(),
                                                     workflows::kStudyReferral);
  e->service->SetErasureLedger(stores.ledger.get());
  return e;
}

Result<int> ReapplyErasureLedger(OpenStores& stores) {
  CT_ASSIGN_OR_RETURN(auto e, BuildEngine(stores));
  return e->service->RepairAtStart();
}

Result<engine::RetentionPolicy> LoadRetentionPolicy(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read the retention policy file");
  std::stringstream text;
  text << in.rdbuf();
  return engine::ParseRetentionPolicy(text.str());
}

}  // namespace casetrail::adapters
