#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "storage/base/hex.h"
#include "storage/base/ids.h"
#include "storage/base/result.h"
#include "storage/base/status_matchers.h"

namespace casetrail {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  CT_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(StatusTest, OkIsCheapAndDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, CarriesCodeMessageAndContext) {
  Status s = Aborted("conflict").With("current_version", "3");
  EXPECT_THAT(s, StatusIs(StatusCode::kAborted));
  EXPECT_EQ(s.Get("current_version"), "3");
  EXPECT_EQ(s.Get("missing"), "");
  Status copy = s;
  EXPECT_EQ(copy.ToString(), "ABORTED: conflict current_version=3");
}

TEST(ResultTest, PropagatesErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_THAT(Quarter(6), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Quarter(8), IsOk());
}

TEST(ResultTest, OkStatusIsABug) {
  Result<int> r{Status::Ok()};
  EXPECT_THAT(r, StatusIs(StatusCode::kInternal));
}

TEST(HexTest, RoundTripsAndRejectsBadInput) {
  EXPECT_EQ(ToHex("\x01\xab"), "01ab");
  EXPECT_EQ(*FromHex("01AB"), "\x01\xab");
  EXPECT_FALSE(FromHex("0"));
  EXPECT_FALSE(FromHex("zz"));
}

TEST(IdsTest, StrongTypesCompareByValue) {
  EXPECT_EQ(StreamId("case:C-1"), StreamId("case:C-1"));
  EXPECT_LT(Position(1), Position(2));
  static_assert(!std::is_convertible_v<Position, StreamVersion>);
}

}  // namespace
}  // namespace casetrail
