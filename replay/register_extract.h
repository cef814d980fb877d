// The register extract (GDPR Art. 15, API.md `GET /v1/subjects/{id}/extract`): everything the
// log holds about one person, their sealed data opened with their key. The extract is itself a
// read of everything it shows, so building it records a PersonalDataRead (naming the personal
// fields shown) before it is returned; its own read is not in its `reads`.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/case_service.h"
#include "engine/definition_registry.h"
#include "engine/event.h"
#include "engine/subject_keys.h"
#include "storage/log.h"

namespace casetrail::replay {

// An event with its sealed personal fields opened, or `erased` once the key is gone.
struct OpenedEvent {
  engine::StoredEvent event;
  engine::Fields opened;
  bool erased = false;
};

struct ExtractCase {
  std::string case_id, unit, state;
  std::optional<std::string> closed_reason;
  std::vector<OpenedEvent> events;
};

// Controllers, recipients, purposes, legal bases and retention of the cooperation (DOMAIN §6),
// stated in every extract.
struct ProcessingStatement {
  std::vector<std::string> controllers, recipients, purposes, legal_bases;
  std::string retention;
};
const ProcessingStatement& CooperationProcessing();

// Who reads, why and when: what the read record names.
struct Reader {
  engine::Actor actor;
  std::string purpose;
  engine::Timestamp at{};
};

struct RegisterExtract {
  std::string subject_id;
  engine::Timestamp generated_at{};
  engine::Fields personal;  // current data: registration merged with rectifications
  std::string gender, age_band;
  std::vector<OpenedEvent> consents;
  std::vector<ExtractCase> cases;
  std::vector<engine::StoredEvent> reads;           // PersonalDataRead about the person
  std::vector<engine::StoredEvent> lookups;         // SubjectLookedUp: searched for by number
  std::vector<engine::StoredEvent> rectifications;  // SubjectRectified (Art. 16): fields named, values sealed
  std::vector<engine::StoredEvent> notices;         // SubjectInformed (Art. 13/14)
  std::set<std::string> shown;                      // the personal fields shown (recorded as read)
};

// The extract of `subject` (known, not erased: the caller checks both against `state`), with the
// read recorded as `reader`'s; nullopt when the key is gone (erased meanwhile).
Result<std::optional<RegisterExtract>> BuildRegisterExtract(storage::Log& log, engine::SubjectKeys& keys,
                                                            const engine::DefinitionRegistry& registry,
                                                            const std::string& subject_id,
                                                            const engine::SubjectState& state, const Reader& reader);

}  // namespace casetrail::replay
