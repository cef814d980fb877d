// Retention ("gallring"): a policy file's rules erase subjects a set time after their cases end,
// a legal hold blocks it, every run is recorded, and the erasure goes through the ledger.
#include "engine/retention.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/engine_harness.h"

namespace casetrail::testing {
namespace {

constexpr const char* kPolicy = R"({"version":"2025-1","rules":[
  {"id":"cases-ended","when":"all_cases_ended","after_days":730,"decision_ref":"AF-2024/0042"},
  {"id":"never-referred","when":"no_case","after_days":90,"decision_ref":"AF-2024/0042"}]})";

class RetentionTest : public ::testing::Test {
 protected:
  RetentionTest() : ledger_(h_.dir().Sub("erasure-ledger")) { h_.service().SetErasureLedger(&ledger_); }

  engine::RetentionPolicy Policy() {
    auto p = engine::ParseRetentionPolicy(kPolicy);
    EXPECT_THAT(p, IsOk());
    return *p;
  }
  // A subject whose only case the customer declined on `day` (closed).
  std::string Declined(int n) {
    std::string s = h_.NewSubject(TestNumber(n), "Person " + std::to_string(n));
    h_.Consent(s);
    auto c = h_.Refer(s);
    EXPECT_THAT(c, IsOk());
    EXPECT_THAT(h_.Run(c->case_id, kOfficerJarva, "RecordCustomerDeclined"), IsOk());
    return s;
  }
  Result<engine::RetentionReport> Run() {
    return engine::RunRetention(h_.service(), h_.log(), h_.registry(), Policy(), h_.clock().Now());
  }

  EngineHarness h_;
  storage::ErasureLedger ledger_;
};

TEST_F(RetentionTest, PolicyFileIsValidated) {
  EXPECT_THAT(engine::ParseRetentionPolicy("[]"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(engine::ParseRetentionPolicy(R"({"version":"1","rules":[{"id":"x","when":"someday","after_days":1,"decision_ref":"d"}]})"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(engine::ParseRetentionPolicy(R"({"version":"1","rules":[{"id":"x","when":"no_case","after_days":-1,"decision_ref":"d"}]})"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(engine::ParseRetentionPolicy(R"({"version":"1","rules":[{"id":"x","when":"no_case","after_days":1}]})"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(engine::ParseRetentionPolicy(R"({"version":"1","rules":[],"colour":1})"), StatusIs(StatusCode::kInvalidArgument));
  auto p = engine::ParseRetentionPolicy(kPolicy);
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->rules.size(), 2u);
}

TEST_F(RetentionTest, DueOnlyAfterThePeriodAndNotUnderALegalHold) {
  const std::string ended = Declined(1);
  const std::string held = Declined(2);
  const std::string open = h_.NewSubject(TestNumber(3), "Open Case");
  h_.Consent(open);
  ASSERT_THAT(h_.Refer(open), IsOk());
  const std::string lonely = h_.NewSubject(TestNumber(4), "Never Referred");
  ASSERT_THAT(h_.service().SetLegalHold(EngineHarness::As(kCompliance), held, true, "JO-2025-17"), IsOk());
  EXPECT_THAT(h_.service().SetLegalHold(EngineHarness::As(kOfficerJarva), held, true, "x"),
              StatusIs(StatusCode::kPermissionDenied));

  // After 100 days only the never-referred subject is due.
  h_.SetTime("2025-04-23T09:00:00+02:00");
  auto first = Run();
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->examined, 4u);
  EXPECT_THAT(first->erased_subjects, ::testing::ElementsAre(lonely));
  EXPECT_EQ(first->held, 0u);

  // Two years and a day after the cases ended: the ended one is erased, the held one is not,
  // the open one never is.
  h_.SetTime("2027-01-14T09:00:00+01:00");
  auto second = Run();
  ASSERT_THAT(second, IsOk());
  EXPECT_THAT(second->erased_subjects, ::testing::ElementsAre(ended));
  EXPECT_EQ(second->held, 1u);
  EXPECT_TRUE(h_.service().LoadSubject(ended)->erased);
  EXPECT_FALSE(h_.keys().HasKey(ended));
  EXPECT_TRUE(h_.keys().HasKey(held));
  EXPECT_TRUE(h_.keys().HasKey(open));
  EXPECT_EQ(h_.Types(engine::SubjectStream(ended)).back(), "GallringExecuted");

  // Lifting the hold lets the next run erase.
  ASSERT_THAT(h_.service().SetLegalHold(EngineHarness::As(kCompliance), held, false, "JO-2025-17"), IsOk());
  auto third = Run();
  ASSERT_THAT(third, IsOk());
  EXPECT_THAT(third->erased_subjects, ::testing::ElementsAre(held));

  // Every run is on record, and every retention erasure is in the ledger for restores.
  EXPECT_EQ(h_.Types(engine::RetentionRunStream()).size(), 3u);
  auto entries = ledger_.ReadAll();
  ASSERT_THAT(entries, IsOk());
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[1].legal_basis, "retention:cases-ended");
  EXPECT_EQ((*entries)[1].reference, "AF-2024/0042");
  auto report = h_.log().Verify(nullptr);
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->ok);
}

}  // namespace
}  // namespace casetrail::testing
