// An in-memory Log for tests of the layers above: same contract, same record bytes and hash
// chain as the RocksDB log, nothing durable. Backup is not supported (kFailedPrecondition).
#pragma once

#include <array>
#include <memory>

#include "storage/log.h"

namespace casetrail::storage {

std::unique_ptr<Log> NewMemLog(const std::array<uint8_t, 32>& signing_seed = {});

}  // namespace casetrail::storage
