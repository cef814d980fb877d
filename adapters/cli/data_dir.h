// The layout of a data directory and the opening of its stores from CLI flags.
//   DIR/log              the event log (RocksDB); with --log nats://… the local index of the
//                        JetStream stream that holds the log (storage/jetstream/jetstream_log.h)
//   DIR/keys             subject keys and the subject index (RocksDB); with --log nats://… they
//                        live in the key ring instead (storage/jetstream/key_ring.h), and
//   DIR/kek              holds this node's key-encryption key for it, and nothing else
//   DIR/erasure-ledger   append-only erasure ledger (never backed up, never restored over)
// The master key lives where --master-key says (default DIR/../<name>.master.key is not assumed:
// the demo writes DIR/master.key for convenience; production keeps keys outside DIR).
#pragma once

#include <memory>
#include <string>

#include "engine/case_service.h"
#include "engine/retention.h"
#include "storage/erasure_ledger.h"
#include "storage/jetstream/jetstream_log.h"
#include "storage/jetstream/key_ring.h"
#include "storage/key_file.h"
#include "storage/key_store.h"
#include "storage/log.h"

namespace casetrail::adapters {

struct DataDirFlags {
  std::string data;          // --data
  std::string master_key;    // --master-key; default DIR/master.key
  std::string signing_key;   // --signing-key; default derived from the master key
  std::string url;           // --url: a running server instead of the data directory
  std::string token_file;    // --token-file: the bearer token for --url
  // --log nats://HOST:PORT,…: the log lives in a JetStream stream, DIR/log is this node's index.
  std::string log;
  std::string nats_creds;    // --nats-creds: NATS credentials file (user JWT and NKey seed)
  std::string nats_tls_ca;   // --nats-tls-ca: CA bundle; set, the NATS connection requires TLS
  std::string nats_stream = "CASETRAIL_LOG";  // --nats-stream
  std::string node_id;       // --node-id: this node in the writer lease (default: the host name)
  std::string advertise;     // named to other nodes as the writer's address (serve: its URL)
};

// The JetStream options for --log nats://… (flags.log must be set).
Result<storage::JetStreamLogOptions> JetStreamOptionsFor(const DataDirFlags& flags);

// The key ring beside a JetStream log: stream "<log stream>_KEYS", this node's KEK in DIR/kek.
storage::KeyRingOptions KeyRingOptionsFor(const DataDirFlags& flags);

struct OpenStores {
  std::unique_ptr<storage::Log> log;
  std::unique_ptr<storage::KeyStore> keys;  // DIR/keys, or the key ring with --log nats://…
  storage::KeyBytes master{};
  std::unique_ptr<storage::ErasureLedger> ledger;  // DIR/erasure-ledger
};

std::string MasterKeyPath(const DataDirFlags& flags);
Result<storage::KeyBytes> SigningSeed(const DataDirFlags& flags);
Result<OpenStores> OpenDataDir(const DataDirFlags& flags);
// The engine over open stores, for subcommands that decide rather than only read.
struct EngineOnStores {
  std::unique_ptr<engine::SubjectKeys> keys;
  engine::DefinitionRegistry registry;
  std::unique_ptr<engine::Clock> clock;
  std::unique_ptr<engine::CaseService> service;
};
Result<std::unique_ptr<EngineOnStores>> BuildEngine(OpenStores& stores);

// Reads and validates a retention policy file.
Result<engine::RetentionPolicy> LoadRetentionPolicy(const std::string& path);
// Re-applies DIR/erasure-ledger to the open stores (after a restore). Returns entries applied.
Result<int> ReapplyErasureLedger(OpenStores& stores);

}  // namespace casetrail::adapters
