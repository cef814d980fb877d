#include "adapters/http/suppression.h"

#include <algorithm>

namespace casetrail::adapters {
namespace json = boost::json;

namespace {

bool Small(const json::value& v, int threshold) {
  return v.is_int64() ? v.as_int64() >= 1 && v.as_int64() < threshold
                      : v.is_uint64() && v.as_uint64() >= 1 && v.as_uint64() < static_cast<uint64_t>(threshold);
}
int64_t Count(const json::value& v) { return v.is_int64() ? v.as_int64() : v.is_uint64() ? static_cast<int64_t>(v.as_uint64()) : -1; }

// Cells are named "key", "key.part" (a part of conversations_held) or a ratio's key, which stands
// for its numerator, denominator and share together.
bool IsRatio(const json::object& block, const std::string& path) {
  const auto* v = block.if_contains(path);
  return v && v->is_object() && v->as_object().contains("numerator");
}
json::value* Cell(json::object& block, const std::string& path) {
  if (IsRatio(block, path)) return block.at(path).as_object().if_contains("numerator");
  const auto dot = path.find('.');
  json::value* v = block.if_contains(path.substr(0, dot));
  if (!v || dot == std::string::npos) return v;
  return v->is_object() ? v->as_object().if_contains(path.substr(dot + 1)) : nullptr;
}
// What a cell counts: a ratio's denominator, else the cell.
int64_t Size(json::object& block, const std::string& path) {
  if (IsRatio(block, path)) return Count(block.at(path).as_object()["denominator"]);
  const json::value* c = Cell(block, path);
  return c ? Count(*c) : -1;
}
void Hide(json::object& block, const std::string& path, const std::string& prefix, std::vector<std::string>* out) {
  if (IsRatio(block, path)) {
    for (const char* f : {"numerator", "denominator", "share"}) {
      auto& x = block.at(path).as_object()[f];
      if (!x.is_null()) {
        x = nullptr;
        out->push_back(prefix + path + "." + f);
      }
    }
    return;
  }
  if (json::value* c = Cell(block, path); c && !c->is_null()) {
    *c = nullptr;
    out->push_back(prefix + path);
  }
}

const char* kHeldParts[] = {"conversations_held.women", "conversations_held.men", "conversations_held.unknown"};

}  // namespace

void SuppressSmallCells(json::object& block, int threshold, const std::string& prefix, std::vector<std::string>* out) {
  if (threshold <= 1) return;
  for (const char* key : {"referrals", "cases_booked", "group_activities", "conversations_held.women", "conversations_held.men",
                          "conversations_held.unknown", "conversations_held.total"}) {
    if (json::value* v = Cell(block, key); v && Small(*v, threshold)) Hide(block, key, prefix, out);
  }
  // The parts add up to the total: with exactly one of the four hidden (a part, or the total
  // beside shown parts) it could be derived, so hide the smallest shown part too.
  // (Counted after the fact, so a cell hidden by the across-units step counts as well.)
  if (json::value* total = Cell(block, "conversations_held.total")) {
    int hidden = total->is_null();
    const char* next = nullptr;
    for (const char* k : kHeldParts) {
      json::value* v = Cell(block, k);
      if (!v) continue;
      if (v->is_null()) ++hidden;
      else if (!next || Count(*v) < Count(*Cell(block, next))) next = k;
    }
    if (hidden == 1) Hide(block, next ? next : "conversations_held.total", prefix, out);
  }
  for (const char* key : {"started_after_conversation", "rom_started"}) {
    if (!IsRatio(block, key)) continue;
    auto& o = block.at(key).as_object();
    const int64_t n = Count(o["numerator"]), d = Count(o["denominator"]);
    if (Small(o["numerator"], threshold) || Small(o["denominator"], threshold) || (d - n >= 1 && d - n < threshold)) {
      Hide(block, key, prefix, out);
    }
  }
}

void SuppressAcrossUnits(std::map<std::string, json::object>& units, json::object& total, int threshold,
                         const std::string& prefix, std::map<std::string, std::vector<std::string>>* hidden) {
  static const char* kPaths[] = {"referrals",
                                 "cases_booked",
                                 "group_activities",
                                 "conversations_held.women",
                                 "conversations_held.men",
                                 "conversations_held.unknown",
                                 "conversations_held.total",
                                 "started_after_conversation",
                                 "rom_started"};
  if (threshold <= 1) return;
  // Hiding one cell can expose another (inside a unit's conversations, or across units again):
  // repeat until nothing more is hidden.
  for (bool changed = true; changed;) {
    changed = false;
    for (const char* path : kPaths) {
      // The units add up to the total: exactly one hidden cell among them (a unit's, or the
      // total's beside shown units) could be derived, so hide the smallest shown unit cell too,
      // or, when every other unit is zero or hidden, the total.
      json::value* sum = Cell(total, path);
      if (!sum) continue;
      int hidden_cells = sum->is_null();
      std::string smallest, zero;
      for (auto& [unit, block] : units) {
        json::value* c = Cell(block, path);
        if (!c) continue;
        if (c->is_null()) ++hidden_cells;
        else if (Size(block, path) <= 0) zero = unit;
        else if (smallest.empty() || Size(block, path) < Size(units[smallest], path)) smallest = unit;
      }
      if (hidden_cells != 1) continue;
      if (!smallest.empty()) Hide(units[smallest], path, prefix, &(*hidden)[smallest]);
      else if (!sum->is_null()) Hide(total, path, prefix, &(*hidden)[""]);  // the others are zero
      else if (!zero.empty()) Hide(units[zero], path, prefix, &(*hidden)[zero]);  // a hidden total of shown zeros
      else continue;
      changed = true;
    }
    for (auto& [unit, block] : units) {
      const size_t before = (*hidden)[unit].size();
      SuppressSmallCells(block, threshold, prefix, &(*hidden)[unit]);
      changed = changed || (*hidden)[unit].size() != before;
    }
    const size_t before = (*hidden)[""].size();
    SuppressSmallCells(total, threshold, prefix, &(*hidden)[""]);
    changed = changed || (*hidden)[""].size() != before;
  }
}

}  // namespace casetrail::adapters
