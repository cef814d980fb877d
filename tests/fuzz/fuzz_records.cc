// Fuzz target "records": everything decoded from bytes the stores hand back — a stored log value
// (prev_hash ‖ hash ‖ Cap'n Proto record), an idempotency record, a signed checkpoint, the event
// envelope, a sealed field list and a case snapshot. A corrupt or hostile store must give
// DataLoss, never a crash or an allocation of the whole address space.
//
// Input: one selector byte, then the bytes to decode. Whatever decodes is encoded again and must
// decode to the same value, so a decoder that accepts what its encoder cannot write shows here.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/event.h"
#include "engine/snapshot_codec.h"
#include "storage/internal/codec.h"
#include "storage/internal/signer.h"

using namespace casetrail;

namespace {

void StoredValue(std::string_view bytes) {
  auto ev = storage::internal::DecodeStoredValue(Position(7), bytes);
  if (!ev.ok()) return;
  (void)storage::internal::StoredHashMatches(Position(7), bytes);
  (void)engine::DecodeStored(*ev);  // the envelope inside, as the engine reads it
}

void Idempotency(std::string_view bytes) {
  auto r = storage::internal::DecodeIdempotency(bytes);
  if (!r.ok()) return;
  auto again = storage::internal::DecodeIdempotency(storage::internal::EncodeIdempotency(*r));
  if (!again.ok() || again->fingerprint != r->fingerprint) std::abort();
}

void CheckpointValue(std::string_view bytes) {
  storage::Checkpoint c;
  (void)storage::internal::DecodeCheckpointValue(Position(7), bytes, &c);
}

void Envelope(std::string_view bytes) {
  auto e = engine::DecodeEvent("ReferralSubmitted", bytes);
  if (!e.ok()) return;
  auto again = engine::DecodeEvent("ReferralSubmitted", engine::EncodeEvent(*e));
  if (!again.ok() || again->facts != e->facts || again->outcome != e->outcome) {
    std::fprintf(stderr, "records: envelope round trip differs: %s; facts %zu→%zu, outcome %d→%d\n",
                 again.ok() ? "decoded" : std::string(again.status().message()).c_str(), e->facts.size(),
                 again.ok() ? again->facts.size() : 0, e->outcome.has_value(), again.ok() && again->outcome.has_value());
    for (const auto& [k, v] : e->facts) {
      auto it = again.ok() ? again->facts.find(k) : e->facts.end();
      if (again.ok() && (it == again->facts.end() || it->second != v)) {
        std::fprintf(stderr, "  fact %s: type %zu → %s\n", k.c_str(), v.index(),
                     it == again->facts.end() ? "missing" : std::to_string(it->second.index()).c_str());
      }
    }
    std::abort();
  }
}

void SealedFields(std::string_view bytes) {
  auto f = engine::DecodeFields(bytes);
  if (!f.ok()) return;
  auto again = engine::DecodeFields(engine::EncodeFields(*f));
  if (!again.ok() || *again != *f) std::abort();
}

void CaseSnapshot(std::string_view bytes) {
  auto s = engine::DecodeSnapshot(bytes);
  if (!s.ok()) return;
  auto again = engine::DecodeSnapshot(engine::EncodeSnapshot(*s));
  if (!again.ok() || !(*again == *s)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0: StoredValue(bytes); break;
    case 1: Idempotency(bytes); break;
    case 2: CheckpointValue(bytes); break;
    case 3: Envelope(bytes); break;
    case 4: SealedFields(bytes); break;
    case 5: CaseSnapshot(bytes); break;
  }
  return 0;
}
