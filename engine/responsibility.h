// Each party's responsible person for a case ("helhetsansvar"): who on each side holds the
// whole of it. Recorded as ResponsiblePersonAssigned{party, person} on "responsible:<case>" —
// beside the case stream, not in it, so that the workflow's fold never sees it — and kept by the
// case directory (replay/case_directory.h) for "my cases".
#pragma once

#include <string>

#include "engine/event.h"
#include "storage/log.h"

namespace casetrail::engine {

inline StreamId ResponsibleStream(const std::string& case_id) { return StreamId("responsible:" + case_id); }

// `person` becomes `party`'s responsible person for the case, as recorded by `actor`.
Result<uint64_t> AssignResponsible(storage::Log& log, const Actor& actor, const std::string& case_id,
                                   const std::string& party, const std::string& person, Timestamp now);

}  // namespace casetrail::engine
