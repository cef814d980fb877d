#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/personal_number.h"
#include "storage/base/status_matchers.h"

namespace casetrail::engine {
namespace {

TEST(PersonalNumberTest, AcceptsEverySpellingAndCanonicalises) {
  for (const char* s : {"19121212-1212", "191212121212", "121212+1212", " 19121212-1212 "}) {
    auto pn = ParsePersonalNumber(s, 2025);
    ASSERT_THAT(pn, IsOk()) << s;
    EXPECT_EQ(pn->canonical, "191212121212") << s;
    EXPECT_EQ(pn->birth_year, 1912);
    EXPECT_FALSE(pn->coordination);
  }
}

TEST(PersonalNumberTest, CenturyFollowsTheCurrentYearAndPlusSign) {
  EXPECT_EQ(ParsePersonalNumber("910315-1230", 2025)->birth_year, 1991);
  EXPECT_EQ(ParsePersonalNumber("000229-1235", 2025)->canonical, "200002291235");  // 2000 was a leap year
  EXPECT_EQ(ParsePersonalNumber("121212-1212", 2025)->birth_year, 2012);  // '-': under 100
  EXPECT_EQ(ParsePersonalNumber("121212+1212", 2025)->birth_year, 1912);  // '+': 100 or older
}

TEST(PersonalNumberTest, RecognisesCoordinationNumbers) {
  auto pn = ParsePersonalNumber("19900161-1236", 2025);  // day 61 = the 1st + 60
  ASSERT_THAT(pn, IsOk());
  EXPECT_TRUE(pn->coordination);
}

TEST(PersonalNumberTest, RejectsWrongCheckDigitDateAndFormat) {
  EXPECT_THAT(ParsePersonalNumber("19121212-1213", 2025), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParsePersonalNumber("19000229-1235", 2025), StatusIs(StatusCode::kInvalidArgument));  // 1900: no Feb 29
  EXPECT_THAT(ParsePersonalNumber("19121312-1212", 2025), StatusIs(StatusCode::kInvalidArgument));  // month 13
  EXPECT_THAT(ParsePersonalNumber("19121292-1212", 2025), StatusIs(StatusCode::kInvalidArgument));  // day 92
  EXPECT_THAT(ParsePersonalNumber("20301212-1212", 2025), StatusIs(StatusCode::kInvalidArgument));  // future
  for (const char* bad : {"", "1912121212", "19121212+1212", "19121212_1212", "abcdefgh-ijkl", "121212-12120"}) {
    EXPECT_THAT(ParsePersonalNumber(bad, 2025), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
}

TEST(PersonalNumberTest, ErrorsNeverRepeatTheDigits) {
  auto r = ParsePersonalNumber("19121212-1213", 2025);
  ASSERT_FALSE(r.ok());
  std::string m(r.status().message());
  EXPECT_EQ(m.find_first_of("0123456789"), std::string::npos) << m;
}

}  // namespace
}  // namespace casetrail::engine
