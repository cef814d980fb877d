#include "replay/suppression.h"

#include <algorithm>

namespace casetrail::replay {

namespace {

const char* const kRatios[] = {"started_after_conversation", "rom_started"};
const char* const kHeldParts[] = {"conversations_held.women", "conversations_held.men", "conversations_held.unknown"};
// Every cell, in the order the steps visit them.
const char* const kCells[] = {"referrals",
                              "cases_booked",
                              "group_activities",
                              "conversations_held.women",
                              "conversations_held.men",
                              "conversations_held.unknown",
                              "conversations_held.total",
                              "started_after_conversation",
                              "rom_started"};

bool IsRatio(const std::string& cell) { return cell == kRatios[0] || cell == kRatios[1]; }

const Ratio& RatioOf(const IndicatorSet& s, const std::string& cell) {
  return cell == "rom_started" ? s.rom_started : s.started_after_conversation;
}

// A count cell's value (a ratio's numerator).
int64_t Count(const IndicatorSet& s, const std::string& cell) {
  if (cell == "referrals") return static_cast<int64_t>(s.referrals);
  if (cell == "cases_booked") return static_cast<int64_t>(s.cases_booked);
  if (cell == "group_activities") return static_cast<int64_t>(s.group_activities);
  if (cell == "conversations_held.women") return static_cast<int64_t>(s.held_women);
  if (cell == "conversations_held.men") return static_cast<int64_t>(s.held_men);
  if (cell == "conversations_held.unknown") return static_cast<int64_t>(s.held_unknown);
  if (cell == "conversations_held.total") return static_cast<int64_t>(s.HeldTotal());
  return static_cast<int64_t>(RatioOf(s, cell).numerator);
}

// What a cell counts: a ratio's denominator, else the cell.
int64_t Size(const IndicatorSet& s, const std::string& cell) {
  return IsRatio(cell) ? static_cast<int64_t>(RatioOf(s, cell).denominator) : Count(s, cell);
}

bool Small(int64_t n, int threshold) { return n >= 1 && n < threshold; }

void Hide(SuppressedSet& block, const std::string& cell) {
  if (block.Hidden(cell)) return;
  if (!IsRatio(cell)) {
    block.hidden.push_back(cell);
    return;
  }
  block.hidden.push_back(cell + ".numerator");
  block.hidden.push_back(cell + ".denominator");
  if (RatioOf(block.figures, cell).denominator) block.hidden.push_back(cell + ".share");  // else it has none
}

}  // namespace

void HideCell(SuppressedSet& block, const std::string& cell) { Hide(block, cell); }

bool SuppressedSet::Hidden(const std::string& cell) const {
  const std::string field = IsRatio(cell) ? cell + ".numerator" : cell;
  return std::find(hidden.begin(), hidden.end(), field) != hidden.end();
}

void SuppressSmallCells(SuppressedSet& block, int threshold) {
  if (threshold <= 1) return;
  const IndicatorSet& s = block.figures;
  for (const char* cell : {"referrals", "cases_booked", "group_activities", "conversations_held.women", "conversations_held.men",
                           "conversations_held.unknown", "conversations_held.total"}) {
    if (!block.Hidden(cell) && Small(Count(s, cell), threshold)) Hide(block, cell);
  }
  // The parts add up to the total: with exactly one of the four hidden (a part, or the total
  // beside shown parts) it could be derived, so hide the smallest shown part too.
  // (Counted after the fact, so a cell hidden by the across-units step counts as well.)
  int hidden = block.Hidden("conversations_held.total");
  const char* next = nullptr;
  for (const char* part : kHeldParts) {
    if (block.Hidden(part)) ++hidden;
    else if (!next || Count(s, part) < Count(s, next)) next = part;
  }
  if (hidden == 1) Hide(block, next ? next : "conversations_held.total");
  for (const char* ratio : kRatios) {
    if (block.Hidden(ratio)) continue;
    const Ratio& r = RatioOf(s, ratio);
    const int64_t n = static_cast<int64_t>(r.numerator), d = static_cast<int64_t>(r.denominator);
    if (Small(n, threshold) || Small(d, threshold) || Small(d - n, threshold)) Hide(block, ratio);
  }
}

void SuppressAcrossUnits(std::map<std::string, SuppressedSet>& units, SuppressedSet& total, int threshold) {
  if (threshold <= 1) return;
  // Hiding one cell can expose another (inside a unit's conversations, or across units again):
  // repeat until nothing more is hidden.
  for (bool changed = true; changed;) {
    changed = false;
    for (const char* cell : kCells) {
      // The units add up to the total: exactly one hidden cell among them (a unit's, or the
      // total's beside shown units) could be derived, so hide the smallest shown unit cell too,
      // or, when every other unit is zero or hidden, the total.
      int hidden_cells = total.Hidden(cell);
      std::string smallest, zero;
      for (const auto& [unit, block] : units) {
        if (block.Hidden(cell)) ++hidden_cells;
        else if (Size(block.figures, cell) <= 0) zero = unit;
        else if (smallest.empty() || Size(block.figures, cell) < Size(units.at(smallest).figures, cell)) smallest = unit;
      }
      if (hidden_cells != 1) continue;
      if (!smallest.empty()) Hide(units.at(smallest), cell);
      else if (!total.Hidden(cell)) Hide(total, cell);    // the others are zero
      else if (!zero.empty()) Hide(units.at(zero), cell);  // a hidden total of shown zeros
      else continue;
      changed = true;
    }
    for (auto& [unit, block] : units) {
      const size_t before = block.hidden.size();
      SuppressSmallCells(block, threshold);
      changed = changed || block.hidden.size() != before;
    }
    const size_t before = total.hidden.size();
    SuppressSmallCells(total, threshold);
    changed = changed || total.hidden.size() != before;
  }
}

SuppressedTable SuppressTable(const std::map<std::string, IndicatorSet>& all, const std::vector<std::string>& units,
                              int threshold) {
  SuppressedTable t;
  for (const auto& u : units) {
    auto it = all.find(u);
    SuppressedSet& block = t.units[u];
    if (it != all.end()) block.figures = it->second;
    SuppressSmallCells(block, threshold);
  }
  if (auto it = all.find(""); it != all.end()) t.total.figures = it->second;
  SuppressSmallCells(t.total, threshold);
  SuppressAcrossUnits(t.units, t.total, threshold);
  return t;
}

std::optional<uint64_t> ShownCount(uint64_t n, int threshold) {
  if (n >= 1 && n < static_cast<uint64_t>(threshold)) return std::nullopt;
  return n;
}

}  // namespace casetrail::replay
