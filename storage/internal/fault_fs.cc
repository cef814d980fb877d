#include "storage/internal/fault_fs.h"

namespace casetrail::storage::internal {
namespace {

bool IsWal(const std::string& fname) {
  return fname.size() > 4 && fname.compare(fname.size() - 4, 4, ".log") == 0;
}

class FaultyWritableFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultyWritableFile(std::unique_ptr<rocksdb::FSWritableFile> f, std::shared_ptr<SyncFaults> faults)
      : FSWritableFileOwnerWrapper(std::move(f)), faults_(std::move(faults)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           rocksdb::IODebugContext* d) override {
    if (faults_->fail_wal) return rocksdb::IOStatus::IOError("injected WAL append failure");
    return FSWritableFileOwnerWrapper::Append(data, o, d);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           const rocksdb::DataVerificationInfo& v, rocksdb::IODebugContext* d) override {
    if (faults_->fail_wal) return rocksdb::IOStatus::IOError("injected WAL append failure");
    return FSWritableFileOwnerWrapper::Append(data, o, v, d);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
    if (faults_->fail_wal) return rocksdb::IOStatus::IOError("injected sync failure");
    return FSWritableFileOwnerWrapper::Sync(o, d);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
    if (faults_->fail_wal) return rocksdb::IOStatus::IOError("injected sync failure");
    return FSWritableFileOwnerWrapper::Fsync(o, d);
  }

 private:
  std::shared_ptr<SyncFaults> faults_;
};

class FaultInjectingFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  FaultInjectingFileSystem(std::shared_ptr<SyncFaults> faults, std::shared_ptr<rocksdb::FileSystem> base)
      : FileSystemWrapper(std::move(base)), faults_(std::move(faults)) {}
  const char* Name() const override { return "FaultInjectingFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& opts,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    auto s = FileSystemWrapper::NewWritableFile(fname, opts, result, dbg);
    if (s.ok() && IsWal(fname)) *result = std::make_unique<FaultyWritableFile>(std::move(*result), faults_);
    return s;
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& fname, const std::string& old_fname,
                                      const rocksdb::FileOptions& opts,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override {
    auto s = FileSystemWrapper::ReuseWritableFile(fname, old_fname, opts, result, dbg);
    if (s.ok() && IsWal(fname)) *result = std::make_unique<FaultyWritableFile>(std::move(*result), faults_);
    return s;
  }

 private:
  std::shared_ptr<SyncFaults> faults_;
};

}  // namespace

std::shared_ptr<rocksdb::FileSystem> NewFaultInjectingFileSystem(std::shared_ptr<SyncFaults> faults,
                                                                std::shared_ptr<rocksdb::FileSystem> base) {
  return std::make_shared<FaultInjectingFileSystem>(std::move(faults), std::move(base));
}

}  // namespace casetrail::storage::internal
