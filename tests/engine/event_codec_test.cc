// The event codec on empty and short input (fuzzing, "Hardening"): an empty envelope is corrupt,
// never a null pointer handed to memcpy.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/event.h"
#include "storage/base/status_matchers.h"

namespace casetrail::engine {
namespace {

TEST(EventCodecTest, EmptyInputIsDataLoss) {
  EXPECT_THAT(DecodeEvent("case_referred", std::string_view()), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(DecodeEvent("case_referred", ""), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(DecodeFields(std::string_view()), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(DecodeFields(""), StatusIs(StatusCode::kDataLoss));
}

TEST(EventCodecTest, ShortOrRaggedInputIsDataLoss) {
  for (std::string_view bad : {std::string_view("\0", 1), std::string_view("1234567"), std::string_view("123456789")}) {
    EXPECT_THAT(DecodeEvent("case_referred", bad), StatusIs(StatusCode::kDataLoss)) << bad.size();
    EXPECT_THAT(DecodeFields(bad), StatusIs(StatusCode::kDataLoss)) << bad.size();
  }
  EXPECT_THAT(DecodeFields(std::string(8, '\0')), StatusIs(StatusCode::kDataLoss));
}

TEST(EventCodecTest, RoundTrips) {
  Fields fields{{"note", Value{std::string("hej")}}};
  auto back = DecodeFields(EncodeFields(fields));
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(*back, fields);
  Event e;
  e.type = "case_referred";
  e.meta.workflow = "study_referral";
  e.facts = fields;
  auto decoded = DecodeEvent(e.type, EncodeEvent(e));
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(decoded->meta.workflow, "study_referral");
  EXPECT_EQ(decoded->facts, fields);
}

}  // namespace
}  // namespace casetrail::engine
