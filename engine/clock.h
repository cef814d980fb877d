// Clock: the only source of "now". Only main() creates the system clock; everything else takes a
// Clock&, so tests and --manual-clock can move time. Times are UTC microseconds.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "storage/base/result.h"

namespace casetrail::engine {

using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// The times casetrail reads and writes: the years RFC 3339's four digits hold, from
// 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z. Any duration up to their span added to a
// time of the range stays far inside int64 microseconds.
inline constexpr Timestamp kMinTime{std::chrono::microseconds(-62135596800000000)};
inline constexpr Timestamp kMaxTime{std::chrono::microseconds(253402300799999999)};

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() = 0;
};

std::unique_ptr<Clock> NewSystemClock();

// A clock that moves only when told. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start) : now_(start) {}
  Timestamp Now() override;
  void Set(Timestamp t);
  void Advance(std::chrono::microseconds d);

 private:
  std::mutex mu_;
  Timestamp now_;
};

// "2025-01-13T08:40:00Z", with ".ffffff" only when the microseconds are not zero. Total: a time
// outside [kMinTime, kMaxTime] is written as the nearer end (such times only arise from corrupt
// records or arithmetic on the ends; the parser never returns them).
std::string FormatRfc3339(Timestamp t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)" ('t' and 'z' too) whose UTC instant lies in
// [kMinTime, kMaxTime], so every accepted time formats and parses back to the same instant.
// The shape is checked here, the calendar, clock and offset by the date library (date::parse).
// kInvalidArgument otherwise; the message never repeats the input.
Result<Timestamp> ParseRfc3339(std::string_view text);

}  // namespace casetrail::engine
