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

}  // namespace

void SuppressSmallCells(json::object& block, int threshold, const std::string& prefix, std::vector<std::string>* out) {
  if (threshold <= 1) return;
  auto hide = [&](json::value& v, const std::string& path) {
    if (v.is_null()) return;
    v = nullptr;
    out->push_back(prefix + path);
  };
  for (const char* key : {"referrals", "cases_booked", "group_activities"}) {
    if (auto* v = block.if_contains(key); v && Small(*v, threshold)) hide(*v, key);
  }
  if (auto* held = block.if_contains("conversations_held"); held && held->is_object()) {
    auto& h = held->as_object();
    const char* parts[] = {"women", "men", "unknown"};
    int hidden = 0;
    for (const char* k : parts) {
      if (Small(h[k], threshold)) {
        hide(h[k], std::string("conversations_held.") + k);
        ++hidden;
      }
    }
    if (Small(h["total"], threshold)) hide(h["total"], "conversations_held.total");
    if (hidden == 1 && !h["total"].is_null()) {
      // One hidden part next to a shown total could be derived: hide the smallest other part too.
      const char* next = nullptr;
      for (const char* k : parts) {
        if (!h[k].is_null() && (!next || Count(h[k]) < Count(h[next]))) next = k;
      }
      if (next) hide(h[next], std::string("conversations_held.") + next);
    }
  }
  for (const char* key : {"started_after_conversation", "rom_started"}) {
    auto* r = block.if_contains(key);
    if (!r || !r->is_object()) continue;
    auto& o = r->as_object();
    const int64_t n = Count(o["numerator"]), d = Count(o["denominator"]);
    const bool small = Small(o["numerator"], threshold) || Small(o["denominator"], threshold) ||
                       (d - n >= 1 && d - n < threshold);
    if (small) {
      hide(o["numerator"], std::string(key) + ".numerator");
      hide(o["denominator"], std::string(key) + ".denominator");
      hide(o["share"], std::string(key) + ".share");
    }
  }
}

}  // namespace casetrail::adapters
