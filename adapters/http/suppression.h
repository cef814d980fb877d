// Small-cell suppression for the strategic role (DOMAIN §5.5, Q20): with ~73 cases a year over
// three units and two genders, small counts identify people. A count from 1 to threshold − 1
// becomes null and is named in `suppressed`; secondary suppression then hides one more cell of a
// group whose total is shown, so no hidden cell can be derived by subtraction; a ratio with a
// small numerator, denominator or remainder is hidden whole.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <vector>

namespace casetrail::adapters {

// Suppresses, in place, the indicator block `block` (the API.md shape); paths are prefixed with
// `prefix` ("" or "previous_year.").
void SuppressSmallCells(boost::json::object& block, int threshold, const std::string& prefix,
                        std::vector<std::string>* suppressed);

}  // namespace casetrail::adapters
