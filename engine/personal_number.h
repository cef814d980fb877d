// Swedish personal identity numbers (personnummer) and coordination numbers (samordningsnummer):
// a date of birth (for coordination numbers the day plus 60), a three-digit serial and a Luhn
// check digit over the last ten digits.
//
// Messages never contain the input or any of its digits: it is personal data.
#pragma once

#include <string>
#include <string_view>

#include "storage/base/result.h"

namespace casetrail::engine {

struct PersonalNumber {
  std::string canonical;  // 12 digits YYYYMMDDNNNC
  bool coordination = false;
  int birth_year = 0;
};

// Accepts YYYYMMDD-NNNC, YYYYMMDDNNNC, YYMMDD-NNNC, YYMMDDNNNC and YYMMDD+NNNC ('+': aged 100 or
// more). A 10-digit number belongs to the latest century that puts its year at or before
// `current_year`. kInvalidArgument if the format, date or check digit is wrong.
Result<PersonalNumber> ParsePersonalNumber(std::string_view input, int current_year);

// Whether free text holds something that parses as a personal or coordination number (10 or 12
// digits, with or without '-' or '+' before the last four). Free text kept in clear (erasure
// references, deviation summaries) is refused when it does: it would outlive an erasure.
bool ContainsPersonalNumber(std::string_view text, int current_year);

}  // namespace casetrail::engine
