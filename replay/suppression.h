// Small-cell suppression for the strategic role (DOMAIN §5.5, Q20): with ~73 cases a year over
// three units and two genders, small counts identify people. A count from 1 to threshold − 1 is
// hidden; secondary suppression then hides one more cell of every sum (a unit's cells and the
// total's; a block's parts and its total) that has exactly one hidden cell, whichever it is, until
// none has, so no hidden cell can be derived by addition or subtraction; a ratio with a small
// numerator, denominator or remainder is hidden whole.
// tests/e2e/suppression_audit_e2e_test.cc solves the demo tables' sums to check it.
//
// Plain figures in, the same figures with the names of the hidden fields out: the HTTP adapter
// shows a hidden field as null and lists the names under "suppressed" (API.md).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "replay/indicators.h"

namespace casetrail::replay {

// One indicator block and what of it is hidden. Cells are named as the block's fields:
// "referrals", "cases_booked", "group_activities", "conversations_held.women|men|unknown|total",
// and the ratios "started_after_conversation" and "rom_started", hidden whole.
struct SuppressedSet {
  IndicatorSet figures;
  // The fields hidden, in the order hidden: a count's cell name, or for a ratio
  // "<ratio>.numerator", "<ratio>.denominator" and, when it has one (a denominator above zero),
  // "<ratio>.share".
  std::vector<std::string> hidden;
  // Whether a cell (a count's name, or a ratio's) is hidden.
  bool Hidden(const std::string& cell) const;
};

// Hides a cell of `block` (a count's name, or a ratio's, hidden whole as above); once.
void HideCell(SuppressedSet& block, const std::string& cell);

// Primary suppression of one block (counts from 1 to threshold − 1, ratios with a small part) and
// the block's own secondary step: where exactly one of the conversation parts and their total is
// hidden, the smallest shown part goes too. A threshold of 1 or less hides nothing.
void SuppressSmallCells(SuppressedSet& block, int threshold);

// Secondary suppression across the units' blocks and the total (each already through
// SuppressSmallCells), so that no pair of requests can subtract its way to a hidden cell: the
// units' cells add up to the total's, so where exactly one of them is hidden (a unit's, or the
// total's beside shown units), the smallest other non-zero unit cell is hidden too, or, without
// one, the total's cell or a zero unit cell; repeated, with SuppressSmallCells's own secondary
// step, until nothing changes.
void SuppressAcrossUnits(std::map<std::string, SuppressedSet>& units, SuppressedSet& total, int threshold);

// The units' blocks (`all` under each of `units`; a unit missing from `all` counts zeros) and the
// total (under ""), suppressed together: every block is answered from the same suppression, so a
// unit's figures and the total's never subtract to a hidden cell.
struct SuppressedTable {
  std::map<std::string, SuppressedSet> units;
  SuppressedSet total;
};
SuppressedTable SuppressTable(const std::map<std::string, IndicatorSet>& all, const std::vector<std::string>& units,
                              int threshold);

// A count under primary suppression alone (the decision audit's counts, which add up to no
// published total): nullopt when it is from 1 to threshold − 1.
std::optional<uint64_t> ShownCount(uint64_t n, int threshold);

}  // namespace casetrail::replay
