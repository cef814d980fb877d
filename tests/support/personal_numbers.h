// Valid Swedish personal identity numbers for tests (no real person's: serial 123 throughout).
#pragma once

#include <cstdio>
#include <string>

namespace casetrail::testing {

// The n-th of a series of valid personal numbers (born 1960–1999, serial 123, Luhn digit
// computed), for tests that need many distinct subjects.
inline std::string TestNumber(int n) {
  int year = 1960 + n % 40, month = 1 + (n / 40) % 12, day = 1 + (n / 480) % 28;
  char nine[16];
  std::snprintf(nine, sizeof(nine), "%02d%02d%02d%03d", year % 100, month, day, 100 + n % 900);
  int sum = 0;
  for (int i = 0; i < 9; ++i) {
    int d = (nine[i] - '0') * (i % 2 == 0 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  char out[32];
  std::snprintf(out, sizeof(out), "%d%s-%.3s%d", year / 100, std::string(nine, 6).c_str(), nine + 6, (10 - sum % 10) % 10);
  return out;
}

}  // namespace casetrail::testing
