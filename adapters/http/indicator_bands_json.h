// The "by_age_band" block of GET /v1/indicators (API.md): per figure (I1a, I1b, I4's total, I2,
// I3), per age band, a count or a ratio; for the strategic role hidden cells are null and named
// under "suppressed" as "by_age_band.<figure>.<band>[.numerator|.denominator|.share]".
#pragma once

#include <boost/json.hpp>
#include <map>
#include <string>
#include <vector>

#include "replay/suppression.h"

namespace casetrail::adapters {

// `bands`: band → its figures and what of them is hidden (nothing, unsuppressed). Adds the names
// of hidden fields, after `prefix`, to `hidden`.
boost::json::object ByAgeBandJson(const std::map<std::string, replay::SuppressedSet>& bands, const std::string& prefix,
                                  std::vector<std::string>* hidden);

}  // namespace casetrail::adapters
