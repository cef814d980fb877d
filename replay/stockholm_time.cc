#include "replay/stockholm_time.h"

#include <date/tz.h>

#include <algorithm>
#include <cstdio>

namespace casetrail::replay {
namespace {
const date::time_zone* Stockholm() {
  static const date::time_zone* zone = date::locate_zone("Europe/Stockholm");
  return zone;
}

std::string DateOf(engine::Timestamp t) {
  // Inside the time range the offset cannot overflow; the local date may still be 10000-01-01
  // (after 23:00 UTC on the last day), so the date is clamped too. Formatted by hand:
  // date::format throws on a year it cannot write.
  t = std::clamp(t, engine::kMinTime, engine::kMaxTime);
  const auto local = Stockholm()->to_local(date::sys_time<std::chrono::microseconds>(t.time_since_epoch()));
  constexpr date::local_days kFirst{date::year{1} / 1 / 1}, kLast{date::year{9999} / 12 / 31};
  const date::year_month_day ymd{std::clamp(date::floor<date::days>(local), kFirst, kLast)};
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}
}  // namespace

Result<engine::Timestamp> EndOfStockholmDay(std::string_view d) {
  auto start = engine::ParseRfc3339(std::string(d) + "T00:00:00Z");  // reuses the date checks
  if (d.size() != 10 || !start.ok()) return InvalidArgument("not a date YYYY-MM-DD");
  auto day = std::chrono::floor<std::chrono::days>(*start);
  date::local_days next{date::days((day + std::chrono::days(1)).time_since_epoch().count())};
  auto sys = Stockholm()->to_sys(next);  // local midnight is never skipped or repeated here
  return engine::Timestamp(std::chrono::duration_cast<std::chrono::microseconds>(sys.time_since_epoch()));
}

// A replay asks for the date of every event, and events come in time order: the date is cached
// per UTC hour. Since 1980 Stockholm's offsets are whole hours and change on the hour, so every
// instant of one UTC hour has the same Stockholm date; earlier instants are not cached.
std::string StockholmDate(engine::Timestamp t) {
  constexpr int64_t kHourUs = 3600LL * 1000000;
  constexpr int64_t k1980Us = 315532800LL * 1000000;
  const int64_t us = t.time_since_epoch().count();
  if (us < k1980Us || t > engine::kMaxTime) return DateOf(t);
  thread_local int64_t cached_hour = -1;
  thread_local std::string cached_date;
  const int64_t hour = us / kHourUs;
  if (hour != cached_hour) {
    cached_date = DateOf(t);
    cached_hour = hour;
  }
  return cached_date;
}

engine::Timestamp StockholmTime(int y, int m, int d, int hh, int mm) {
  const auto local = date::local_days{date::year{y} / m / d} + std::chrono::hours(hh) + std::chrono::minutes(mm);
  const auto z = date::make_zoned(Stockholm(), local, date::choose::earliest);
  return std::chrono::time_point_cast<std::chrono::microseconds>(z.get_sys_time());
}

Result<engine::Timestamp> UpperBound(std::string_view s) {
  if (s.size() == 10) return EndOfStockholmDay(s);
  return engine::ParseRfc3339(s);
}

}  // namespace casetrail::replay
