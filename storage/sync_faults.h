// Test-only switch that makes the RocksDB log's WAL writes and syncs fail, as a dying disk would.
#pragma once

#include <atomic>

namespace casetrail::storage {

struct SyncFaults {
  std::atomic<bool> fail_wal{false};
};

}  // namespace casetrail::storage
