// The DOMAIN.md §7 example case history (F01–F20) driven through the engine with a fake clock,
// and its variants (a)–(d).
#include <set>

#include "engine/snapshot_codec.h"
#include "tests/support/engine_harness.h"

namespace casetrail::testing {
namespace {

using ::testing::ElementsAre;

class FixtureTest : public ::testing::Test {
 protected:
  // Runs F01–F18 and returns the case id; the clock follows the recorded_at column.
  std::string RunThroughF18() {
    h_.SetTime("2025-01-13T09:40:00+01:00");
    subject_ = h_.NewSubject();
    h_.Consent(subject_);                                                               // F01
    h_.SetTime("2025-01-13T09:55:00+01:00");
    auto referral = h_.Refer(subject_);                                                  // F02
    EXPECT_THAT(referral, IsOk());
    const std::string c = referral->case_id;
    EXPECT_EQ(referral->state, "referred");
    EXPECT_EQ(referral->version, 1u);
    Step("2025-01-20T14:10:00+01:00", c, kSyv, "BookConversation",                      // F03
         {{"slot", std::string("2025-01-28T10:00:00+01:00")}, {"mode", std::string("in_person")}}, "booked");
    Step("2025-01-28T10:30:00+01:00", c, kSyv, "RecordNoShow", {}, "referred");           // F05
    Step("2025-02-05T15:00:00+01:00", c, kSyv, "RecordMonthlyReview",                    // F07
         {{"meeting", std::string("monthly:jarva:2025-02")}, {"joint_plan", std::string("rebook_digital")}}, "referred");
    Step("2025-02-06T09:15:00+01:00", c, kSyv, "BookConversation",                      // F08
         {{"slot", std::string("2025-02-12T13:00:00+01:00")}, {"mode", std::string("digital")}}, "booked");
    Step("2025-02-12T13:55:00+01:00", c, kSyv, "RecordConversationHeld",                // F09
         {{"outcome", std::string("no_plan")}}, "unplanned");
    Step("2025-03-05T15:00:00+01:00", c, kSyv, "RecordMonthlyReview",                    // F10
         {{"meeting", std::string("monthly:jarva:2025-03")},
          {"joint_plan", std::string("group_activity_then_syv_follow_up")}}, "unplanned");
    Step("2025-03-17T11:00:00+01:00", c, kSyv, "RecordStudyApplication",                // F11
         {{"level", std::string("upper_secondary")}, {"term_start", std::string("2025-04-07")}}, "unplanned");
    Step("2025-03-18T10:20:00+01:00", c, kSyv, "CreateStudyPlan", {}, "planned");        // F12
    Step("2025-04-09T09:00:00+02:00", c, kVuxContact, "RecordStudiesStarted",           // F13
         {{"start_date", std::string("2025-04-07")}, {"pace", std::string("part_time")}}, "studying",
         "2025-04-07T08:00:00+02:00");
    Step("2025-07-08T13:00:00+02:00", c, kVuxContact, "RecordProgressionFeedback",      // F15
         {{"list", std::string("progression:jarva:2025-Q2")}, {"pace", std::string("part_time")}}, "studying");
    Step("2025-10-07T10:00:00+02:00", c, kVuxContact, "RecordStudyPace",                // F16
         {{"pace", std::string("full_time")}, {"list", std::string("progression:jarva:2025-Q3")}}, "studying",
         "2025-08-18T08:00:00+02:00");
    Step("2025-10-07T10:00:00+02:00", c, kVuxContact, "RecordLackOfProgression",        // F17
         {{"scope", std::string("one_course")}}, "studying", "2025-09-30T08:00:00+02:00");
    Step("2026-01-13T11:00:00+01:00", c, kVuxContact, "RecordInterruption",             // F18
         {{"scope", std::string("all_courses")}, {"reason", std::string("employment")}}, "aborted",
         "2025-11-14T08:00:00+01:00");
    return c;
  }

  void Step(const std::string& at, const std::string& c, const Actor& who, const std::string& command, Fields fields,
            const std::string& expect_state, std::optional<std::string> effective = std::nullopt) {
    h_.SetTime(at);
    auto r = h_.Run(c, who, command, std::move(fields), effective);
    ASSERT_THAT(r, IsOk()) << command;
    EXPECT_EQ(r->state, expect_state) << command;
  }

  EngineHarness h_;
  std::string subject_;
};

TEST_F(FixtureTest, FullHistoryEndsClosedByConsentWithdrawal) {
  const std::string c = RunThroughF18();
  auto before = h_.service().LoadCase(c);
  EXPECT_EQ(before->state, "aborted");
  EXPECT_EQ(before->pace, "full_time");
  h_.SetTime("2026-01-20T09:30:00+01:00");
  ASSERT_THAT(h_.service().WithdrawConsent(EngineHarness::As(kOfficerJarva), subject_,
                                           {"transfer_referral", "share_guidance", "share_study_progress"}),
              IsOk());  // F19, F20
  // Assertion 1: full replay gives Closed(consent_withdrawn); the last study state was Aborted.
  auto full = h_.service().LoadCase(c, std::nullopt, /*use_snapshots=*/false);
  ASSERT_THAT(full, IsOk());
  EXPECT_EQ(full->state, "closed");
  EXPECT_EQ(full->closed_reason, "consent_withdrawn");
  EXPECT_EQ(full->pace, std::nullopt);
  auto at_f18 = h_.service().LoadCase(c, full->version - 1);
  EXPECT_EQ(at_f18->state, "aborted");
  auto events = h_.log().ReadStream(engine::CaseStream(c), StreamVersion(full->version), storage::Direction::kForward, 1);
  auto last = engine::DecodeStored((*events)[0]);
  EXPECT_EQ(last->event.type, "CaseClosed");
  EXPECT_EQ(engine::FormatRfc3339(at_f18->last_recorded_at), "2026-01-13T10:00:00Z");
}

TEST_F(FixtureTest, ReferralAndBookingCountsFromEvents) {
  const std::string c = RunThroughF18();
  // Assertion 5 (the parts the engine owns): one referral; one case booked with two bookings.
  auto types = h_.Types(engine::CaseStream(c));
  EXPECT_EQ(std::count(types.begin(), types.end(), "ReferralSubmitted"), 1);
  EXPECT_EQ(std::count(types.begin(), types.end(), "ConversationBooked"), 2);
  EXPECT_EQ(std::count(types.begin(), types.end(), "ConversationHeld"), 1);
  EXPECT_EQ(std::count(types.begin(), types.end(), "StudiesStarted"), 1);
  auto first = h_.log().ReadStream(engine::CaseStream(c), StreamVersion(1), storage::Direction::kForward, 1);
  auto referral = engine::DecodeStored((*first)[0]);
  EXPECT_EQ(*engine::AsText(referral->event.facts, "gender"), "female");
  EXPECT_EQ(referral->event.facts.at("rom_participant"), Value{true});
}

TEST_F(FixtureTest, CommandAfterWithdrawalIsRefusedForConsentAndRecorded) {
  const std::string c = RunThroughF18();
  h_.SetTime("2026-01-20T09:30:00+01:00");
  ASSERT_THAT(h_.service().WithdrawConsent(EngineHarness::As(kOfficerJarva), subject_, {"transfer_referral"}), IsOk());
  const uint64_t version = h_.service().LoadCase(c)->version;
  h_.SetTime("2026-02-01T10:00:00+01:00");
  // Assertion 6: API.md checks consent (11) before the transition (12).
  auto r = h_.Run(c, kVuxContact, "RecordStudyPace", {{"pace", std::string("part_time")}});
  EXPECT_THAT(r, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(r.status().Get("code"), "consent_missing");
  EXPECT_EQ(r.status().Get("scope"), "transfer_referral");
  EXPECT_EQ(h_.service().LoadCase(c)->version, version) << "a refusal must not touch the case stream";
  EXPECT_THAT(h_.Types(engine::RefusalStream(c)), ElementsAre("CommandRefused"));
}

TEST_F(FixtureTest, RebuildFromSnapshotAfterF12EqualsRebuildFromF01) {
  const std::string c = RunThroughF18();
  // Assertion 7: snapshot after F12 (the case's 9th event) and fold the rest.
  auto at_f12 = h_.service().LoadCase(c, 9, false);
  ASSERT_EQ(at_f12->state, "planned");
  ASSERT_THAT(h_.log().PutSnapshot(engine::CaseStream(c), StreamVersion(9), engine::EncodeSnapshot(*at_f12)), IsOk());
  auto from_snapshot = h_.service().LoadCase(c, std::nullopt, true);
  auto from_start = h_.service().LoadCase(c, std::nullopt, false);
  ASSERT_THAT(from_snapshot, IsOk());
  EXPECT_EQ(*from_snapshot, *from_start);
  EXPECT_EQ(from_start->version, 14u);
}

TEST_F(FixtureTest, VariantA_CustomerDeclines) {
  auto s = h_.NewSubject();
  h_.Consent(s);
  auto r = h_.Refer(s);
  ASSERT_THAT(r, IsOk());
  auto d = h_.Run(r->case_id, kSyv, "RecordCustomerDeclined");
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->state, "closed");
  EXPECT_EQ(h_.service().LoadCase(r->case_id)->closed_reason, "declined");
  auto types = h_.Types(engine::CaseStream(r->case_id));
  EXPECT_EQ(std::count(types.begin(), types.end(), "ConversationBooked"), 0);  // counts in I1a, not I1b
}

TEST_F(FixtureTest, VariantB_CourseCancelledThenReplanned) {
  auto s = h_.NewSubject();
  h_.Consent(s);
  const std::string c = h_.Refer(s)->case_id;
  ASSERT_THAT(h_.Run(c, kSyv, "BookConversation", {{"slot", std::string("2025-01-20T10:00:00+01:00")}}), IsOk());
  h_.SetTime("2025-01-20T11:00:00+01:00");
  ASSERT_EQ(h_.Run(c, kSyv, "RecordConversationHeld", {{"outcome", std::string("plan")}})->state, "planned");
  auto ns = h_.Run(c, kSyv, "RecordEducationNotStarted", {{"reason", std::string("course_cancelled_too_few_eligible")}});
  ASSERT_THAT(ns, IsOk());
  EXPECT_EQ(ns->state, "unplanned");
  EXPECT_EQ(h_.Run(c, kSyv, "CreateStudyPlan")->state, "planned");
  auto started = h_.Run(c, kSyv, "RecordStudiesStarted", {{"start_date", std::string("2025-01-20")}});
  EXPECT_EQ(started->state, "studying");
  EXPECT_EQ(started->pace, "unknown");
}

TEST_F(FixtureTest, VariantC_NoConsentLeavesNoCase) {
  auto s = h_.NewSubject();
  auto r = h_.Refer(s);
  EXPECT_THAT(r, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(r.status().Get("code"), "consent_missing");
  EXPECT_TRUE(h_.service().LoadSubject(s)->cases.empty());
  EXPECT_THAT(h_.Types(engine::RefusalStream(s)), ElementsAre("CommandRefused"));
  EXPECT_EQ(h_.log().GetHead().position.value(), 2u) << "subject + refusal only";
}

TEST_F(FixtureTest, VariantD_GroupActivityManCompletesFullTime) {
  auto s = h_.NewSubject("19800101-0001", "Test Testsson", "male");
  h_.Consent(s);
  Fields f = EngineHarness::ReferralFields("city", false);
  f["channel"] = std::string("group_activity");
  auto r = h_.Refer(s, kSyv, f);
  ASSERT_THAT(r, IsOk());
  const std::string c = r->case_id;
  ASSERT_THAT(h_.Run(c, kSyv, "BookConversation", {{"slot", std::string("2025-01-14T10:00:00+01:00")}}), IsOk());
  h_.SetTime("2025-01-14T11:00:00+01:00");
  ASSERT_THAT(h_.Run(c, kSyv, "RecordConversationHeld", {{"outcome", std::string("plan")}}), IsOk());
  ASSERT_THAT(h_.Run(c, kSyv, "RecordStudiesStarted", {{"start_date", std::string("2025-01-14")},
                                                       {"pace", std::string("full_time")}}), IsOk());
  auto done = h_.Run(c, kSyv, "RecordStudiesCompleted");
  ASSERT_THAT(done, IsOk());
  EXPECT_EQ(done->state, "completed");
  EXPECT_EQ(done->pace, std::nullopt);
}

}  // namespace
}  // namespace casetrail::testing
