// ErasureLedger: the append-only file DIR/erasure-ledger listing every erased subject.
//
// Erasure (GDPR Art. 17) shreds a subject's key from DIR/keys. A backup taken before the erasure
// still holds that key, so the ledger lives outside every backup and restore never overwrites it:
// after a restore, the engine re-applies each entry (shreds the key again, records the erasure if
// the restored log lacks it). An entry holds only ids and codes, never personal data:
//
//   <subject id> TAB <erased_at RFC 3339> TAB <legal basis code> TAB <reference> LF
//
// Each Append is written with O_APPEND and fsynced before it returns.
#pragma once

#include <string>
#include <vector>

#include "storage/base/result.h"

namespace casetrail::storage {

struct ErasureEntry {
  std::string subject_id;
  std::string erased_at;
  std::string legal_basis;
  std::string reference;
};

class ErasureLedger {
 public:
  explicit ErasureLedger(std::string path) : path_(std::move(path)) {}

  // kInvalidArgument if a field holds a tab or newline; kUnavailable if the write or sync fails.
  Status Append(const ErasureEntry& entry);
  // Every entry in order; an absent file is an empty ledger. A torn last line (a crash mid-write)
  // is ignored: its erasure had not been acknowledged.
  Result<std::vector<ErasureEntry>> ReadAll() const;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace casetrail::storage
