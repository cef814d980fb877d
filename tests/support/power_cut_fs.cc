#include "tests/support/power_cut_fs.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>

namespace casetrail::testing {
namespace {

namespace fs = std::filesystem;
using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;

std::string Normal(const std::string& path) { return fs::path(path).lexically_normal().string(); }
std::string DirOf(const std::string& path) { return fs::path(Normal(path)).parent_path().string(); }

IOStatus Dead() { return IOStatus::IOError("power cut"); }

std::optional<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// What the file system knows. One mutex: tests are small, and every operation it guards is short.
struct State {
  std::mutex mu;
  bool active = true;
  struct File {
    uint64_t written = 0;  // bytes appended so far
    uint64_t synced = 0;   // bytes a sync made durable
  };
  std::map<std::string, File> files;  // every file written through this file system
  // Per directory: files created (or renamed into place) since the directory's last sync, each
  // with the content the name had before (nullopt: the name did not exist).
  std::map<std::string, std::map<std::string, std::optional<std::string>>> fresh;

  bool Active() {
    std::lock_guard lock(mu);
    return active;
  }
};

class TrackedFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  TrackedFile(std::unique_ptr<rocksdb::FSWritableFile> f, std::shared_ptr<State> state, std::string name)
      : FSWritableFileOwnerWrapper(std::move(f)), state_(std::move(state)), name_(std::move(name)) {}

  IOStatus Append(const rocksdb::Slice& data, const IOOptions& o, IODebugContext* d) override {
    return Appended(data.size(), [&] { return FSWritableFileOwnerWrapper::Append(data, o, d); });
  }
  IOStatus Append(const rocksdb::Slice& data, const IOOptions& o, const rocksdb::DataVerificationInfo& v,
                  IODebugContext* d) override {
    return Appended(data.size(), [&] { return FSWritableFileOwnerWrapper::Append(data, o, v, d); });
  }
  IOStatus PositionedAppend(const rocksdb::Slice&, uint64_t, const IOOptions&, IODebugContext*) override {
    return IOStatus::NotSupported("positioned append");  // direct I/O only; the tests do not use it
  }
  IOStatus PositionedAppend(const rocksdb::Slice&, uint64_t, const IOOptions&, const rocksdb::DataVerificationInfo&,
                            IODebugContext*) override {
    return IOStatus::NotSupported("positioned append");
  }
  IOStatus Truncate(uint64_t size, const IOOptions& o, IODebugContext* d) override {
    std::lock_guard lock(state_->mu);
    if (!state_->active) return Dead();
    auto s = FSWritableFileOwnerWrapper::Truncate(size, o, d);
    if (s.ok()) {
      auto& f = state_->files[name_];
      f.written = size;
      f.synced = std::min(f.synced, size);
    }
    return s;
  }
  IOStatus Sync(const IOOptions& o, IODebugContext* d) override {
    return Synced([&] { return FSWritableFileOwnerWrapper::Sync(o, d); });
  }
  IOStatus Fsync(const IOOptions& o, IODebugContext* d) override {
    return Synced([&] { return FSWritableFileOwnerWrapper::Fsync(o, d); });
  }
  // sync_file_range makes no promise about durability: RangeSync syncs nothing here.
  IOStatus RangeSync(uint64_t, uint64_t, const IOOptions&, IODebugContext*) override {
    return state_->Active() ? IOStatus::OK() : Dead();
  }

 private:
  template <typename Op>
  IOStatus Appended(size_t n, Op op) {
    if (!state_->Active()) return Dead();
    auto s = op();
    if (s.ok()) {
      std::lock_guard lock(state_->mu);
      state_->files[name_].written += n;
    }
    return s;
  }
  template <typename Op>
  IOStatus Synced(Op op) {
    uint64_t written;
    {
      std::lock_guard lock(state_->mu);
      if (!state_->active) return Dead();
      written = state_->files[name_].written;  // what was appended before the sync began
    }
    auto s = op();
    if (s.ok()) {
      std::lock_guard lock(state_->mu);
      auto it = state_->files.find(name_);
      if (it != state_->files.end()) it->second.synced = std::max(it->second.synced, written);
    }
    return s;
  }

  std::shared_ptr<State> state_;
  std::string name_;
};

class TrackedDirectory final : public rocksdb::FSDirectoryWrapper {
 public:
  TrackedDirectory(std::unique_ptr<rocksdb::FSDirectory> d, std::shared_ptr<State> state, std::string name)
      : FSDirectoryWrapper(std::move(d)), state_(std::move(state)), name_(std::move(name)) {}

  IOStatus Fsync(const IOOptions& o, IODebugContext* d) override {
    return Synced([&] { return FSDirectoryWrapper::Fsync(o, d); });
  }
  IOStatus FsyncWithDirOptions(const IOOptions& o, IODebugContext* d,
                               const rocksdb::DirFsyncOptions& opts) override {
    return Synced([&] { return FSDirectoryWrapper::FsyncWithDirOptions(o, d, opts); });
  }

 private:
  template <typename Op>
  IOStatus Synced(Op op) {
    if (!state_->Active()) return Dead();
    auto s = op();
    if (s.ok()) {
      std::lock_guard lock(state_->mu);
      state_->fresh.erase(name_);
    }
    return s;
  }

  std::shared_ptr<State> state_;
  std::string name_;
};

class PowerCutFs final : public PowerCutFileSystem {
 public:
  PowerCutFs() : PowerCutFileSystem(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "PowerCutFileSystem"; }

  void Deactivate() override {
    std::lock_guard lock(state_->mu);
    state_->active = false;
  }

  void DeactivateAtNextLock() override { cut_at_lock_ = true; }

  IOStatus LockFile(const std::string& fname, const IOOptions& o, rocksdb::FileLock** lock,
                    IODebugContext* d) override {
    if (cut_at_lock_.exchange(false)) Deactivate();
    if (!state_->Active()) return Dead();
    return FileSystemWrapper::LockFile(fname, o, lock, d);
  }

  CutReport DropUnsynced(bool torn, uint64_t seed) override {
    std::lock_guard lock(state_->mu);
    std::mt19937_64 rng(seed);
    CutReport report;
    for (auto& [dir, names] : state_->fresh) {
      for (auto& [name, before] : names) {
        std::error_code ec;
        if (before) {
          std::ofstream(name, std::ios::binary | std::ios::trunc) << *before;
          state_->files[name] = {before->size(), before->size()};
          ++report.files_restored;
        } else {
          fs::remove(name, ec);
          state_->files.erase(name);
          ++report.files_removed;
        }
      }
    }
    state_->fresh.clear();
    for (auto& [name, f] : state_->files) {
      std::error_code ec;
      const uint64_t size = fs::file_size(name, ec);
      if (ec) continue;  // deleted since
      uint64_t keep = std::min(f.synced, size);
      if (torn && size > keep) keep += std::uniform_int_distribution<uint64_t>(0, size - keep)(rng);
      if (keep < size) {
        report.bytes_dropped += size - keep;
        fs::resize_file(name, keep, ec);
      }
      f = {keep, keep};
    }
    state_->active = true;
    return report;
  }

  IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& opts,
                           std::unique_ptr<rocksdb::FSWritableFile>* result, IODebugContext* dbg) override {
    std::lock_guard lock(state_->mu);
    if (!state_->active) return Dead();
    const std::string name = Normal(fname);
    std::optional<std::string> before = ReadWhole(name);
    auto s = FileSystemWrapper::NewWritableFile(fname, opts, result, dbg);
    if (!s.ok()) return s;
    Created(name, std::move(before));
    state_->files[name] = {};
    *result = std::make_unique<TrackedFile>(std::move(*result), state_, name);
    return s;
  }

  IOStatus ReopenWritableFile(const std::string& fname, const rocksdb::FileOptions& opts,
                              std::unique_ptr<rocksdb::FSWritableFile>* result, IODebugContext* dbg) override {
    std::lock_guard lock(state_->mu);
    if (!state_->active) return Dead();
    const std::string name = Normal(fname);
    const bool existed = fs::exists(name);
    auto s = FileSystemWrapper::ReopenWritableFile(fname, opts, result, dbg);
    if (!s.ok()) return s;
    if (!existed) Created(name, std::nullopt);
    if (!existed || !state_->files.count(name)) {
      std::error_code ec;
      const uint64_t size = fs::file_size(name, ec);
      state_->files[name] = {size, size};  // what was there before this file system saw it
    }
    *result = std::make_unique<TrackedFile>(std::move(*result), state_, name);
    return s;
  }

  IOStatus ReuseWritableFile(const std::string&, const std::string&, const rocksdb::FileOptions&,
                             std::unique_ptr<rocksdb::FSWritableFile>*, IODebugContext*) override {
    return IOStatus::NotSupported("WAL recycling is not modelled");
  }

  IOStatus NewDirectory(const std::string& name, const IOOptions& io_opts, std::unique_ptr<rocksdb::FSDirectory>* result,
                        IODebugContext* dbg) override {
    auto s = FileSystemWrapper::NewDirectory(name, io_opts, result, dbg);
    if (s.ok()) *result = std::make_unique<TrackedDirectory>(std::move(*result), state_, Normal(name));
    return s;
  }

  IOStatus RenameFile(const std::string& src, const std::string& target, const IOOptions& o,
                      IODebugContext* d) override {
    std::lock_guard lock(state_->mu);
    if (!state_->active) return Dead();
    const std::string from = Normal(src), to = Normal(target);
    std::optional<std::string> before = ReadWhole(to);
    auto s = FileSystemWrapper::RenameFile(src, target, o, d);
    if (!s.ok()) return s;
    auto it = state_->files.find(from);
    if (it != state_->files.end()) {
      state_->files[to] = it->second;
      state_->files.erase(it);
    } else {
      state_->files.erase(to);
    }
    state_->fresh[DirOf(from)].erase(from);
    Created(to, std::move(before));
    return s;
  }

  IOStatus DeleteFile(const std::string& fname, const IOOptions& o, IODebugContext* d) override {
    std::lock_guard lock(state_->mu);
    if (!state_->active) return Dead();
    auto s = FileSystemWrapper::DeleteFile(fname, o, d);
    if (s.ok()) {
      const std::string name = Normal(fname);
      state_->files.erase(name);
      state_->fresh[DirOf(name)].erase(name);
    }
    return s;
  }

  IOStatus Truncate(const std::string& fname, size_t size, const IOOptions& o, IODebugContext* d) override {
    std::lock_guard lock(state_->mu);
    if (!state_->active) return Dead();
    auto s = FileSystemWrapper::Truncate(fname, size, o, d);
    if (s.ok()) {
      auto it = state_->files.find(Normal(fname));
      if (it != state_->files.end()) {
        it->second.written = size;
        it->second.synced = std::min<uint64_t>(it->second.synced, size);
      }
    }
    return s;
  }

  IOStatus LinkFile(const std::string&, const std::string&, const IOOptions&, IODebugContext*) override {
    return IOStatus::NotSupported("hard links are not modelled");  // backups make them
  }

 private:
  // Called with mu held: `name` appeared in its directory; a cut before the directory's next sync
  // undoes that (keeping what the name held before, if anything, from the first such change).
  void Created(const std::string& name, std::optional<std::string> before) {
    state_->fresh[DirOf(name)].emplace(name, std::move(before));
  }

  std::shared_ptr<State> state_ = std::make_shared<State>();
  std::atomic<bool> cut_at_lock_{false};
};

}  // namespace

std::shared_ptr<PowerCutFileSystem> NewPowerCutFileSystem() { return std::make_shared<PowerCutFs>(); }

}  // namespace casetrail::testing
