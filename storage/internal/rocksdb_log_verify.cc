// RocksLog's integrity walk and the public factory and test hooks of storage/rocksdb_log.h.
#include "storage/internal/codec.h"
#include "storage/internal/rocks_util.h"
#include "storage/internal/rocksdb_log.h"
#include "storage/internal/verifier.h"

namespace casetrail::storage::internal {

class RocksChainSource final : public ChainSource {
 public:
  explicit RocksChainSource(RocksLog* log) : log_(log) {}

  Status ForEachRecord(const std::function<bool(Position, std::string_view)>& fn) override {
    rocksdb::ReadOptions ro;
    ro.readahead_size = 2 << 20;
    ro.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(log_->db_->NewIterator(ro, log_->cfs_[RocksLog::kLog]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (it->key().size() != 8) return DataLoss("corrupt log key");
      if (!fn(Position(GetBigEndian64(it->key().ToStringView())), it->value().ToStringView())) break;
    }
    return FromRocks(it->status(), "verify: scan log");
  }

  Result<uint64_t> IndexLookup(const StreamId& stream, StreamVersion version) override {
    std::string v;
    auto s = log_->db_->Get(rocksdb::ReadOptions(), log_->cfs_[RocksLog::kStreamIndex],
                            StreamIndexKey(stream, version), &v);
    if (s.IsNotFound() || v.size() != 8) return uint64_t{0};
    CT_RETURN_IF_ERROR(FromRocks(s, "verify: read stream index"));
    return GetBigEndian64(v);
  }

  Status ForEachIndexEntry(const std::function<void(std::string_view, uint64_t, uint64_t)>& fn) override {
    std::unique_ptr<rocksdb::Iterator> it(
        log_->db_->NewIterator(rocksdb::ReadOptions(), log_->cfs_[RocksLog::kStreamIndex]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string_view k = it->key().ToStringView(), v = it->value().ToStringView();
      if (k.size() < 9 || v.size() != 8) return DataLoss("corrupt stream index entry");
      fn(k.substr(0, k.size() - 9), GetBigEndian64(k.substr(k.size() - 8)), GetBigEndian64(v));
    }
    return FromRocks(it->status(), "verify: scan stream index");
  }

  Status ForEachStreamHead(const std::function<void(std::string_view, uint64_t)>& fn) override {
    std::unique_ptr<rocksdb::Iterator> it(
        log_->db_->NewIterator(rocksdb::ReadOptions(), log_->cfs_[RocksLog::kStreamMeta]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (it->value().size() != 8) return DataLoss("corrupt stream metadata");
      fn(it->key().ToStringView(), GetBigEndian64(it->value().ToStringView()));
    }
    return FromRocks(it->status(), "verify: scan stream metadata");
  }

  Result<std::vector<Checkpoint>> Checkpoints() override {
    std::vector<Checkpoint> out;
    std::unique_ptr<rocksdb::Iterator> it(
        log_->db_->NewIterator(rocksdb::ReadOptions(), log_->cfs_[RocksLog::kCheckpoints]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      Checkpoint c;
      Position p(it->key().size() == 8 ? GetBigEndian64(it->key().ToStringView()) : 0);
      if (!DecodeCheckpointValue(p, it->value().ToStringView(), &c)) return DataLoss("corrupt checkpoint");
      out.push_back(c);
    }
    CT_RETURN_IF_ERROR(FromRocks(it->status(), "verify: scan checkpoints"));
    return out;
  }

  Result<std::string> RecordAt(Position position) override { return log_->RawValue(position); }

 private:
  RocksLog* log_;
};

Result<VerifyReport> RocksLog::Verify(const ProgressFn& progress) {
  RocksChainSource source(this);
  return VerifyChain(source, GetHead(), signer_, progress);
}

Result<VerifyReport> RocksLog::VerifyRecords(const std::vector<Position>& positions) {
  RocksChainSource source(this);
  return VerifyLinks(source, GetHead(), signer_, positions);
}

}  // namespace casetrail::storage::internal

namespace casetrail::storage {

Result<std::unique_ptr<Log>> OpenRocksLog(const LogOptions& options) {
  CT_ASSIGN_OR_RETURN(auto log, internal::RocksLog::Open(options));
  return std::unique_ptr<Log>(std::move(log));
}

Result<std::string> TEST_ReadStoredValue(Log& log, Position position) {
  auto* rocks = dynamic_cast<internal::RocksLog*>(&log);
  if (!rocks) return InvalidArgument("not a RocksDB log");
  return rocks->RawValue(position);
}

Status TEST_OverwriteStoredValue(Log& log, Position position, const std::string& value) {
  auto* rocks = dynamic_cast<internal::RocksLog*>(&log);
  if (!rocks) return InvalidArgument("not a RocksDB log");
  return rocks->OverwriteRawValue(position, value);
}

}  // namespace casetrail::storage
