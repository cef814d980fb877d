// Backup and restore of a data directory's stores (DIR/log and DIR/keys).
//
// A backup is a directory outside DIR holding RocksDB checkpoints `log/` and `keys/`. The erasure
// ledger (DIR/erasure-ledger) is deliberately not copied, and restore never overwrites it: the
// engine re-applies it after a restore, so erased subjects stay erased.
#pragma once

#include <string>

#include "storage/key_store.h"
#include "storage/log.h"

namespace casetrail::storage {

// Writes `backup_dir` (must not exist) from open stores.
Status CreateBackup(Log& log, KeyStore& keys, const std::string& backup_dir);

// Copies a backup into `data_dir`, whose log/ and keys/ must not exist (move them away first),
// then opens the restored log with `signing_seed` and verifies it. Returns the verify report;
// kDataLoss if the restored chain does not verify.
Result<VerifyReport> RestoreBackup(const std::string& backup_dir, const std::string& data_dir,
                                   const std::array<uint8_t, 32>& signing_seed);

}  // namespace casetrail::storage
