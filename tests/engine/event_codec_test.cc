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

// Found by fuzzing the record decoders: text was read up to its first zero byte, so a note or a
// name sent as "a\u0000b" (valid JSON, accepted by the API) was stored whole and read back as "a".
TEST(EventCodecTest, TextWithAZeroByteReadsBackWhole) {
  const std::string text("before\0after", 12);
  Fields fields{{"note", Value{text}}, {"scopes", Value{std::vector<std::string>{text}}}, {text, Value{true}}};
  auto back = DecodeFields(EncodeFields(fields));
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(*back, fields);
  Event e;
  e.type = "case_referred";
  e.meta.workflow = text;
  e.meta.actor.id = text;
  e.facts = fields;
  e.outcome = CaseOutcome{text, text, std::string("\0x", 2)};
  auto decoded = DecodeEvent(e.type, EncodeEvent(e));
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(decoded->meta.workflow, text);
  EXPECT_EQ(decoded->meta.actor.id, text);
  EXPECT_EQ(decoded->facts, fields);
  EXPECT_EQ(decoded->outcome, e.outcome);
}

}  // namespace
}  // namespace casetrail::engine

namespace casetrail::engine {
namespace {

// Issue 17: a sign-in's level of assurance travels in the envelope; an envelope without it (a
// static token, every event written before) carries no such field and reads back "".
TEST(EventCodecTest, TheActorsAcrRoundTripsAndIsAbsentWhenEmpty) {
  Event e;
  e.type = "case_referred";
  e.meta.actor = {"oidc:af-jarva", "af_officer", "jarva", "oidc:pwd+otp", "", "http://id.elegnamnden.se/loa/1.0/loa3"};
  auto decoded = DecodeEvent(e.type, EncodeEvent(e));
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(decoded->meta.actor.acr, "http://id.elegnamnden.se/loa/1.0/loa3");
  EXPECT_EQ(decoded->meta.actor.auth, "oidc:pwd+otp");
  Event plain = e;
  plain.meta.actor.acr = "";
  const std::string without = EncodeEvent(plain);
  EXPECT_LT(without.size(), EncodeEvent(e).size());
  auto back = DecodeEvent(plain.type, without);
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(back->meta.actor.acr, "");
}

}  // namespace
}  // namespace casetrail::engine
