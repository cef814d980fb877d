// The study-referral workflow (DOMAIN.md §3): its revisions, embedded from
// workflows/study-referral/rev<N>.json at build time, and the guards they name.
#pragma once

#include "engine/definition_registry.h"
#include "engine/guard.h"

namespace casetrail::workflows {

inline constexpr char kStudyReferral[] = "study-referral";

// Parses and adds the embedded model (workflows/study-referral/model.json), then every embedded
// revision. kInvalidArgument if a file is malformed.
Status RegisterStudyReferral(engine::DefinitionRegistry* registry);

// G-TARGET, G-WANTS-STUDY, G-SLOT-FUTURE, G-SLOT-PASSED, G-MEETING, G-LIST.
const engine::GuardTable& StudyReferralGuards();

// The model file as embedded at build time.
std::string_view StudyReferralModelJson();

}  // namespace casetrail::workflows
