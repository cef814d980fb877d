#include "adapters/demo/test_series.h"

#include <cstdio>

#include "engine/personal_number.h"

namespace casetrail::adapters {
namespace {

// The Luhn digit (weights 2 and 1) that completes the nine digits YYMMDDNNN.
int ControlDigit(const char* nine) {
  int sum = 0;
  for (int i = 0; i < 9; ++i) {
    int d = (nine[i] - '0') * (i % 2 == 0 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  return (10 - sum % 10) % 10;
}

}  // namespace

std::string TestSeriesNumber(int year, int month, int day, int birth_number) {
  char nine[10];
  std::snprintf(nine, sizeof(nine), "%02d%02d%02d%03d", year % 100, month, day, birth_number);
  char out[16];
  std::snprintf(out, sizeof(out), "%04d%02d%02d-%03d%d", year, month, day, birth_number, ControlDigit(nine));
  return out;
}

bool IsTestSeriesNumber(const std::string& number) {
  if (number.size() != 12 && number.size() != 13) return false;  // the 12-digit forms only
  auto parsed = engine::ParsePersonalNumber(number, 9999);
  if (!parsed.ok() || parsed->coordination) return false;
  const int birth_number = std::stoi(parsed->canonical.substr(8, 3));
  return birth_number >= 980 && birth_number <= 999;
}

}  // namespace casetrail::adapters
