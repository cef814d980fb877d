#include "adapters/http/indicator_bands_json.h"

namespace casetrail::adapters {
namespace json = boost::json;

json::object ByAgeBandJson(const std::map<std::string, replay::SuppressedSet>& bands, const std::string& prefix,
                           std::vector<std::string>* hidden) {
  json::object referrals, booked, held, i2, i3;
  auto ratio = [&](const replay::SuppressedSet& s, const replay::Ratio& r, const std::string& name,
                   const std::string& band) -> json::value {
    if (!s.Hidden(name)) {
      return json::object{{"numerator", r.numerator},
                          {"denominator", r.denominator},
                          {"share", r.denominator ? json::value(static_cast<double>(r.numerator) / r.denominator)
                                                  : json::value(nullptr)}};
    }
    json::object out{{"numerator", nullptr}, {"denominator", nullptr}, {"share", nullptr}};
    for (const char* f : {"numerator", "denominator", "share"}) {
      // A ratio without a denominator has no share to hide (as the unbroken blocks).
      if (std::string(f) == "share" && !r.denominator) continue;
      hidden->push_back(prefix + "by_age_band." + name + "." + band + "." + f);
    }
    return out;
  };
  auto count = [&](const replay::SuppressedSet& s, uint64_t n, const std::string& cell, const std::string& figure,
                   const std::string& band) -> json::value {
    if (!s.Hidden(cell)) return n;
    hidden->push_back(prefix + "by_age_band." + figure + "." + band);
    return nullptr;
  };
  for (const auto& band : replay::AgeBands()) {
    static const replay::SuppressedSet none;
    auto it = bands.find(band);
    const replay::SuppressedSet& s = it == bands.end() ? none : it->second;
    referrals[band] = count(s, s.figures.referrals, "referrals", "referrals", band);
    booked[band] = count(s, s.figures.cases_booked, "cases_booked", "cases_booked", band);
    held[band] = count(s, s.figures.HeldTotal(), "conversations_held.total", "conversations_held", band);
    i2[band] = ratio(s, s.figures.started_after_conversation, "started_after_conversation", band);
    i3[band] = ratio(s, s.figures.rom_started, "rom_started", band);
  }
  return {{"referrals", std::move(referrals)},
          {"cases_booked", std::move(booked)},
          {"conversations_held", std::move(held)},
          {"started_after_conversation", std::move(i2)},
          {"rom_started", std::move(i3)}};
}

}  // namespace casetrail::adapters
