#include "engine/personal_number.h"

#include <algorithm>
#include <chrono>

namespace casetrail::engine {
namespace {

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

int Num(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// Luhn over the ten digits YYMMDDNNNC: doubling every other digit from the first.
bool LuhnOk(std::string_view ten) {
  int sum = 0;
  for (size_t i = 0; i < 10; ++i) {
    int d = ten[i] - '0';
    if (i % 2 == 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 == 0;
}

}  // namespace

Result<PersonalNumber> ParsePersonalNumber(std::string_view in, int current_year) {
  // Pasted numbers often carry a trailing newline or CR; trimming all ASCII space accepts them.
  constexpr std::string_view kSpace = " \t\n\r\v\f";
  in.remove_prefix(std::min(in.find_first_not_of(kSpace), in.size()));
  in.remove_suffix(in.size() - std::min(in.find_last_not_of(kSpace) + 1, in.size()));
  std::string digits;
  char separator = 0;
  if ((in.size() == 13 || in.size() == 11) && (in[in.size() - 5] == '-' || in[in.size() - 5] == '+')) {
    separator = in[in.size() - 5];
    digits = std::string(in.substr(0, in.size() - 5)) + std::string(in.substr(in.size() - 4));
  } else {
    digits = std::string(in);
  }
  if (!AllDigits(digits) || (digits.size() != 12 && digits.size() != 10) ||
      (digits.size() == 12 && separator == '+')) {
    return InvalidArgument("personal number has an invalid format");
  }
  int year;
  if (digits.size() == 12) {
    year = Num(std::string_view(digits).substr(0, 4));
  } else {
    int yy = Num(std::string_view(digits).substr(0, 2));
    year = current_year - ((current_year - yy) % 100 + 100) % 100;
    if (separator == '+') year -= 100;
    digits = std::to_string(year) + digits.substr(2);
    if (digits.size() != 12) return InvalidArgument("personal number has an invalid format");
  }
  const std::string_view ten = std::string_view(digits).substr(2);
  int month = Num(ten.substr(2, 2)), day = Num(ten.substr(4, 2));
  bool coordination = day > 60;
  if (coordination) day -= 60;
  std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month), std::chrono::day(day)};
  if (!date.ok() || year > current_year) return InvalidArgument("personal number has an invalid date");
  if (!LuhnOk(ten)) return InvalidArgument("personal number has an invalid check digit");
  return PersonalNumber{digits, coordination, year};
}

bool ContainsPersonalNumber(std::string_view text, int current_year) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  for (size_t i = 0; i < text.size(); ++i) {
    if (!digit(text[i]) || (i > 0 && digit(text[i - 1]))) continue;  // the start of a run of digits
    // Take up to 12 digits, allowing one '-' or '+' between them.
    std::string candidate;
    size_t digits = 0;
    for (size_t j = i; j < text.size() && digits < 12; ++j) {
      if (digit(text[j])) {
        candidate += text[j];
        ++digits;
      } else if ((text[j] == '-' || text[j] == '+') && digits >= 6 && candidate.find_first_of("-+") == std::string::npos &&
                 j + 1 < text.size() && digit(text[j + 1])) {
        candidate += text[j];
      } else {
        break;
      }
      if ((digits == 10 || digits == 12) && ParsePersonalNumber(candidate, current_year).ok()) return true;
    }
  }
  return false;
}

}  // namespace casetrail::engine
