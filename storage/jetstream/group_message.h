// The bytes of one JetStream message: one commit group of the log (the records of many append
// requests, their idempotency keys), so a multi-stream append is one atomic publish.
//   "ctg1" ‖ u32be n ‖ n × (u64be position ‖ u32be len ‖ stored value)
//          ‖ u32be m ‖ m × (u32be len ‖ key ‖ u32be len ‖ idempotency record)
// A stored value is the RocksDB log's own (prev_hash ‖ hash ‖ record bytes, storage/internal/
// codec.h), so every node re-checks the chain as it applies a message. A message that is exactly
// "ctg0" is the stream's genesis: it carries no records and exists so that every group publish
// can be fenced with a non-zero expected last sequence.
#pragma once

#include <string>
#include <string_view>

#include "storage/internal/append_planner.h"

namespace casetrail::storage::jetstream {

inline constexpr std::string_view kGenesis = "ctg0";

std::string EncodeGroup(const internal::GroupPlan& plan);

// Decodes a group and checks that it continues the chain at `head`: positions head+1, head+2, …,
// each prev_hash the hash before it, each hash recomputed. DataLoss otherwise (no record contents
// in the message). Fills plan.records, stream_versions, idempotency and head.
Result<internal::GroupPlan> DecodeGroup(std::string_view bytes, const Head& head);

}  // namespace casetrail::storage::jetstream
