// Fuzz target "times": the RFC 3339, duration, Stockholm date and personal-number parsers.
// Besides memory errors and UB it checks the parsers' promises: every accepted time formats and
// parses back to the same instant; every accepted personal number parses again from its
// canonical form to the same number; formatting and StockholmDate are total.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "engine/clock.h"
#include "engine/personal_number.h"
#include "engine/timers.h"
#include "replay/stockholm_time.h"

using namespace casetrail;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto t = engine::ParseRfc3339(text); t.ok()) {
    auto again = engine::ParseRfc3339(engine::FormatRfc3339(*t));
    if (!again.ok() || *again != *t) std::abort();  // the round trip the parser promises
    (void)replay::StockholmDate(*t);
  }
  (void)replay::EndOfStockholmDay(text);
  (void)replay::UpperBound(text);
  (void)engine::ParseDuration(text);

  if (auto p = engine::ParsePersonalNumber(text, 2025); p.ok()) {
    auto again = engine::ParsePersonalNumber(p->canonical, 2025);
    if (!again.ok() || again->canonical != p->canonical) std::abort();
  }

  // Any 8 bytes as an instant: formatting and the Stockholm date are total over all of int64.
  if (size >= 8) {
    int64_t micros;
    std::memcpy(&micros, data, 8);
    const engine::Timestamp t{std::chrono::microseconds(micros)};
    (void)engine::FormatRfc3339(t);
    (void)replay::StockholmDate(t);
  }
  return 0;
}
