#include "adapters/cli/data_dir.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/workers/list_jobs.h"
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

Result<storage::JetStreamLogOptions> JetStreamOptionsFor(const DataDirFlags& flags) {
  if (flags.log.rfind("nats://", 0) != 0 && flags.log.rfind("tls://", 0) != 0) {
    return InvalidArgument("--log must be nats://HOST:PORT[,nats://HOST:PORT…]");
  }
  storage::JetStreamLogOptions o;
  o.nats.servers = storage::ParseNatsServers(flags.log);
  o.nats.creds_file = flags.nats_creds;
  o.nats.tls_ca_file = flags.nats_tls_ca;
  o.stream = flags.nats_stream;
  o.node_id = flags.node_id;
  if (o.node_id.empty()) {
    char host[256] = {};
    ::gethostname(host, sizeof(host) - 1);
    o.node_id = host;
  }
  o.advertise = flags.advertise.empty() ? o.node_id : flags.advertise;
  // A node that does not write records what it does (read records, lookups) through the writer.
  o.forward_appends = true;
  o.index.path = flags.data + "/log";
  CT_ASSIGN_OR_RETURN(o.index.signing_seed, SigningSeed(flags));
  return o;
}

storage::KeyRingOptions KeyRingOptionsFor(const DataDirFlags& flags) {
  storage::KeyRingOptions o;
  o.nats.servers = storage::ParseNatsServers(flags.log);
  o.nats.creds_file = flags.nats_creds;
  o.nats.tls_ca_file = flags.nats_tls_ca;
  o.stream = flags.nats_stream + "_KEYS";
  o.local_path = flags.data + "/kek";
  return o;
}

namespace {

// A DIR/keys beside a JetStream log (a restored backup, or a node from before the key ring): its
// entries go into the key ring while the ring is empty, then the directory goes. Entries in both
// are refused rather than merged: which is current cannot be told.
Status MoveLocalKeysIntoRing(const std::string& path, storage::KeyRing& ring) {
  if (!std::filesystem::exists(path + "/CURRENT")) return Status::Ok();
  {
    CT_ASSIGN_OR_RETURN(auto local, storage::OpenKeyStore(path));
    CT_ASSIGN_OR_RETURN(auto entries, local->List(""));
    if (!entries.empty()) {
      CT_ASSIGN_OR_RETURN(auto in_ring, ring.List(""));
      if (!in_ring.empty()) {
        return FailedPrecondition("DATA/keys holds subject keys but the key ring already has entries: move DATA/keys "
                                  "away (docs/operations.md §16.4)");
      }
      CT_RETURN_IF_ERROR(ring.Write(entries, {}));
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  return ec ? Unavailable("cannot remove DATA/keys after moving it into the key ring") : Status::Ok();
}

}  // namespace

Result<OpenStores> OpenDataDir(const DataDirFlags& flags) {
  OpenStores stores;
  CT_ASSIGN_OR_RETURN(stores.master, storage::ReadKeyFile(MasterKeyPath(flags)));
  if (!flags.log.empty()) {
    CT_ASSIGN_OR_RETURN(auto options, JetStreamOptionsFor(flags));
    CT_ASSIGN_OR_RETURN(auto log, storage::OpenJetStreamLog(options));
    // Commands read the whole log: let the index catch up with the stream first.
    CT_RETURN_IF_ERROR(log->CatchUp(std::chrono::minutes(10)));
    // The subject keys are shared through the key ring; only the log's writer writes them.
    auto ring_options = KeyRingOptionsFor(flags);
    storage::JetStreamLog* writer_of = log.get();
    ring_options.may_write = [writer_of] { return writer_of->AwaitWriter(); };
    CT_ASSIGN_OR_RETURN(auto ring, storage::KeyRing::Open(ring_options));
    CT_RETURN_IF_ERROR(MoveLocalKeysIntoRing(flags.data + "/keys", *ring));
    stores.log = std::move(log);
    stores.keys = std::move(ring);
  } else {
    storage::LogOptions options;
    options.path = flags.data + "/log";
    CT_ASSIGN_OR_RETURN(options.signing_seed, SigningSeed(flags));
    CT_ASSIGN_OR_RETURN(stores.log, storage::OpenRocksLog(options));
    CT_ASSIGN_OR_RETURN(stores.keys, storage::OpenKeyStore(flags.data + "/keys"));
  }
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
  e->service->SetReferenceLookup(ListLookup(*stores.log));
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
