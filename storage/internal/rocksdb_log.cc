#include "storage/internal/rocksdb_log.h"

#include <chrono>
#include <rocksdb/convenience.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <optional>

#include "storage/internal/codec.h"
#include "storage/internal/fault_fs.h"
#include "storage/internal/rocks_util.h"
#include "storage/internal/verifier.h"

namespace casetrail::storage::internal {
namespace {

constexpr const char* kCfNames[] = {"default", "log", "stream_index",
                                    "stream_meta", "snapshots", "idempotency", "checkpoints",
                                    "timers", "projections"};
constexpr const char* kHeadKey = "head";

std::string EncodeHead(const Head& h) {
  std::string v;
  PutBigEndian64(&v, h.position.value());
  v.append(reinterpret_cast<const char*>(h.hash.data()), 32);
  return v;
}

std::optional<Head> DecodeHead(std::string_view v) {
  if (v.size() != 40) return std::nullopt;
  Head h;
  h.position = Position(GetBigEndian64(v));
  std::memcpy(h.hash.data(), v.data() + 8, 32);
  return h;
}

// The head must name the last stored record and its hash. A head that cannot be decoded, is
// missing while records exist, or disagrees with the last record would make the next append
// overwrite a stored position: the log refuses to open instead (kDataLoss, "corruption: …").
Status CheckHead(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log_cf, const std::optional<std::string>& head_value,
                 Head* head) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), log_cf));
  it->SeekToLast();
  CT_RETURN_IF_ERROR(FromRocks(it->status(), "read last record"));
  uint64_t last = 0;
  Hash last_hash{};
  if (it->Valid()) {
    if (it->key().size() != 8) return DataLoss("corruption: a log key is not a position");
    last = GetBigEndian64(it->key().ToStringView());
    auto value = it->value().ToStringView();
    if (value.size() < 64) return DataLoss("corruption: the record at position " + std::to_string(last) + " is truncated");
    std::memcpy(last_hash.data(), value.data() + 32, 32);  // prev_hash ‖ hash ‖ record
  }
  if (!head_value) {
    if (last != 0) return DataLoss("corruption: the head is missing but records are stored up to position " + std::to_string(last));
    return Status::Ok();
  }
  auto decoded = DecodeHead(*head_value);
  if (!decoded) {
    return DataLoss("corruption: the head cannot be decoded (" + std::to_string(head_value->size()) +
                    " bytes); the last stored record is at position " + std::to_string(last));
  }
  if (decoded->position.value() != last) {
    return DataLoss("corruption: the head names position " + std::to_string(decoded->position.value()) +
                    " but the last stored record is at position " + std::to_string(last));
  }
  if (last != 0 && decoded->hash != last_hash) {
    return DataLoss("corruption: the head's hash differs from the record at position " + std::to_string(last));
  }
  *head = *decoded;
  return Status::Ok();
}

bool HasPrefix(const rocksdb::Slice& key, const std::string& prefix) {
  return key.size() == prefix.size() + 8 && std::memcmp(key.data(), prefix.data(), prefix.size()) == 0;
}

}  // namespace

Result<std::unique_ptr<RocksLog>> RocksLog::Open(const LogOptions& options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 5;
  std::shared_ptr<rocksdb::Env> env;
  std::shared_ptr<rocksdb::FileSystem> fs = options.TEST_file_system;
  if (options.TEST_sync_faults) {
    fs = NewFaultInjectingFileSystem(options.TEST_sync_faults, fs ? fs : rocksdb::FileSystem::Default());
  }
  if (fs) {
    env = rocksdb::NewCompositeEnv(fs);
    db_options.env = env.get();
  }
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  // Stream reads are point lookups by position, spread over many files: a Bloom filter lets each
  // lookup skip the files that cannot hold its key.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.data_block_index_type = rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Fresh data (memtable flushes, L0) is compressed fast with LZ4; L1 and below, where almost all
  // of the log ends up, with ZSTD, which takes the repeated envelope texts (workflow, roles, legal
  // bases, fact names) much further, and decompresses fast enough for a replay. Options apply to the SSTs written from now on: every
  // SST names its own compression, so a store written under Snappy reads as before and is
  // recompressed as compaction rewrites it. Where the library lacks ZSTD or LZ4, Snappy stays.
  const auto supported = rocksdb::GetSupportedCompressions();
  auto has = [&](rocksdb::CompressionType t) { return std::find(supported.begin(), supported.end(), t) != supported.end(); };
  if (has(rocksdb::kZSTD) && has(rocksdb::kLZ4Compression)) {
    cf_options.compression_per_level = {rocksdb::kLZ4Compression, rocksdb::kZSTD};
    cf_options.bottommost_compression = rocksdb::kZSTD;
  }

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const char* name : kCfNames) descriptors.emplace_back(name, cf_options);
  std::error_code ec;
  std::filesystem::create_directories(options.path, ec);
  rocksdb::DB* raw = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs;
  CT_RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(db_options, options.path, descriptors, &cfs, &raw), "open log"));

  std::string head_value;
  Head head;
  auto s = raw->Get(rocksdb::ReadOptions(), cfs[kMeta], kHeadKey, &head_value);
  Status checked = s.ok() || s.IsNotFound()
                       ? CheckHead(raw, cfs[kLog], s.ok() ? std::optional<std::string>(head_value) : std::nullopt, &head)
                       : FromRocks(s, "read head");
  if (!checked.ok()) {
    for (auto* cf : cfs) raw->DestroyColumnFamilyHandle(cf);
    delete raw;
    return checked;
  }
  auto log = std::unique_ptr<RocksLog>(new RocksLog(options, raw, std::move(cfs), head, std::move(env)));
  auto latest = log->LatestCheckpoint();
  if (latest.ok() && *latest) log->last_checkpoint_ = (*latest)->position.value();
  return log;
}

RocksLog::RocksLog(const LogOptions& options, rocksdb::DB* db,
                   std::vector<rocksdb::ColumnFamilyHandle*> cfs, Head head,
                   std::shared_ptr<rocksdb::Env> env)
    : options_(options), env_(std::move(env)), db_(db), cfs_(std::move(cfs)),
      signer_(options.signing_seed), head_(head) {
  notifier_->Publish(head.position);
  writer_ = std::thread([this] { WriterLoop(); });
}

RocksLog::~RocksLog() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  writer_.join();
  if (sticky_.ok()) WriteCheckpoint().IgnoreError();  // best effort: Verify does not need it
  // Flushing the memtables at a clean close spares the next open a replay of the whole WAL (tens
  // of MiB that it would otherwise re-insert into memtables before serving anything).
  if (sticky_.ok()) db_->Flush(rocksdb::FlushOptions(), cfs_).PermitUncheckedError();
  for (auto* cf : cfs_) db_->DestroyColumnFamilyHandle(cf);
  db_->Close().PermitUncheckedError();
}

// ---- writing ---------------------------------------------------------------------------------

Result<AppendResult> RocksLog::Append(const AppendRequest& request) {
  CT_RETURN_IF_ERROR(ValidateRequest(request));
  Pending pending{&request, {}};
  auto future = pending.done.get_future();
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_) return Unavailable("log is closed");
    queue_.push_back(&pending);
  }
  queue_cv_.notify_one();
  const auto start = std::chrono::steady_clock::now();
  Result<AppendResult> result = future.get();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (result.ok()) {
    std::lock_guard lock(head_mu_);
    stats_.ObserveAppend(seconds);
  }
  return result;
}

void RocksLog::WriterLoop() {
  std::vector<Pending*> group;
  for (;;) {
    bool deferred_due = false;
    {
      std::unique_lock lock(queue_mu_);
      auto ready = [this] { return stopping_ || !queue_.empty(); };
      if (unsynced_appends_ == 0) {
        queue_cv_.wait(lock, ready);
      } else {
        // Unsynced records wait for a synced group to carry them, but not longer than the bound.
        deferred_due = !queue_cv_.wait_until(lock, unsynced_since_ + options_.deferred_sync_interval, ready);
      }
      if (!deferred_due && queue_.empty()) {  // stopping, and everything queued was answered
        lock.unlock();
        SyncDeferred();
        return;
      }
      while (!queue_.empty() && group.size() < options_.max_group_size) {
        group.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    if (deferred_due) {
      SyncDeferred();
      continue;
    }
    CommitGroup(group);
    group.clear();
  }
}

void RocksLog::SyncDeferred() {
  if (unsynced_appends_ == 0 || !sticky_.ok()) return;
  unsynced_appends_ = 0;
  Status s = FromRocks(db_->SyncWAL(), "sync deferred appends");
  if (!s.ok()) {
    sticky_ = Unavailable("the log cannot write: " + std::string(s.message()));
    return;
  }
  std::lock_guard lock(head_mu_);
  stats_.deferred_syncs++;
}

void RocksLog::CommitGroup(std::vector<Pending*>& group) {
  if (!sticky_.ok()) {
    for (auto* p : group) p->done.set_value(sticky_);
    return;
  }
  Head before = GetHead();
  AppendPlanner planner(this, before);
  std::vector<std::optional<Result<AppendResult>>> results;
  results.reserve(group.size());
  for (auto* p : group) results.emplace_back(planner.Plan(*p->request));
  const GroupPlan& plan = planner.plan();

  if (!plan.records.empty()) {
    rocksdb::WriteBatch batch;
    PutPlan(plan, &batch);
    batch.Put(cfs_[kMeta], kHeadKey, EncodeHead(plan.head));
    const uint64_t interval = options_.checkpoint_interval;
    const bool checkpoint = interval > 0 && plan.head.position.value() / interval > before.position.value() / interval;
    if (checkpoint) {
      Checkpoint c = signer_.Sign(plan.head.position, plan.head.hash);
      batch.Put(cfs_[kCheckpoints], PositionKey(c.position), EncodeCheckpointValue(c));
    }
    // One request that needs a sync syncs the group, and with it every earlier unsynced record.
    size_t deferred = 0;
    for (auto* p : group) deferred += !p->request->sync;
    const bool sync = deferred < group.size() || unsynced_appends_ + deferred >= options_.max_deferred_appends;
    rocksdb::WriteOptions wo;
    wo.sync = sync;
    Status s = FromRocks(db_->Write(wo, &batch), "append");
    if (!s.ok()) {
      // The WAL's state is unknown: refuse every later write until reopen.
      sticky_ = Unavailable("the log cannot write: " + std::string(s.message()));
      for (auto& r : results) {
        if (r->ok()) *r = sticky_;
      }
    } else {
      std::lock_guard lock(head_mu_);
      head_ = plan.head;
      if (checkpoint) last_checkpoint_ = plan.head.position.value();
      if (sync) {
        unsynced_appends_ = 0;
        stats_.synced_writes++;
        stats_.ObserveGroup(group.size());
      } else {
        if (unsynced_appends_ == 0) unsynced_since_ = std::chrono::steady_clock::now();
        unsynced_appends_ += deferred;
        stats_.unsynced_writes++;
      }
      stats_.events += plan.records.size();
      for (auto& r : results) {
        if (r->ok() && !(*r)->deduplicated) stats_.appends++;
      }
    }
    if (s.ok()) notifier_->Publish(plan.head.position);
  }
  for (size_t i = 0; i < group.size(); ++i) group[i]->done.set_value(std::move(*results[i]));
}

// The records, stream index, stream versions and idempotency entries of a planned group: the same
// for a group this node commits and one it applies from a replicated log.
void RocksLog::PutPlan(const GroupPlan& plan, rocksdb::WriteBatch* batch) {
  for (const auto& r : plan.records) {
    batch->Put(cfs_[kLog], PositionKey(r.position), r.value);
    batch->Put(cfs_[kStreamIndex], StreamIndexKey(r.stream, r.version), PositionKey(r.position));
  }
  for (const auto& [stream, version] : plan.stream_versions) {
    batch->Put(cfs_[kStreamMeta], stream, PositionKey(Position(version)));
  }
  for (const auto& [key, value] : plan.idempotency) batch->Put(cfs_[kIdempotency], key, value);
}

Status RocksLog::ApplyPlan(const GroupPlan& plan, const std::vector<std::pair<std::string, std::string>>& meta,
                          bool sync) {
  Head before = GetHead();
  rocksdb::WriteBatch batch;
  PutPlan(plan, &batch);
  for (const auto& [key, value] : meta) batch.Put(cfs_[kMeta], key, value);
  const bool advances = plan.head.position.value() > before.position.value();
  if (advances) batch.Put(cfs_[kMeta], kHeadKey, EncodeHead(plan.head));
  const uint64_t interval = options_.checkpoint_interval;
  const bool checkpoint = advances && interval > 0 &&
                          plan.head.position.value() / interval > before.position.value() / interval;
  if (checkpoint) {
    Checkpoint c = signer_.Sign(plan.head.position, plan.head.hash);
    batch.Put(cfs_[kCheckpoints], PositionKey(c.position), EncodeCheckpointValue(c));
  }
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  CT_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &batch), "apply group"));
  if (!advances) return Status::Ok();
  {
    std::lock_guard lock(head_mu_);
    head_ = plan.head;
    if (checkpoint) last_checkpoint_ = plan.head.position.value();
    stats_.events += plan.records.size();
  }
  notifier_->Publish(plan.head.position);
  return Status::Ok();
}

Result<std::optional<std::string>> RocksLog::ReadMeta(const std::string& key) {
  std::string v;
  auto s = db_->Get(rocksdb::ReadOptions(), cfs_[kMeta], key, &v);
  if (s.IsNotFound()) return std::optional<std::string>();
  CT_RETURN_IF_ERROR(FromRocks(s, "read meta"));
  return std::optional<std::string>(std::move(v));
}

Result<StreamVersion> RocksLog::StreamVersionOf(const StreamId& stream) {
  std::string v;
  auto s = db_->Get(rocksdb::ReadOptions(), cfs_[kStreamMeta], stream.value(), &v);
  if (s.IsNotFound()) return StreamVersion(0);
  CT_RETURN_IF_ERROR(FromRocks(s, "read stream version"));
  if (v.size() != 8) return DataLoss("corrupt stream metadata");
  return StreamVersion(GetBigEndian64(v));
}

Result<std::optional<IdempotencyRecord>> RocksLog::FindIdempotency(const std::string& key) {
  std::string v;
  auto s = db_->Get(rocksdb::ReadOptions(), cfs_[kIdempotency], key, &v);
  if (s.IsNotFound()) return std::optional<IdempotencyRecord>();
  CT_RETURN_IF_ERROR(FromRocks(s, "read idempotency key"));
  CT_ASSIGN_OR_RETURN(auto rec, DecodeIdempotency(v));
  return std::optional<IdempotencyRecord>(std::move(rec));
}

// ---- reading ---------------------------------------------------------------------------------

Result<StreamVersion> RocksLog::CurrentVersion(const StreamId& stream) {
  CT_RETURN_IF_ERROR(ValidateStreamId(stream));
  return StreamVersionOf(stream);
}

LogStats RocksLog::Stats() {
  std::lock_guard lock(head_mu_);
  return stats_;
}

Head RocksLog::GetHead() {
  std::lock_guard lock(head_mu_);
  return head_;
}

Result<std::vector<RecordedEvent>> RocksLog::ReadPositions(const std::vector<uint64_t>& positions) {
  std::vector<std::string> keys;
  keys.reserve(positions.size());
  for (uint64_t p : positions) keys.push_back(PositionKey(Position(p)));
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(rocksdb::ReadOptions(), cfs_[kLog], keys.size(), slices.data(), values.data(),
                statuses.data());
  std::vector<RecordedEvent> out;
  out.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    CT_RETURN_IF_ERROR(FromRocks(statuses[i], "read record"));
    CT_ASSIGN_OR_RETURN(auto ev, DecodeStoredValue(Position(positions[i]), values[i].ToStringView()));
    out.push_back(std::move(ev));
  }
  return out;
}

Result<std::vector<RecordedEvent>> RocksLog::ReadStream(const StreamId& stream, StreamVersion from,
                                                        Direction direction, size_t max_count) {
  CT_RETURN_IF_ERROR(ValidateStreamId(stream));
  const std::string prefix = StreamIndexPrefix(stream);
  std::vector<uint64_t> positions;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kStreamIndex]));
  if (direction == Direction::kForward) {
    for (it->Seek(StreamIndexKey(stream, from)); it->Valid() && positions.size() < max_count; it->Next()) {
      if (!HasPrefix(it->key(), prefix)) break;
      positions.push_back(GetBigEndian64(it->value().ToStringView()));
    }
  } else {
    uint64_t start = from.value() == 0 ? UINT64_MAX : from.value();
    for (it->SeekForPrev(StreamIndexKey(stream, StreamVersion(start)));
         it->Valid() && positions.size() < max_count; it->Prev()) {
      if (!HasPrefix(it->key(), prefix)) break;
      positions.push_back(GetBigEndian64(it->value().ToStringView()));
    }
  }
  CT_RETURN_IF_ERROR(FromRocks(it->status(), "read stream index"));
  return ReadPositions(positions);
}

Result<std::vector<RecordedEvent>> RocksLog::ReadAll(Position from, size_t max_count) {
  rocksdb::ReadOptions ro;
  // Read ahead about as far as the batch reaches (records are some 300 bytes stored). Each call
  // opens a fresh iterator, so a window past the batch is read again by the next call: a fixed
  // 2 MiB made a subscription's 1024-record batches read every byte about seven times. A few
  // records are left to RocksDB's own readahead.
  ro.readahead_size = max_count < 32 ? 0 : std::min<size_t>(max_count * 384, 2 << 20);
  ro.fill_cache = false;  // a scan would evict the stream reads' working set
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cfs_[kLog]));
  std::vector<RecordedEvent> out;
  for (it->Seek(PositionKey(Position(from.value() == 0 ? 1 : from.value())));
       it->Valid() && out.size() < max_count; it->Next()) {
    Position p(GetBigEndian64(it->key().ToStringView()));
    CT_ASSIGN_OR_RETURN(auto ev, DecodeStoredValue(p, it->value().ToStringView()));
    out.push_back(std::move(ev));
  }
  CT_RETURN_IF_ERROR(FromRocks(it->status(), "scan log"));
  return out;
}

std::unique_ptr<Subscription> RocksLog::Subscribe(Position from, EventHandler handler) {
  return StartSubscription(this, notifier_, from, std::move(handler));
}

// ---- snapshots, checkpoints, backup ------------------------------------------------------------

Status RocksLog::PutSnapshot(const StreamId& stream, StreamVersion version, std::string data) {
  CT_RETURN_IF_ERROR(ValidateStreamId(stream));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->Put(wo, cfs_[kSnapshots], StreamIndexKey(stream, version), data), "write snapshot");
}

Result<std::optional<Snapshot>> RocksLog::LatestSnapshot(const StreamId& stream, StreamVersion at_most) {
  CT_RETURN_IF_ERROR(ValidateStreamId(stream));
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kSnapshots]));
  it->SeekForPrev(StreamIndexKey(stream, at_most));
  CT_RETURN_IF_ERROR(FromRocks(it->status(), "read snapshot"));
  if (!it->Valid() || !HasPrefix(it->key(), StreamIndexPrefix(stream))) return std::optional<Snapshot>();
  std::string_view key = it->key().ToStringView();
  return std::optional<Snapshot>(
      Snapshot{StreamVersion(GetBigEndian64(key.substr(key.size() - 8))), it->value().ToString()});
}

Status RocksLog::WriteCheckpoint() {
  std::lock_guard lock(head_mu_);
  if (head_.position.value() == 0 || last_checkpoint_ == head_.position.value()) return Status::Ok();
  Checkpoint c = signer_.Sign(head_.position, head_.hash);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  CT_RETURN_IF_ERROR(FromRocks(
      db_->Put(wo, cfs_[kCheckpoints], PositionKey(c.position), EncodeCheckpointValue(c)), "write checkpoint"));
  last_checkpoint_ = c.position.value();
  return Status::Ok();
}

Result<std::optional<Checkpoint>> RocksLog::LatestCheckpoint() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kCheckpoints]));
  it->SeekToLast();
  CT_RETURN_IF_ERROR(FromRocks(it->status(), "read checkpoint"));
  if (!it->Valid()) return std::optional<Checkpoint>();
  Checkpoint c;
  if (!DecodeCheckpointValue(Position(GetBigEndian64(it->key().ToStringView())), it->value().ToStringView(), &c)) {
    return DataLoss("corrupt checkpoint");
  }
  c.public_key = signer_.public_key();
  return std::optional<Checkpoint>(c);
}

Status RocksLog::Backup(const std::string& dir) {
  if (std::filesystem::exists(dir)) return AlreadyExists("backup directory already exists");
  rocksdb::Checkpoint* raw = nullptr;
  CT_RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw), "backup"));
  std::unique_ptr<rocksdb::Checkpoint> cp(raw);
  // log_size_for_flush = 0: flush first, so the image needs no WAL replay.
  return FromRocks(cp->CreateCheckpoint(dir, 0), "backup");
}

Result<std::string> RocksLog::RawValue(Position position) {
  std::string v;
  auto s = db_->Get(rocksdb::ReadOptions(), cfs_[kLog], PositionKey(position), &v);
  if (s.IsNotFound()) return std::string();
  CT_RETURN_IF_ERROR(FromRocks(s, "read record"));
  return v;
}

Status RocksLog::OverwriteRawValue(Position position, const std::string& value) {
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->Put(wo, cfs_[kLog], PositionKey(position), value), "overwrite record");
}

}  // namespace casetrail::storage::internal
