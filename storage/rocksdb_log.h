// The embedded Log on RocksDB: one database at `path` (by convention DIR/log).
//
// Durability: Append returns only after the WriteBatch holding its records has been written with
// sync=true (write() + fdatasync() of the WAL). Appends from concurrent callers are merged by a
// single writer thread into one synced write per group (group commit). If a write or sync fails,
// the log refuses every later append with kUnavailable until it is reopened: the state of the WAL
// is then unknown, and a sticky error beats a silently lost write.
//
// An append with sync=false is written to the WAL in its group without an fsync when no request
// in the group needs one; the writer syncs such records within LogOptions' deferred-sync bounds.
//
// Only one process may open a path; a second open fails with kUnavailable.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "storage/log.h"
#include "storage/sync_faults.h"

namespace rocksdb {
class FileSystem;
}

namespace casetrail::storage {

struct LogOptions {
  std::string path;
  // Ed25519 seed that signs checkpoints (see storage/key_file.h).
  std::array<uint8_t, 32> signing_seed{};
  // A signed checkpoint is written whenever the head crosses a multiple of this, and at close.
  uint64_t checkpoint_interval = 10000;
  // Block cache for reads of recent and hot streams. Stream reads touch one block per event, so
  // the hot set should fit; RocksDB adds index and filter blocks outside it.
  size_t block_cache_bytes = 256 << 20;
  // Most requests merged into one synced write.
  size_t max_group_size = 512;
  // Appends with sync=false (storage/log.h) left unsynced at most this long, and at most this
  // many: past either bound the log syncs, so a power cut loses at most this much of them.
  std::chrono::milliseconds deferred_sync_interval{1000};
  size_t max_deferred_appends = 1000;
  // Test only: lets a test make WAL writes fail.
  std::shared_ptr<SyncFaults> TEST_sync_faults;
  // Test only: the file system RocksDB uses instead of the real one (e.g. one that drops unsynced
  // data at a simulated power cut, tests/support/power_cut_fs.h). TEST_sync_faults wraps it.
  std::shared_ptr<rocksdb::FileSystem> TEST_file_system;
};

Result<std::unique_ptr<Log>> OpenRocksLog(const LogOptions& options);

// Test-only hooks on a log returned by OpenRocksLog: read or overwrite one stored record value
// (prev_hash ‖ hash ‖ record bytes), bypassing the chain.
Result<std::string> TEST_ReadStoredValue(Log& log, Position position);
Status TEST_OverwriteStoredValue(Log& log, Position position, const std::string& value);

}  // namespace casetrail::storage
