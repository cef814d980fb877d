#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <shared_mutex>

#include "storage/internal/rocks_util.h"
#include "storage/key_store.h"

namespace casetrail::storage::internal {
namespace {

// `env` is null for the real file system.
rocksdb::Options RocksOptions(rocksdb::Env* env) {
  rocksdb::Options options;
  if (env) options.env = env;
  options.create_if_missing = true;
  options.recycle_log_file_num = 0;  // a recycled WAL could keep a shredded key's bytes
  options.WAL_ttl_seconds = 0;       // no WAL archive: obsolete WALs are deleted at once
  options.WAL_size_limit_MB = 0;
  options.keep_log_file_num = 2;
  options.max_background_jobs = 1;
  // Stored as written: a byte search of the files (how the erasure tests prove a shredded key is
  // gone) must not be fooled by a compressed block. The store is small; compression buys nothing.
  options.compression = rocksdb::kNoCompression;
  options.bottommost_compression = rocksdb::kNoCompression;
  return options;
}

class RocksKeyStore final : public KeyStore {
 public:
  RocksKeyStore(std::string path, rocksdb::DB* db, std::shared_ptr<rocksdb::Env> env)
      : path_(std::move(path)), env_(std::move(env)), db_(db) {}
  ~RocksKeyStore() override {
    if (db_) db_->Close().PermitUncheckedError();
  }

  Status Put(const std::string& key, const std::string& value) override {
    std::shared_lock lock(mu_);
    CT_RETURN_IF_ERROR(Usable());
    rocksdb::WriteOptions wo;
    wo.sync = true;
    return FromRocks(db_->Put(wo, key, value), "key store put");
  }

  Status Write(const std::vector<std::pair<std::string, std::string>>& puts,
               const std::vector<std::string>& deletes) override {
    std::shared_lock lock(mu_);
    CT_RETURN_IF_ERROR(Usable());
    rocksdb::WriteBatch batch;
    for (const auto& k : deletes) CT_RETURN_IF_ERROR(FromRocks(batch.Delete(k), "key store batch"));
    for (const auto& [k, v] : puts) CT_RETURN_IF_ERROR(FromRocks(batch.Put(k, v), "key store batch"));
    rocksdb::WriteOptions wo;
    wo.sync = true;
    return FromRocks(db_->Write(wo, &batch), "key store put");
  }

  Status Delete(const std::string& key) override {
    std::shared_lock lock(mu_);
    CT_RETURN_IF_ERROR(Usable());
    rocksdb::WriteOptions wo;
    wo.sync = true;
    return FromRocks(db_->Delete(wo, key), "key store delete");
  }

  Result<std::vector<std::pair<std::string, std::string>>> List(const std::string& prefix) override {
    std::shared_lock lock(mu_);
    CT_RETURN_IF_ERROR(Usable());
    std::vector<std::pair<std::string, std::string>> out;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      out.emplace_back(it->key().ToString(), it->value().ToString());
    }
    CT_RETURN_IF_ERROR(FromRocks(it->status(), "key store list"));
    return out;
  }

  Result<std::string> Get(const std::string& key) override {
    std::shared_lock lock(mu_);
    CT_RETURN_IF_ERROR(Usable());
    std::string v;
    CT_RETURN_IF_ERROR(FromRocks(db_->Get(rocksdb::ReadOptions(), key, &v), "key store get"));
    return v;
  }

  Status Shred(const std::vector<std::string>& keys) override {
    std::unique_lock lock(mu_);
    CT_RETURN_IF_ERROR(Usable());
    rocksdb::WriteOptions wo;
    wo.sync = true;
    for (const auto& k : keys) CT_RETURN_IF_ERROR(FromRocks(db_->Delete(wo, k), "key store delete"));
    // Flush moves the memtable (and with it the WAL's contents) into an SST; the old WAL is then
    // deleted, not recycled. The forced bottommost compaction rewrites every SST without the
    // deleted entries and their tombstones, and the obsolete files are removed.
    rocksdb::FlushOptions fo;
    fo.wait = true;
    CT_RETURN_IF_ERROR(FromRocks(db_->Flush(fo), "key store flush"));
    rocksdb::CompactRangeOptions co;
    co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    CT_RETURN_IF_ERROR(FromRocks(db_->CompactRange(co, nullptr, nullptr), "key store compaction"));
    // The MANIFEST still lists the old SST files with their smallest and largest keys. Reopening
    // writes a fresh MANIFEST describing only live files and deletes the old one.
    CT_RETURN_IF_ERROR(FromRocks(db_->Close(), "key store close"));
    db_.reset();
    rocksdb::DB* raw = nullptr;
    CT_RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(RocksOptions(env_.get()), path_, &raw), "key store reopen"));
    db_.reset(raw);
    return Status::Ok();
  }

  Status Backup(const std::string& dir) override {
    std::shared_lock lock(mu_);
    CT_RETURN_IF_ERROR(Usable());
    if (std::filesystem::exists(dir)) return AlreadyExists("backup directory already exists");
    rocksdb::Checkpoint* raw = nullptr;
    CT_RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw), "key store backup"));
    std::unique_ptr<rocksdb::Checkpoint> cp(raw);
    return FromRocks(cp->CreateCheckpoint(dir, 0), "key store backup");
  }

 private:
  // Shred closes and reopens the database; if the reopen failed, db_ is gone and every call is
  // refused until the store is opened again (the server then answers 503, as for a failed sync).
  Status Usable() const {
    return db_ ? Status::Ok() : Unavailable("key store: the database could not be reopened; open the store again");
  }

  const std::string path_;
  std::shared_ptr<rocksdb::Env> env_;  // outlives db_ (test file systems only)
  std::shared_mutex mu_;  // Shred reopens db_ exclusively
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace
}  // namespace casetrail::storage::internal

namespace casetrail::storage {

Result<std::unique_ptr<KeyStore>> OpenKeyStore(const std::string& path, const KeyStoreOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  std::shared_ptr<rocksdb::Env> env;
  if (options.TEST_file_system) env = rocksdb::NewCompositeEnv(options.TEST_file_system);
  rocksdb::DB* raw = nullptr;
  CT_RETURN_IF_ERROR(
      internal::FromRocks(rocksdb::DB::Open(internal::RocksOptions(env.get()), path, &raw), "open key store"));
  return std::unique_ptr<KeyStore>(std::make_unique<internal::RocksKeyStore>(path, raw, std::move(env)));
}

Result<std::string> ReadKeyStoreEntry(const std::string& path, const std::string& key) {
  if (!std::filesystem::exists(path + "/CURRENT")) return NotFound("no key store");
  rocksdb::Options options = internal::RocksOptions(nullptr);
  options.create_if_missing = false;
  // Read-only: no lock taken, nothing written; it sees the store as of its opening, WAL included.
  rocksdb::DB* raw = nullptr;
  CT_RETURN_IF_ERROR(internal::FromRocks(rocksdb::DB::OpenForReadOnly(options, path, &raw), "open key store to read"));
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string v;
  Status s = internal::FromRocks(db->Get(rocksdb::ReadOptions(), key, &v), "key store get");
  db->Close().PermitUncheckedError();
  if (!s.ok()) return s;
  return v;
}

}  // namespace casetrail::storage
