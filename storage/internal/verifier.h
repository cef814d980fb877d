// Integrity walk shared by both Log implementations: the hash chain, the stream index, the
// per-stream heads and the signed checkpoints. Reports the first broken position.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "storage/internal/signer.h"
#include "storage/log.h"

namespace casetrail::storage::internal {

// What the verifier reads from a store.
class ChainSource {
 public:
  virtual ~ChainSource() = default;
  // Calls fn for each stored log record in key order; stops early if fn returns false.
  virtual Status ForEachRecord(const std::function<bool(Position, std::string_view)>& fn) = 0;
  // The position the stream index gives for (stream, version), or 0 if none.
  virtual Result<uint64_t> IndexLookup(const StreamId& stream, StreamVersion version) = 0;
  // Every stream index entry as (stream, version, position).
  virtual Status ForEachIndexEntry(
      const std::function<void(std::string_view, uint64_t, uint64_t)>& fn) = 0;
  // Every stream-metadata entry as (stream, version).
  virtual Status ForEachStreamHead(const std::function<void(std::string_view, uint64_t)>& fn) = 0;
  virtual Result<std::vector<Checkpoint>> Checkpoints() = 0;
  // The stored record value at a position ("" if none).
  virtual Result<std::string> RecordAt(Position position) = 0;
};

Result<VerifyReport> VerifyChain(ChainSource& source, Head claimed_head,
                                 const CheckpointSigner& signer, const ProgressFn& progress);

// Log::VerifyRecords over a source.
Result<VerifyReport> VerifyLinks(ChainSource& source, Head claimed_head, const CheckpointSigner& signer,
                                 const std::vector<Position>& positions);

}  // namespace casetrail::storage::internal
