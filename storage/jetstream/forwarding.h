// Appends forwarded from a node that does not write to the writer (JetStreamLogOptions::
// forward_appends): the request and the answer as bytes for one NATS request/reply on
// "<stream>.append.<writer node id>". The writer plans and fences them like its own appends.
//   request: u32 n ‖ n × (str stream ‖ u8 kind ‖ u64 version ‖ u32 m ‖ m × (str type ‖ str data))
//            ‖ u32 c ‖ c × (str stream ‖ u64 version) ‖ str key ‖ str fingerprint ‖ u8 sync
//   answer:  u8 1 ‖ u64 first ‖ u64 last ‖ u32 n ‖ n × u64 version ‖ u8 deduplicated
//          | u8 0 ‖ u32 code ‖ str message ‖ u32 k ‖ k × (str key ‖ str value)
// (str = u32 length ‖ bytes; integers big-endian.) The events are the engine's envelopes: sealed
// personal data only, as in the stream itself.
#pragma once

#include <string>

#include "storage/log.h"

namespace casetrail::storage::jetstream {

std::string EncodeAppendRequest(const AppendRequest& request);
Result<AppendRequest> DecodeAppendRequest(std::string_view data);
std::string EncodeAppendAnswer(const Result<AppendResult>& answer);
Result<AppendResult> DecodeAppendAnswer(std::string_view data);

}  // namespace casetrail::storage::jetstream
