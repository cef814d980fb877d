// Small-cell suppression of the age-band breakdowns of I1–I4 (DOMAIN §5 "by age band"), together
// with the unbroken figures they add up to. Per figure the strategic group sees a grid: a row per
// unit and the total, a column per band, and the unbroken figure as each row's margin. Every row
// (a unit's bands add up to its figure) and every column (the units' cells of a band add up to
// the total's) is protected as SuppressAcrossUnits protects the units: a sum with exactly one
// hidden cell gets a second one (the smallest shown non-zero cell, else the margin, else a zero
// cell). Hiding a margin hides a cell of the unbroken table, which then goes through
// SuppressAcrossUnits again; everything repeats until nothing changes. A band's conversations
// held is the denominator of its I2, so the two are hidden together. docs/strategic.md.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "replay/suppression.h"

namespace casetrail::replay {

// The cells of a band: "referrals", "cases_booked", "conversations_held.total" and the ratios
// "started_after_conversation" and "rom_started" (hidden whole, named as in SuppressedSet).
const std::vector<std::string>& BandCells();

struct SuppressedBandTable {
  SuppressedTable table;  // the unbroken figures: units and total
  // scope (a unit's code, "" for the total) → band (AgeBands()) → the band's figures.
  std::map<std::string, std::map<std::string, SuppressedSet>> bands;
};

// `all` as ComputeAll answers it and `bands` as ComputeAllByBand does; every unit of `units` and
// every band of AgeBands() is answered (missing ones as zeros).
SuppressedBandTable SuppressTableByBand(const std::map<std::string, IndicatorSet>& all,
                                        const std::map<std::string, std::map<std::string, IndicatorSet>>& bands,
                                        const std::vector<std::string>& units, int threshold);

}  // namespace casetrail::replay
