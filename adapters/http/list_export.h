// Exports of a follow-up list: CSV (RFC 4180, header row) and XLSX (libxlsxwriter). Both hold
// case ids, states and dates only.
#pragma once

#include <string>

#include "replay/follow_up_lists.h"
#include "storage/base/result.h"

namespace casetrail::adapters {

inline constexpr char kXlsxMediaType[] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

std::string ListCsv(const replay::FollowUpList& list);
Result<std::string> ListXlsx(const replay::FollowUpList& list);

}  // namespace casetrail::adapters
