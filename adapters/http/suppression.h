// Small-cell suppression for the strategic role (DOMAIN §5.5, Q20): with ~73 cases a year over
// three units and two genders, small counts identify people. A count from 1 to threshold − 1
// becomes null and is named in `suppressed`; secondary suppression then hides one more cell of
// every sum (a unit's cells and the total's; a block's parts and its total) that has exactly one
// hidden cell, whichever it is, until none has, so no hidden cell can be derived by addition or
// subtraction; a ratio with a small numerator, denominator or remainder is hidden whole.
// tests/e2e/suppression_audit_e2e_test.cc solves the demo tables' sums to check it.
#pragma once

#include <boost/json.hpp>
#include <map>
#include <string>
#include <vector>

namespace casetrail::adapters {

// Suppresses, in place, the indicator block `block` (the API.md shape); paths are prefixed with
// `prefix` ("" or "previous_year.").
void SuppressSmallCells(boost::json::object& block, int threshold, const std::string& prefix,
                        std::vector<std::string>* suppressed);

// Secondary suppression across the units' blocks and the total (each already through
// SuppressSmallCells), so that no request can subtract its way to a hidden cell: the units' cells
// add up to the total's, so where exactly one of them is hidden (a unit's, or the total's beside
// shown units), the smallest other non-zero unit cell is hidden too, or, without one, the total's
// cell or a zero unit cell; repeated, with SuppressSmallCells's own secondary step, until
// nothing changes. `hidden` receives the
// newly hidden paths per unit and, under "", the total's.
void SuppressAcrossUnits(std::map<std::string, boost::json::object>& units, boost::json::object& total, int threshold,
                         const std::string& prefix, std::map<std::string, std::vector<std::string>>* hidden);

}  // namespace casetrail::adapters
