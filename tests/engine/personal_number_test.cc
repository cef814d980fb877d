// Every number here is a made-up test number; each rejected one breaks exactly one rule (its check
// digit is right unless the check digit is what is tested), so each expectation pins that rule.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "engine/personal_number.h"
#include "storage/base/status_matchers.h"

namespace casetrail::engine {
namespace {

using ::testing::HasSubstr;

constexpr int kYear = 2025;

std::string Canonical(std::string_view in, int current_year = kYear) {
  auto pn = ParsePersonalNumber(in, current_year);
  return pn.ok() ? pn->canonical : "error: " + pn.status().ToString();
}

// The reason in the message, so that a rejection for the wrong rule fails the test.
std::string Reason(std::string_view in, int current_year = kYear) {
  auto pn = ParsePersonalNumber(in, current_year);
  if (pn.ok()) return "accepted";
  EXPECT_THAT(pn, StatusIs(StatusCode::kInvalidArgument)) << in;
  return std::string(pn.status().message());
}

TEST(PersonalNumberTest, AcceptsEverySpellingAndCanonicalises) {
  for (const char* s : {"19121212-1212", "191212121212", "121212+1212", " 19121212-1212 ", "\t191212121212\r\n"}) {
    auto pn = ParsePersonalNumber(s, kYear);
    ASSERT_THAT(pn, IsOk()) << s;
    EXPECT_EQ(pn->canonical, "191212121212") << s;
    EXPECT_EQ(pn->birth_year, 1912);
    EXPECT_FALSE(pn->coordination);
  }
  EXPECT_EQ(Canonical("20080808-0014"), "200808080014");
  EXPECT_EQ(Canonical("080808-0014"), "200808080014");
  EXPECT_EQ(Canonical("0808080014"), "200808080014");
}

TEST(PersonalNumberTest, CenturyIsTheLatestNotInTheFuture) {
  EXPECT_EQ(Canonical("250101-1239"), "202501011239");  // this year
  EXPECT_EQ(Canonical("260101-1238"), "192601011238");  // next year has not happened yet
  EXPECT_EQ(Canonical("260101-1238", 2026), "202601011238");
  EXPECT_EQ(Canonical("260101+1238"), "182601011238");  // '+': another hundred years back
  EXPECT_EQ(Canonical("121212-1212"), "201212121212");
  EXPECT_EQ(Canonical("121212+1212"), "191212121212");
}

TEST(PersonalNumberTest, ChecksTheLuhnDigit) {
  EXPECT_EQ(Canonical("19121212-1212"), "191212121212");
  for (char c = '0'; c <= '9'; ++c) {
    if (c == '2') continue;
    std::string wrong = std::string("19121212-121") + c;
    EXPECT_THAT(Reason(wrong), HasSubstr("check digit")) << wrong;
  }
  EXPECT_THAT(Reason("20080808-0012"), HasSubstr("check digit"));
}

TEST(PersonalNumberTest, RejectsImpossibleDates) {
  EXPECT_EQ(Canonical("20000229-1235"), "200002291235");  // divisible by 400: leap year
  EXPECT_EQ(Canonical("000229-1235"), "200002291235");
  EXPECT_EQ(Canonical("20240229-1237"), "202402291237");
  EXPECT_THAT(Reason("19000229-1235"), HasSubstr("date"));  // divisible by 100: not a leap year
  EXPECT_THAT(Reason("20230229-1238"), HasSubstr("date"));
  EXPECT_THAT(Reason("19900230-1233"), HasSubstr("date"));
  EXPECT_THAT(Reason("19121312-1211"), HasSubstr("date"));  // month 13
  EXPECT_THAT(Reason("19120012-1216"), HasSubstr("date"));  // month 0
}

TEST(PersonalNumberTest, RejectsBirthYearsInTheFuture) {
  EXPECT_THAT(Reason("20301212-1210"), HasSubstr("date"));
  EXPECT_EQ(Canonical("20301212-1210", 2030), "203012121210");
}

TEST(PersonalNumberTest, DayPlusSixtyIsACoordinationNumber) {
  auto pn = ParsePersonalNumber("19900161-1236", kYear);  // 1 January + 60
  ASSERT_THAT(pn, IsOk());
  EXPECT_TRUE(pn->coordination);
  EXPECT_EQ(pn->canonical, "199001611236");  // the day stays as written
  EXPECT_EQ(pn->birth_year, 1990);

  EXPECT_TRUE(ParsePersonalNumber("19900191-1230", kYear)->coordination);  // 31 January + 60
  EXPECT_TRUE(ParsePersonalNumber("121272-1219", kYear)->coordination);
  EXPECT_EQ(Canonical("20000289-1232"), "200002891232");  // 29 February 2000 + 60
  EXPECT_THAT(Reason("19000289-1232"), HasSubstr("date"));
  EXPECT_THAT(Reason("19900160-1237"), HasSubstr("date"));  // neither a day nor a day + 60
  EXPECT_THAT(Reason("19900192-1239"), HasSubstr("date"));  // 32 January + 60
}

TEST(PersonalNumberTest, RejectsAnythingButTheFiveSpellings) {
  for (const char* bad : {"", "   ", "19121212+1212", "19121212_1212", "19121212--1212", "1912-12-12-1212",
                          "19121212 -1212", "1912121 2-1212", "191212121212x", "x191212121212", "19121212-12120",
                          "1912121212123", "1212121-212", "121212-121", "12121212", "121212/1212", "121212-12 12",
                          "\xef\xbc\x91\x39\x31\x32\x31\x32\x31\x32\x2d\x31\x32\x31\x32"}) {
    EXPECT_THAT(Reason(bad), HasSubstr("format")) << bad;
  }
}

TEST(PersonalNumberTest, ErrorsNeverRepeatTheDigits) {
  for (const char* bad : {"19121212-1213", "19000229-1235", "20301212-1210", "19121212_1212", "19121212+1212"}) {
    auto r = ParsePersonalNumber(bad, kYear);
    ASSERT_THAT(r, StatusIs(StatusCode::kInvalidArgument)) << bad;
    std::string all = r.status().ToString();
    EXPECT_EQ(all.find_first_of("0123456789"), std::string::npos) << all;
  }
}

}  // namespace
}  // namespace casetrail::engine

namespace casetrail::engine {
namespace {

TEST(ContainsPersonalNumberTest, FindsEveryAcceptedSpellingInsideTextAndNothingElse) {
  EXPECT_TRUE(ContainsPersonalNumber("ref 19121212-1212 per brev", 2026));
  EXPECT_TRUE(ContainsPersonalNumber("191212121212", 2026));
  EXPECT_TRUE(ContainsPersonalNumber("(121212-1212)", 2026));
  EXPECT_FALSE(ContainsPersonalNumber("dnr 2025/117, 2025-01-17", 2026));
  EXPECT_FALSE(ContainsPersonalNumber("19121212-1213", 2026)) << "wrong check digit";
  EXPECT_FALSE(ContainsPersonalNumber("tel 0701234567", 2026));
  EXPECT_FALSE(ContainsPersonalNumber("", 2026));
  EXPECT_FALSE(ContainsPersonalNumber("Art. 17.1 a", 2026));
}

}  // namespace
}  // namespace casetrail::engine
