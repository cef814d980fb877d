// Small helpers around RocksDB shared by the log and the key store.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/status.h>

#include <string>

#include "storage/base/status.h"

namespace casetrail::storage::internal {

// Maps a RocksDB status to ours. `what` names the operation; never include keys or values.
Status FromRocks(const rocksdb::Status& s, const char* what);

}  // namespace casetrail::storage::internal
