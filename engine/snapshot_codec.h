// Snapshot bytes of a CaseState: the state's scalars and facts as one Cap'n Proto field list.
#pragma once

#include <string>

#include "engine/case_state.h"
#include "storage/base/result.h"

namespace casetrail::engine {

// Snapshots carry the fold version (engine/state_machine.h kFoldVersion) they were folded under;
// DecodeSnapshot refuses one of another version (kFailedPrecondition, code "fold_version") and
// the caller folds the case from its events instead.
std::string EncodeSnapshot(const CaseState& state);
Result<CaseState> DecodeSnapshot(std::string_view bytes);

}  // namespace casetrail::engine
