#include "replay/suppression_bands.h"

namespace casetrail::replay {

namespace {

bool IsRatio(const std::string& cell) { return cell == "started_after_conversation" || cell == "rom_started"; }

// What a cell counts: a ratio's denominator, else the count.
int64_t Size(const IndicatorSet& s, const std::string& cell) {
  if (cell == "referrals") return static_cast<int64_t>(s.referrals);
  if (cell == "cases_booked") return static_cast<int64_t>(s.cases_booked);
  if (cell == "conversations_held.total") return static_cast<int64_t>(s.HeldTotal());
  if (cell == "rom_started") return static_cast<int64_t>(s.rom_started.denominator);
  return static_cast<int64_t>(s.started_after_conversation.denominator);
}

bool Small(uint64_t n, int threshold) { return n >= 1 && n < static_cast<uint64_t>(threshold); }

// Primary suppression of one band: small counts, and ratios with a small numerator, denominator
// or remainder.
void HideSmall(SuppressedSet& band, int threshold) {
  const IndicatorSet& s = band.figures;
  for (const std::string& cell : BandCells()) {
    if (!IsRatio(cell)) {
      if (Small(static_cast<uint64_t>(Size(s, cell)), threshold)) HideCell(band, cell);
      continue;
    }
    const Ratio& r = cell == "rom_started" ? s.rom_started : s.started_after_conversation;
    if (Small(r.numerator, threshold) || Small(r.denominator, threshold) || Small(r.denominator - r.numerator, threshold)) {
      HideCell(band, cell);
    }
  }
}

// One sum: `parts` add up to `margin`. With exactly one of them hidden it could be derived, so a
// second goes: the smallest shown non-zero part, else the margin, else a zero part. Whether it hid.
bool ProtectSum(const std::vector<SuppressedSet*>& parts, SuppressedSet& margin, const std::string& cell) {
  int hidden = margin.Hidden(cell);
  SuppressedSet *smallest = nullptr, *zero = nullptr;
  for (SuppressedSet* part : parts) {
    if (part->Hidden(cell)) ++hidden;
    else if (Size(part->figures, cell) <= 0) zero = part;
    else if (!smallest || Size(part->figures, cell) < Size(smallest->figures, cell)) smallest = part;
  }
  if (hidden != 1) return false;
  if (smallest) HideCell(*smallest, cell);
  else if (!margin.Hidden(cell)) HideCell(margin, cell);
  else if (zero) HideCell(*zero, cell);
  else return false;
  return true;
}

size_t HiddenCount(const SuppressedTable& t) {
  size_t n = t.total.hidden.size();
  for (const auto& [unit, block] : t.units) n += block.hidden.size();
  return n;
}

}  // namespace

const std::vector<std::string>& BandCells() {
  static const std::vector<std::string> cells = {"referrals", "cases_booked", "conversations_held.total",
                                                 "started_after_conversation", "rom_started"};
  return cells;
}

SuppressedBandTable SuppressTableByBand(const std::map<std::string, IndicatorSet>& all,
                                        const std::map<std::string, std::map<std::string, IndicatorSet>>& bands,
                                        const std::vector<std::string>& units, int threshold) {
  SuppressedBandTable t;
  t.table = SuppressTable(all, units, threshold);
  std::vector<std::string> scopes = units;
  scopes.push_back("");
  for (const auto& scope : scopes) {
    for (const auto& band : AgeBands()) {
      SuppressedSet& set = t.bands[scope][band];
      if (auto s = bands.find(scope); s != bands.end()) {
        if (auto b = s->second.find(band); b != s->second.end()) set.figures = b->second;
      }
    }
  }
  if (threshold <= 1) return t;
  for (auto& [scope, row] : t.bands) {
    for (auto& [band, set] : row) HideSmall(set, threshold);
  }
  for (bool changed = true; changed;) {
    changed = false;
    // A band's conversations held is its I2's denominator: neither may give the other away.
    for (auto& [scope, row] : t.bands) {
      for (auto& [band, set] : row) {
        const bool held = set.Hidden("conversations_held.total"), i2 = set.Hidden("started_after_conversation");
        if (held != i2) {
          HideCell(set, held ? "started_after_conversation" : "conversations_held.total");
          changed = true;
        }
      }
    }
    for (const std::string& cell : BandCells()) {
      // Rows: a scope's bands add up to its unbroken figure.
      for (const auto& scope : scopes) {
        std::vector<SuppressedSet*> parts;
        for (auto& [band, set] : t.bands[scope]) parts.push_back(&set);
        SuppressedSet& margin = scope.empty() ? t.table.total : t.table.units[scope];
        changed = ProtectSum(parts, margin, cell) || changed;
      }
      // Columns: the units' cells of a band add up to the total's.
      for (const auto& band : AgeBands()) {
        std::vector<SuppressedSet*> parts;
        for (const auto& unit : units) parts.push_back(&t.bands[unit][band]);
        changed = ProtectSum(parts, t.bands[""][band], cell) || changed;
      }
    }
    // A margin hidden above is a cell of the unbroken table: protect its own sums again.
    const size_t before = HiddenCount(t.table);
    SuppressAcrossUnits(t.table.units, t.table.total, threshold);
    changed = changed || HiddenCount(t.table) != before;
  }
  return t;
}

}  // namespace casetrail::replay
