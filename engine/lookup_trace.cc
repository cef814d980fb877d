#include "engine/lookup_trace.h"

#include <sodium.h>

#include "engine/access_policy.h"
#include "storage/base/hex.h"

namespace casetrail::engine {

std::string NumberHash(const std::string& key, const std::string& canonical_number) {
  unsigned char out[32];
  crypto_generichash(out, sizeof(out), reinterpret_cast<const unsigned char*>(canonical_number.data()),
                     canonical_number.size(), reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return ToHex(std::string_view(reinterpret_cast<const char*>(out), sizeof(out)));
}

Status RecordLookup(storage::Log& log, const LookupRecord& r) {
  Event e;
  e.type = "SubjectLookedUp";
  e.meta.actor = r.actor;
  e.meta.recorded_at = e.meta.effective_at = r.at;
  e.meta.subject_id = r.subject_id;
  e.facts = {{"number_hash", r.number_hash}, {"purpose", r.purpose}, {"outcome", r.outcome}, {"via", r.via}};
  const StreamId stream = r.subject_id.empty() ? LookupStream(r.actor.id) : AccessStream(r.subject_id);
  storage::AppendRequest req;
  req.writes.push_back({stream, storage::ExpectedVersion::Any(), {{e.type, EncodeEvent(e)}}});
  auto result = log.Append(req);
  if (!result.ok()) return Status(StatusCode::kUnavailable, "the lookup record could not be written").With("code", "unavailable");
  return Status::Ok();
}

}  // namespace casetrail::engine
