// A RocksDB FileSystem wrapper over `base` that fails WAL appends and syncs while
// SyncFaults::fail_wal is set.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <memory>

#include "storage/sync_faults.h"

namespace casetrail::storage::internal {

std::shared_ptr<rocksdb::FileSystem> NewFaultInjectingFileSystem(std::shared_ptr<SyncFaults> faults,
                                                                std::shared_ptr<rocksdb::FileSystem> base);

}  // namespace casetrail::storage::internal
