// The case audit (API.md `GET /v1/cases/{id}/audit`, compliance): what was done in a person's
// case and who read it — the case's events, the commands refused on it, the reads of the person
// about this case, the rectifications of the person's data (fields named, never values) and the
// chain status of the case's records. The audit is itself a read: building it records a
// PersonalDataRead about the case before it is returned (listed in the next audit, not this one).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/definition_registry.h"
#include "engine/event.h"
#include "replay/register_extract.h"
#include "storage/log.h"

namespace casetrail::replay {

struct CaseAudit {
  std::string case_id, subject_id, state;
  std::vector<engine::StoredEvent> events;                  // the case's stream
  std::vector<engine::StoredEvent> refused;                 // CommandRefused on the case
  std::vector<engine::StoredEvent> reads;                   // PersonalDataRead about this case
  std::vector<engine::StoredEvent> subject_rectifications;  // SubjectRectified of its person
  // The person's erasure (SubjectErased or GallringExecuted), if any: its legal basis and
  // reference are shown as written.
  std::optional<engine::StoredEvent> subject_erasure;
  // Each record's hash and links into the global chain, and the latest signed checkpoint
  // (storage::Log::VerifyRecords); GET /v1/verify walks the whole log.
  storage::VerifyReport chain;
};

// The audit of case `case_id` from its events (`events`: the case's stream, read by the caller,
// not empty), with the read recorded as `reader`'s.
Result<CaseAudit> BuildCaseAudit(storage::Log& log, const engine::DefinitionRegistry& registry,
                                 const std::string& case_id, std::vector<engine::StoredEvent> events,
                                 const Reader& reader);

}  // namespace casetrail::replay
