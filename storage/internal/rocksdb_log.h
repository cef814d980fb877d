// RocksLog: the Log on RocksDB. See storage/rocksdb_log.h for the contract and
// docs/formats/storage.md for the column families and key layout.
#pragma once

#include <rocksdb/db.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "storage/internal/append_planner.h"
#include "storage/internal/signer.h"
#include "storage/internal/subscription.h"
#include "storage/rocksdb_log.h"

namespace casetrail::storage::internal {

class RocksLog final : public Log, private CommittedState {
 public:
  static Result<std::unique_ptr<RocksLog>> Open(const LogOptions& options);
  ~RocksLog() override;

  Result<AppendResult> Append(const AppendRequest& request) override;
  Result<std::vector<RecordedEvent>> ReadStream(const StreamId& stream, StreamVersion from,
                                                Direction direction, size_t max_count) override;
  Result<std::vector<RecordedEvent>> ReadAll(Position from, size_t max_count) override;
  Result<StreamVersion> CurrentVersion(const StreamId& stream) override;
  Result<std::optional<AppendResult>> LookupIdempotency(const std::string& key,
                                                        const std::string& fingerprint) override {
    return internal::LookupIdempotency(*this, key, fingerprint);
  }
  Head GetHead() override;
  std::unique_ptr<Subscription> Subscribe(Position from, EventHandler handler) override;
  Status PutSnapshot(const StreamId& stream, StreamVersion version, std::string data) override;
  Result<std::optional<Snapshot>> LatestSnapshot(const StreamId& stream, StreamVersion at_most) override;
  Status WriteCheckpoint() override;
  Result<std::optional<Checkpoint>> LatestCheckpoint() override;
  Result<VerifyReport> Verify(const ProgressFn& progress) override;
  Result<VerifyReport> VerifyRecords(const std::vector<Position>& positions) override;
  Status Backup(const std::string& dir) override;
  LogStats Stats() override;

  // For a log whose records are decided elsewhere (storage/jetstream/): writes one group planned
  // against this log's head, as CommitGroup would, plus `meta` pairs (e.g. the source's sequence)
  // in the same batch. The caller checked that the plan continues this log's chain. sync=false
  // for a copy whose source is elsewhere: a crash may lose a tail of batches, never part of one.
  Status ApplyPlan(const GroupPlan& plan, const std::vector<std::pair<std::string, std::string>>& meta,
                   bool sync = true);
  Result<std::optional<std::string>> ReadMeta(const std::string& key);

  // The committed state seen by an AppendPlanner (storage/jetstream/ plans against it).
  CommittedState* committed_state() { return this; }

  Result<std::string> RawValue(Position position);
  Status OverwriteRawValue(Position position, const std::string& value);

 private:
  enum Cf { kMeta, kLog, kStreamIndex, kStreamMeta, kSnapshots, kIdempotency, kCheckpoints, kTimers,
            kProjections, kCfCount };

  struct Pending {
    const AppendRequest* request;
    std::promise<Result<AppendResult>> done;
  };

  RocksLog(const LogOptions& options, rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*> cfs,
           Head head, std::shared_ptr<rocksdb::Env> env);

  Result<StreamVersion> StreamVersionOf(const StreamId& stream) override;
  Result<std::optional<IdempotencyRecord>> FindIdempotency(const std::string& key) override;

  void WriterLoop();
  void CommitGroup(std::vector<Pending*>& group);
  void PutPlan(const GroupPlan& plan, rocksdb::WriteBatch* batch);
  // Syncs what sync=false appends left unsynced (writer thread only).
  void SyncDeferred();
  Result<std::vector<RecordedEvent>> ReadPositions(const std::vector<uint64_t>& positions);

  friend class RocksChainSource;

  LogOptions options_;
  std::shared_ptr<rocksdb::Env> env_;  // outlives db_ (fault injection only)
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs_;
  CheckpointSigner signer_;
  std::shared_ptr<CommitNotifier> notifier_ = std::make_shared<CommitNotifier>();

  std::mutex head_mu_;
  Head head_;                       // guarded by head_mu_: the last committed head
  uint64_t last_checkpoint_ = 0;    // guarded by head_mu_
  LogStats stats_;                  // guarded by head_mu_

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Pending*> queue_;      // guarded by queue_mu_
  bool stopping_ = false;           // guarded by queue_mu_
  Status sticky_;                   // writer thread only
  // sync=false requests written since the last sync, and when the first of them was: writer only.
  size_t unsynced_appends_ = 0;
  std::chrono::steady_clock::time_point unsynced_since_{};
  std::thread writer_;
};

}  // namespace casetrail::storage::internal
