// KeyStore: the small second database (by convention DIR/keys) holding per-subject wrapped data
// keys and the subject index. It is separate from the log so that shredding can physically purge
// an entry: Shred deletes the keys, flushes, and compacts the whole (small) database with the
// bottommost level forced, so no WAL or SST file under the directory still holds the old bytes.
// WAL recycling is off and the store never keeps long-lived iterators or snapshots.
//
// Keys and values are opaque bytes chosen by the engine; callers must not put personal data in
// clear in either (the engine stores wrapped keys and keyed hashes).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "storage/base/result.h"

namespace rocksdb {
class FileSystem;
}

namespace casetrail::storage {

class KeyStore {
 public:
  virtual ~KeyStore() = default;
  // Durable (synced) put.
  virtual Status Put(const std::string& key, const std::string& value) = 0;
  // Durable (synced) puts of every pair, and deletes of every key (no purge), in one atomic
  // write: all of them or none.
  virtual Status Write(const std::vector<std::pair<std::string, std::string>>& puts,
                       const std::vector<std::string>& deletes) = 0;
  Status PutAll(const std::vector<std::pair<std::string, std::string>>& entries) { return Write(entries, {}); }
  // Durable (synced) delete without purging the files (for entries that hold nothing secret,
  // such as a registration's intent); Shred is for keys that must physically disappear.
  virtual Status Delete(const std::string& key) = 0;
  // Every key that starts with `prefix`, in order, with its value.
  virtual Result<std::vector<std::pair<std::string, std::string>>> List(const std::string& prefix) = 0;
  // kNotFound if absent.
  virtual Result<std::string> Get(const std::string& key) = 0;
  // Deletes every key and purges them from the files on disk before returning. It closes and
  // reopens the database; if the reopen fails, this and every later call return kUnavailable.
  virtual Status Shred(const std::vector<std::string>& keys) = 0;
  // Copies a consistent image into `dir` (which must not exist).
  virtual Status Backup(const std::string& dir) = 0;
};

struct KeyStoreOptions {
  // Test only: the file system RocksDB uses instead of the real one (see LogOptions).
  std::shared_ptr<rocksdb::FileSystem> TEST_file_system;
};

Result<std::unique_ptr<KeyStore>> OpenKeyStore(const std::string& path, const KeyStoreOptions& options = {});

// One entry of a key store read without opening it for writing, so also while a running process
// holds it open (kNotFound if the store or the key is absent).
Result<std::string> ReadKeyStoreEntry(const std::string& path, const std::string& key);

}  // namespace casetrail::storage
