// The revision files of workflows/study-referral/, compiled into the binary by CMake so that a
// deployed casetrail always carries every revision its log may refer to.
#pragma once

#include <string_view>
#include <vector>

namespace casetrail::workflows {

std::vector<std::string_view> EmbeddedStudyReferralRevisions();

}  // namespace casetrail::workflows
