#include "adapters/cli/data_dir.h"

#include "engine/case_service.h"
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

Result<int> ReapplyErasureLedger(OpenStores& stores) {
  engine::MasterKey master;
  master.bytes = stores.master;
  engine::SubjectKeys keys(stores.keys.get(), master);
  engine::DefinitionRegistry registry;
  CT_RETURN_IF_ERROR(workflows::RegisterStudyReferral(&registry));
  auto clock = engine::NewSystemClock();
  engine::CaseService service(stores.log.get(), &keys, &registry, &workflows::StudyReferralGuards(), clock.get());
  service.SetErasureLedger(stores.ledger.get());
  return service.ReapplyErasures();
}

}  // namespace casetrail::adapters
