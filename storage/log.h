// Log: the append-only event log. Bytes in, bytes out: the log knows streams, versions, positions,
// idempotency keys and the hash chain, but nothing of event schemas, workflows or JSON.
//
// Every committed event has a global Position (1, 2, 3, … without gaps) and a StreamVersion
// (1, 2, 3, … within its stream). Each stored record is chained to the one before it:
//   hash = BLAKE2b-256(prev_hash ‖ u64be position ‖ record bytes)
// (docs/formats/storage.md). Implementations: OpenRocksLog (storage/rocksdb_log.h) and NewMemLog
// (storage/mem_log.h, an in-memory fake for tests).
//
// All methods are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/base/ids.h"
#include "storage/base/result.h"
#include "storage/base/status.h"

namespace casetrail::storage {

using Hash = std::array<uint8_t, 32>;

// What the appender believes a stream's version is.
struct ExpectedVersion {
  enum class Kind { kAny, kNoStream, kExact };
  Kind kind = Kind::kAny;
  StreamVersion version{0};

  static ExpectedVersion Any() { return {}; }
  static ExpectedVersion NoStream() { return {Kind::kNoStream, StreamVersion(0)}; }
  // Exact(0) is the same as NoStream().
  static ExpectedVersion Exact(uint64_t v) { return {Kind::kExact, StreamVersion(v)}; }
};

struct EventToAppend {
  std::string type;  // non-empty, e.g. "ReferralSubmitted"
  std::string data;  // opaque bytes, owned by the layer above
};

struct StreamWrite {
  StreamId stream;
  ExpectedVersion expected;
  std::vector<EventToAppend> events;  // at least one
};

// A read-only precondition: `stream` is still exactly at `version` (0: has no events).
struct StreamCondition {
  StreamId stream;
  StreamVersion version;
};

// One atomic append: every write lands, or none does.
struct AppendRequest {
  std::vector<StreamWrite> writes;  // at least one; each stream at most once
  std::vector<StreamCondition> conditions;
  // Empty: no idempotency. Otherwise a repeat with the same key and fingerprint returns the first
  // append's result and writes nothing; the same key with another fingerprint fails kAlreadyExists.
  // The fingerprint is chosen by the caller (a keyed hash of the request body, never the body).
  std::string idempotency_key;
  std::string idempotency_fingerprint;
  // true: Append returns after an fsync that covers these records (the default; every record a
  // client is told was committed). false: the records are written (they survive a crash of the
  // process) but force no fsync of their own: they become durable with the next synced append, or
  // at the latest after the log's deferred-sync bound (LogOptions), and a power cut before then
  // may drop them. Only the tail can go: the write-ahead log is sequential, so a later sync covers
  // every earlier record and the chain stays whole. For records no one was promised, such as a
  // refused command's record, so a client cannot force fsyncs by sending refusals.
  bool sync = true;
};

struct AppendResult {
  Position first_position{0};
  Position last_position{0};
  std::vector<StreamVersion> stream_versions;  // per write: the stream's version after the append
  bool deduplicated = false;                   // true when an idempotent repeat returned this
};

struct RecordedEvent {
  Position position{0};
  StreamId stream;
  StreamVersion version{0};
  std::string type;
  std::string data;
  Hash prev_hash{};
  Hash hash{};
};

struct Head {
  Position position{0};
  Hash hash{};  // all zero for the empty log
};

enum class Direction { kForward, kBackward };

struct Snapshot {
  StreamVersion version{0};
  std::string data;
};

// A signed statement "the chain up to `position` ends in `hash`".
struct Checkpoint {
  Position position{0};
  Hash hash{};
  std::array<uint8_t, 64> signature{};  // Ed25519 over "ckpt-v1" ‖ u64be position ‖ hash
  std::array<uint8_t, 32> public_key{};
};

struct VerifyReport {
  bool ok = true;
  uint64_t events = 0;
  Head head;
  std::optional<Position> first_bad_position;  // set when !ok
  std::string problem;                          // what is wrong there (no record contents)
};

// Counters since open, for metrics and tests of group commit.
struct LogStats {
  uint64_t appends = 0;       // requests committed (not counting refused or deduplicated ones)
  uint64_t synced_writes = 0; // synced write groups; appends / synced_writes = mean group size
  uint64_t unsynced_writes = 0;  // write groups of only sync=false requests (no fsync of their own)
  uint64_t deferred_syncs = 0;   // fsyncs the deferred-sync bound forced (no synced append came)
  uint64_t events = 0;        // events committed

  // Append latency (queueing + synced commit), cumulative histogram buckets as Prometheus has them.
  static constexpr std::array<double, 8> kLatencyBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.1};
  std::array<uint64_t, 8> append_latency_buckets{};
  double append_latency_sum_seconds = 0;
  uint64_t append_latency_count = 0;
  // Requests per synced write group.
  static constexpr std::array<double, 8> kGroupBounds = {1, 2, 4, 8, 16, 32, 64, 128};
  std::array<uint64_t, 8> group_size_buckets{};
  uint64_t group_size_sum = 0;

  void ObserveAppend(double seconds) {
    append_latency_sum_seconds += seconds;
    append_latency_count++;
    for (size_t i = 0; i < kLatencyBounds.size(); ++i) append_latency_buckets[i] += seconds <= kLatencyBounds[i];
  }
  void ObserveGroup(uint64_t size) {
    group_size_sum += size;
    for (size_t i = 0; i < kGroupBounds.size(); ++i) group_size_buckets[i] += size <= kGroupBounds[i];
  }
};

// Called with (records checked, records in the log) during long work.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

// A running catch-up subscription. Destroying it stops delivery; the handler is not called after
// the destructor returns.
// How a subscription is doing: a read that fails is retried with back-off (the subscription
// never stops on its own), and the failure stays visible here until a read succeeds again.
struct SubscriptionHealth {
  uint64_t delivered = 0;   // position of the last event handed to the handler
  uint64_t failures = 0;    // failed reads since the last successful one
  std::string last_error;   // of the latest failed read; empty once a read succeeds
};

class Subscription {
 public:
  virtual ~Subscription() = default;
  virtual SubscriptionHealth Health() const = 0;
};

// Receives events in position order, each exactly once, on the subscription's own thread.
using EventHandler = std::function<void(const RecordedEvent&)>;

class Log {
 public:
  virtual ~Log() = default;

  // Appends atomically and returns once the append is durable (synced). Errors:
  //   kInvalidArgument   malformed request (empty stream id, no events, a stream twice, …)
  //   kAborted           an expected version or condition does not hold ("stream",
  //                      "current_version" in the context): reload and decide again
  //   kAlreadyExists     idempotency key reused with another fingerprint
  //   kUnavailable       the store cannot write (closed, or a failed sync: sticky until reopen)
  virtual Result<AppendResult> Append(const AppendRequest& request) = 0;

  // Up to `max_count` events of `stream`, starting at version `from` (inclusive) and going in
  // `direction`. A missing stream yields an empty vector. For kBackward, from = 0 means "the end".
  virtual Result<std::vector<RecordedEvent>> ReadStream(const StreamId& stream, StreamVersion from,
                                                        Direction direction,
                                                        size_t max_count) = 0;

  // Up to `max_count` events of the global log from position `from` (inclusive).
  virtual Result<std::vector<RecordedEvent>> ReadAll(Position from, size_t max_count) = 0;

  // The first result of an idempotent append under `key`, if one committed. kAlreadyExists if it
  // committed with another fingerprint.
  virtual Result<std::optional<AppendResult>> LookupIdempotency(const std::string& key,
                                                                const std::string& fingerprint) = 0;

  // The stream's current version; 0 when it has no events.
  virtual Result<StreamVersion> CurrentVersion(const StreamId& stream) = 0;

  // The last committed position and its hash.
  virtual Head GetHead() = 0;

  // Delivers every event from `from` onwards: first the history, then live appends as they commit,
  // without gaps or duplicates.
  virtual std::unique_ptr<Subscription> Subscribe(Position from, EventHandler handler) = 0;

  // Snapshots: opaque state of a stream as of a version, kept beside the log. Not chained.
  virtual Status PutSnapshot(const StreamId& stream, StreamVersion version, std::string data) = 0;
  // The snapshot with the highest version <= `at_most`, if any.
  virtual Result<std::optional<Snapshot>> LatestSnapshot(const StreamId& stream,
                                                         StreamVersion at_most) = 0;

  // Writes a signed checkpoint at the current head (no-op on an empty log or if one exists there).
  virtual Status WriteCheckpoint() = 0;
  virtual Result<std::optional<Checkpoint>> LatestCheckpoint() = 0;

  // Walks the whole chain, the stream index and the checkpoints. A broken store is reported in
  // the VerifyReport (ok = false), not as an error Status; errors mean the walk itself failed.
  virtual Result<VerifyReport> Verify(const ProgressFn& progress) = 0;

  // Checks only the records at `positions` (say, one case's events), in time proportional to
  // them: each record's own hash, its links to the records before and after it (or to the head),
  // its stream index entry, and the signature of the latest checkpoint and its agreement with the
  // chain. A record changed in place, or rehashed without rewriting the rest of the chain, is
  // caught; Verify walks everything. `events` in the report counts the records checked.
  virtual Result<VerifyReport> VerifyRecords(const std::vector<Position>& positions) = 0;

  // Copies a consistent image of the log into `dir` (which must not exist).
  virtual Status Backup(const std::string& dir) = 0;

  virtual LogStats Stats() = 0;
};

}  // namespace casetrail::storage
