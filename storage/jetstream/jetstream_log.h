// The Log on NATS JetStream: one replicated stream (file storage, R3 in production) is the source
// of truth; every casetrail node keeps a local RocksDB index of it (storage/rocksdb_log.h: the
// records, stream versions, idempotency keys, snapshots, checkpoints), caught up from the stream
// and rebuildable from it by deleting the index directory.
//
// Writing: exactly one node writes. It holds a lease in a replicated KV bucket (renewed every
// lease_ttl/4; a contender takes it after seeing no renewal for lease_ttl) and fences every publish
// with the stream-wide expected last sequence (Nats-Expected-Last-Sequence: the per-subject one is
// not safe on nats-server 2.9.10 R3, see docs/reliability.md). A commit group (many requests, many
// streams) is one message, so a multi-stream append is atomic. Positions, stream versions, the hash
// chain and idempotency keys are planned exactly as the RocksDB log plans them
// (storage/internal/append_planner.h) and the message carries the RocksDB log's stored values.
// A publish refused for a wrong last sequence means another node wrote: this node steps down and
// its appends answer kUnavailable (context "writer": the current writer's address, if known).
//
// Durability: Append returns once the stream's leader acknowledged the message, that is once a
// majority of the nats-server nodes stored it. nats-server 2.9 syncs its files every 2 minutes
// (sync_interval), not per write: a message survives the loss of a minority of nodes, not a power
// cut of all of them at once. AppendRequest::sync is therefore not used.
//
// Reading: every node (writer or not) serves reads from its local index, which trails the stream
// by the applier's delay; the writer's own appends are in its index before Append returns.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "storage/rocksdb_log.h"

namespace casetrail::storage {

// How to reach the NATS cluster.
struct NatsConnectOptions {
  std::vector<std::string> servers;  // nats://host:port, one or more
  std::string creds_file;            // optional: a NATS .creds file (user JWT and NKey seed)
  std::string tls_ca_file;           // optional: CA bundle; set, the connection requires TLS
  std::string name = "casetrail";    // connection name shown by the server
};

struct JetStreamLogOptions {
  NatsConnectOptions nats;
  std::string stream = "CASETRAIL_LOG";  // the stream; its subject is "<stream>.groups"
  int replicas = 3;
  // This node: a unique id and the address to name as writer in refusals (say its HTTP URL).
  std::string node_id;
  std::string advertise;
  // false: this node only reads (it never takes the lease).
  bool writer_candidate = true;
  // true: while another node writes, Append forwards the request to it (NATS request/reply on
  // "<stream>.append.<writer node id>", storage/jetstream/forwarding.h) and returns once this
  // node's index holds the result, so a reading node can record what it does (read records, say).
  // false: Append answers kUnavailable naming the writer. Every node answers forwarded appends.
  bool forward_appends = false;
  std::chrono::milliseconds forward_timeout{5000};
  std::chrono::milliseconds lease_ttl{5000};
  // How long one group's publish is retried (the stream may be electing a leader) before Append
  // answers kUnavailable.
  std::chrono::milliseconds publish_timeout{15000};
  // How long an Append waits for this node to become writer when no other writer is known.
  std::chrono::milliseconds writer_wait{5000};
  size_t max_group_size = 256;
  // Test only: this node writes without the lease (as a deposed writer that missed its lapse
  // would), so a test can show that the stream's fencing alone refuses a second writer.
  bool TEST_write_without_lease = false;
  // The local index: path, checkpoint signing seed and interval, cache (rocksdb_log.h).
  LogOptions index;
};

// What a JetStream log reports beyond the Log interface (for tests, metrics and `serve`).
struct JetStreamStatus {
  bool writer = false;          // this node holds the lease and is caught up
  std::string writer_address;   // the lease holder's advertised address, if known
  uint64_t applied_sequence = 0;  // last stream sequence applied to the local index
  uint64_t step_downs = 0;      // times this node stopped writing because another wrote
  std::string last_error;       // of the applier or the lease, no record contents
};

class JetStreamLog : public Log {
 public:
  virtual JetStreamStatus GetStatus() = 0;
  // Blocks until the local index has applied every message the stream held when called.
  virtual Status CatchUp(std::chrono::milliseconds timeout) = 0;
  // Ok when this node writes, waiting (as Append does) up to writer_wait while no other writer is
  // known; else what Append would answer (kUnavailable, context "writer"). The key ring's writes
  // (storage/jetstream/key_ring.h) ask it first, so only the log's writer writes keys.
  virtual Status AwaitWriter() = 0;
};

// Connects, creates the stream and the lease bucket if missing (R = replicas, file storage), opens
// the local index and starts following the stream.
Result<std::unique_ptr<JetStreamLog>> OpenJetStreamLog(const JetStreamLogOptions& options);

// Disaster recovery: publishes every record of `source` (say a restored backup) into the stream,
// which must be empty, in groups of up to max_group_size records, with the same positions, hashes
// and chain. Idempotency keys are not carried over (they only deduplicate retries of recent
// requests). Nodes then build their index from the stream.
Status SeedJetStream(const JetStreamLogOptions& options, Log& source, const ProgressFn& progress);

// Parses "nats://h1:4222,nats://h2:4222" (or "h1:4222,h2:4222") into server URLs.
std::vector<std::string> ParseNatsServers(const std::string& list);

}  // namespace casetrail::storage
