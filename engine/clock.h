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

// "2025-01-13T08:40:00Z", with ".ffffff" only when the microseconds are not zero.
std::string FormatRfc3339(Timestamp t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)" ('t' and 'z' too). kInvalidArgument otherwise;
// the message never repeats the input.
Result<Timestamp> ParseRfc3339(std::string_view text);

}  // namespace casetrail::engine
