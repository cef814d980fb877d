#include "replay/stockholm_time.h"

#include <date/tz.h>

namespace casetrail::replay {
namespace {
const date::time_zone* Stockholm() {
  static const date::time_zone* zone = date::locate_zone("Europe/Stockholm");
  return zone;
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

std::string StockholmDate(engine::Timestamp t) {
  auto local = Stockholm()->to_local(date::sys_time<std::chrono::microseconds>(t.time_since_epoch()));
  return date::format("%F", date::floor<date::days>(local));
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
