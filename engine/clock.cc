#include "engine/clock.h"

#include <date/date.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace casetrail::engine {
namespace {

class SystemClock final : public Clock {
 public:
  Timestamp Now() override {
    return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  }
};

Status Invalid() { return InvalidArgument("not an RFC 3339 time"); }

}  // namespace

std::unique_ptr<Clock> NewSystemClock() { return std::make_unique<SystemClock>(); }

Timestamp FakeClock::Now() {
  std::lock_guard lock(mu_);
  return now_;
}
void FakeClock::Set(Timestamp t) {
  std::lock_guard lock(mu_);
  now_ = t;
}
void FakeClock::Advance(std::chrono::microseconds d) {
  std::lock_guard lock(mu_);
  now_ += d;
}

std::string FormatRfc3339(Timestamp t) {
  t = std::clamp(t, kMinTime, kMaxTime);  // the rest cannot overflow, and years keep four digits
  auto days = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd(days);
  std::chrono::hh_mm_ss hms(t - days);
  char buf[48];
  int n = std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                        static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                        static_cast<int>(hms.seconds().count()));
  if (auto us = hms.subseconds().count(); us != 0) {
    n += std::snprintf(buf + n, sizeof(buf) - n, ".%06lld", static_cast<long long>(us));
  }
  std::snprintf(buf + n, sizeof(buf) - n, "Z");
  return buf;
}

Result<Timestamp> ParseRfc3339(std::string_view s) {
  // RFC 3339's grammar is stricter than the date library's reader (which takes one-digit fields,
  // a space for 'T', and rounds fractions), so the shape is checked here; the calendar, the clock,
  // the offset and the arithmetic are the library's.
  auto digits = [&](size_t pos, size_t n) {
    if (pos + n > s.size()) return false;
    for (size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
    }
    return true;
  };
  if (s.size() < 20 || !digits(0, 4) || s[4] != '-' || !digits(5, 2) || s[7] != '-' || !digits(8, 2) ||
      (s[10] != 'T' && s[10] != 't') || !digits(11, 2) || s[13] != ':' || !digits(14, 2) || s[16] != ':' ||
      !digits(17, 2)) {
    return Invalid();
  }
  std::string text(s.substr(0, 19));
  text[10] = 'T';
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    const size_t start = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start || pos - start > 9) return Invalid();
    text += '.';
    text += s.substr(start, std::min<size_t>(pos - start, 6));  // to the microsecond, the rest dropped
  }
  if (pos + 1 == s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    text += "+00:00";
  } else if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') && digits(pos + 1, 2) && s[pos + 3] == ':' &&
             digits(pos + 4, 2)) {
    if (s[pos + 1] > '2' || (s[pos + 1] == '2' && s[pos + 2] > '3') || s[pos + 4] > '5') return Invalid();
    text += s.substr(pos);
  } else {
    return Invalid();
  }
  std::istringstream in(text);
  in.imbue(std::locale::classic());
  date::sys_time<std::chrono::microseconds> t;
  in >> date::parse("%Y-%m-%dT%H:%M:%S%Ez", t);  // the offset is subtracted: t is UTC
  if (in.fail() || in.peek() != std::char_traits<char>::eof()) return Invalid();
  // The formatter cannot write an instant outside the range, so the parser does not return one.
  if (t < kMinTime || t > kMaxTime) return Invalid();
  return Timestamp(t);
}

}  // namespace casetrail::engine
