// Personal identity numbers of the test series, the only kind the demo registers: birth numbers
// (the three digits after the date) 980–999, which the series reserves for test persons and which
// are never assigned to real people, with a real date and a valid control digit.
#pragma once

#include <string>

namespace casetrail::adapters {

// "YYYYMMDD-NNNC": a real calendar date, birth number 980–999 (its last digit even for women, odd
// for men) and the Luhn control digit.
std::string TestSeriesNumber(int year, int month, int day, int birth_number);
// Whether `number` ("YYYYMMDD-NNNC" or "YYYYMMDDNNNC") is a valid personal number of the series
// (checked by engine::ParsePersonalNumber; a coordination number is not one).
bool IsTestSeriesNumber(const std::string& number);

}  // namespace casetrail::adapters
