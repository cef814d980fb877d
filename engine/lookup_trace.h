// Traced lookups: every search for a person by personal identity number, and every registration
// that turned out to name a person already registered, is recorded as a SubjectLookedUp event, so
// "who searched for this person, when, why, and what did they learn" is answered by replay
// (GDPR Art. 5(2) accountability, Art. 30 records, Art. 32 — a check of thousands of numbers by
// one account is visible, not silent).
//
// The number itself is never stored: only its keyed hash (BLAKE2b under a key derived from the
// master key), so two searches for the same number can be matched by someone holding the key,
// and nobody can read a number back from the log. A search that found a person is recorded on
// that person's access stream ("access:<subject>", next to the read records, and shown in their
// register extract); one that found nobody is recorded on the searcher's own stream
// ("lookup:<actor>"), where there is no person to attach it to.
#pragma once

#include <string>

#include "engine/event.h"
#include "storage/log.h"

namespace casetrail::engine {

struct LookupRecord {
  Actor actor;
  std::string subject_id;   // "" when nobody was found
  std::string number_hash;  // NumberHash(): never the number
  std::string purpose;      // X-Purpose, or the role's default purpose
  std::string outcome;      // found | not_found | existing (a registration that named a known person)
  std::string via;          // lookup | registration
  Timestamp at{};
};

// Hex of the keyed BLAKE2b-256 of a canonical (12-digit) number under `key`.
std::string NumberHash(const std::string& key, const std::string& canonical_number);

// Appends SubjectLookedUp. kUnavailable (code "unavailable") if it cannot be written: then the
// lookup must not be answered.
Status RecordLookup(storage::Log& log, const LookupRecord& record);

inline StreamId LookupStream(const std::string& actor_id) { return StreamId("lookup:" + actor_id); }

}  // namespace casetrail::engine
