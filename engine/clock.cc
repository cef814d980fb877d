#include "engine/clock.h"

#include <algorithm>
#include <cstdio>

namespace casetrail::engine {
namespace {

class SystemClock final : public Clock {
 public:
  Timestamp Now() override {
    return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  }
};

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

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
  int y, mo, d, h, mi, sec;
  if (s.size() < 20 || !Digits(s, 0, 4, &y) || s[4] != '-' || !Digits(s, 5, 2, &mo) || s[7] != '-' ||
      !Digits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || !Digits(s, 11, 2, &h) || s[13] != ':' ||
      !Digits(s, 14, 2, &mi) || s[16] != ':' || !Digits(s, 17, 2, &sec)) {
    return Invalid();
  }
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(mo), std::chrono::day(d)};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 59) return Invalid();
  size_t pos = 19;
  int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    size_t start = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    size_t n = pos - start;
    if (n == 0 || n > 9) return Invalid();
    for (size_t i = 0; i < 6; ++i) micros = micros * 10 + (i < n ? s[start + i] - '0' : 0);
  }
  int offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!Digits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !Digits(s, pos + 4, 2, &om) ||
        oh > 23 || om > 59) {
      return Invalid();
    }
    offset_minutes = (s[pos] == '+' ? 1 : -1) * (oh * 60 + om);
    pos += 6;
  } else {
    return Invalid();
  }
  if (pos != s.size()) return Invalid();
  // Years 0000-9999 with offsets under a day stay far inside int64 microseconds.
  const Timestamp t = std::chrono::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) +
                      std::chrono::seconds(sec) + std::chrono::microseconds(micros) -
                      std::chrono::minutes(offset_minutes);
  // The formatter cannot write an instant outside the range, so the parser does not return one.
  if (t < kMinTime || t > kMaxTime) return Invalid();
  return t;
}

}  // namespace casetrail::engine
