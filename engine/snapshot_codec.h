// Snapshot bytes of a CaseState: the state's scalars and facts as one Cap'n Proto field list.
#pragma once

#include <string>

#include "engine/case_state.h"
#include "storage/base/result.h"

namespace casetrail::engine {

std::string EncodeSnapshot(const CaseState& state);
Result<CaseState> DecodeSnapshot(std::string_view bytes);

}  // namespace casetrail::engine
