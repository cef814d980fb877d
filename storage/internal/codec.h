// Byte layouts of everything the RocksDB log stores (docs/formats/storage.md). Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/base/result.h"
#include "storage/log.h"

namespace casetrail::storage::internal {

void PutBigEndian64(std::string* out, uint64_t v);
uint64_t GetBigEndian64(std::string_view in);  // precondition: in.size() >= 8

std::string PositionKey(Position p);                        // u64be
std::string StreamIndexKey(const StreamId& s, StreamVersion v);  // stream ‖ 0x00 ‖ u64be version
std::string StreamIndexPrefix(const StreamId& s);            // stream ‖ 0x00

// Cap'n Proto bytes of a StoredRecord.
std::string EncodeRecord(const StreamId& stream, StreamVersion version, std::string_view type,
                         std::string_view data);

// hash = BLAKE2b-256(prev_hash ‖ u64be position ‖ record_bytes)
Hash ChainHash(const Hash& prev_hash, Position position, std::string_view record_bytes);

// Stored value = prev_hash ‖ hash ‖ record bytes.
std::string MakeStoredValue(const Hash& prev_hash, const Hash& hash, std::string_view record_bytes);

// Parses a stored value; DataLoss if it is too short or its record is not a valid message.
// Does not check the hash (see VerifyStoredValue).
Result<RecordedEvent> DecodeStoredValue(Position position, std::string_view value);

// Recomputes the hash of a stored value; true if it matches the stored hash.
bool StoredHashMatches(Position position, std::string_view value);

// Checkpoint signing message: "ckpt-v1" ‖ u64be position ‖ hash.
std::string CheckpointMessage(Position position, const Hash& hash);

// Idempotency record: fingerprint and the first append's result.
struct IdempotencyRecord {
  std::string fingerprint;
  AppendResult result;
};
std::string EncodeIdempotency(const IdempotencyRecord& r);
Result<IdempotencyRecord> DecodeIdempotency(std::string_view bytes);

// Stream index validation shared by both Log implementations.
Status ValidateStreamId(const StreamId& s);

}  // namespace casetrail::storage::internal
