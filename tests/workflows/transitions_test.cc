// Every transition of study-referral@1 and every guard, with expectations written from DOMAIN §3.4
// and API.md (not read from the definition), so removing a rule from the revision file fails here.
#include "tests/support/engine_harness.h"

namespace casetrail::testing {
namespace {

const std::string kFutureSlot = "2025-01-20T10:00:00+01:00";  // CaseIn books this, then moves past it
const std::string kLaterSlot = "2025-03-01T10:00:00+01:00";

class TransitionsTest : public ::testing::Test {
 protected:
  // A fresh subject with full consent and a case driven into `state`.
  std::string CaseIn(const std::string& state) {
    h_.SetTime("2025-01-13T09:00:00+01:00");
    subject_ = h_.NewSubject(NextNumber());
    h_.Consent(subject_);
    std::string c = h_.Refer(subject_)->case_id;
    if (state == "referred") return c;
    if (state == "closed") return Ok(c, kSyv, "RecordCustomerDeclined", {}, "closed");
    Ok(c, kSyv, "BookConversation", {{"slot", kFutureSlot}}, "booked");
    if (state == "booked") return c;
    h_.SetTime("2025-01-20T11:00:00+01:00");
    Ok(c, kSyv, "RecordConversationHeld", {{"outcome", std::string("no_plan")}}, "unplanned");
    if (state == "unplanned") return c;
    Ok(c, kSyv, "CreateStudyPlan", {}, "planned");
    if (state == "planned") return c;
    Ok(c, kSyv, "RecordStudiesStarted", {{"start_date", std::string("2025-01-20")}, {"pace", std::string("part_time")}},
       "studying");
    if (state == "studying") return c;
    if (state == "completed") return Ok(c, kSyv, "RecordStudiesCompleted", {}, "completed");
    Ok(c, kSyv, "RecordInterruption", {{"reason", std::string("health")}}, "aborted");
    return c;
  }

  std::string Ok(const std::string& c, const Actor& who, const std::string& cmd, Fields f, const std::string& to) {
    auto r = h_.Run(c, who, cmd, std::move(f));
    EXPECT_THAT(r, IsOk()) << cmd;
    if (r.ok()) {
      EXPECT_EQ(r->state, to) << cmd;
    }
    return c;
  }

  std::string NextNumber() { return TestNumber(n_++); }

  void ExpectRefused(const Result<engine::CommandResult>& r, const std::string& code, const std::string& key = "",
                     const std::string& value = "") {
    ASSERT_FALSE(r.ok()) << "expected " << code;
    EXPECT_EQ(r.status().Get("code"), code) << r.status().ToString();
    if (!key.empty()) {
      EXPECT_EQ(r.status().Get(key), value);
    }
  }

  EngineHarness h_;
  std::string subject_;
  int n_ = 0;
};

struct Row {
  std::string from;
  Actor actor;
  std::string command;
  Fields fields;
  std::string to;
};

TEST_F(TransitionsTest, EveryTransitionOfRevisionOne) {
  const std::vector<Row> rows = {
      {"referred", kSyv, "BookConversation", {{"slot", kLaterSlot}}, "booked"},                       // T03
      {"unplanned", kSyv, "BookConversation", {{"slot", std::string("2025-02-01T10:00:00+01:00")}}, "booked"},  // T10
      {"booked", kSyv, "RescheduleConversation", {{"slot", std::string("2025-01-25T10:00:00+01:00")}}, "booked"},  // T04
      {"booked", kSyv, "RecordConversationHeld", {{"outcome", std::string("plan")}}, "planned"},      // T06
      {"booked", kSyv, "RecordConversationHeld", {{"outcome", std::string("no_plan")}}, "unplanned"},  // T07
      {"referred", kSyv, "MarkUnplanned", {{"reason", std::string("not_reached")}}, "unplanned"},     // T08
      {"referred", kContactJarva, "RecordMonthlyReview", {{"meeting", std::string("monthly:jarva:2025-02")}}, "referred"},  // T09
      {"booked", kSyv, "RecordMonthlyReview", {{"meeting", std::string("monthly:jarva:2025-02")}}, "booked"},
      {"unplanned", kSyv, "RecordMonthlyReview", {{"meeting", std::string("monthly:jarva:2025-02")}}, "unplanned"},
      {"unplanned", kSyv, "CreateStudyPlan", {}, "planned"},                                          // T11
      {"unplanned", kSyv, "RecordStudyApplication", {{"level", std::string("upper_secondary")}}, "unplanned"},  // T12
      {"planned", kSyv, "RecordStudyApplication", {{"level", std::string("basic")}}, "planned"},
      {"planned", kSyv, "ReviseStudyPlan", {}, "planned"},                                            // T13
      {"planned", kSyv, "RecordEducationNotStarted", {{"reason", std::string("not_admitted")}}, "unplanned"},  // T14
      {"planned", kOfficerJarva, "RecordStudiesStarted", {{"start_date", std::string("2025-01-20")}}, "studying"},  // T15
      {"studying", kSyv, "RecordStudyPace", {{"pace", std::string("full_time")}}, "studying"},        // T17
      {"studying", kSyv, "RecordLackOfProgression", {}, "studying"},                                  // T18
      {"studying", kSyv, "RecordOtherStudyChange", {{"kind", std::string("course_change")}}, "studying"},  // T19
      {"studying", kSyv, "RecordProgressionFeedback", {{"list", std::string("progression:jarva:2025-Q1")}}, "studying"},
      {"studying", kSyv, "RecordInterruption", {{"reason", std::string("employment")}}, "aborted"},   // T20
      {"aborted", kSyv, "RecordStudiesResumed", {}, "studying"},                                      // T21
      {"studying", kSyv, "RecordStudiesCompleted", {}, "completed"},                                  // T22
      {"booked", kOfficerJarva, "RecordCustomerDeclined", {}, "closed"},                              // T24
      {"referred", kSyv, "RejectReferral", {{"reason", std::string("not_resident")}}, "closed"},       // T26
      {"studying", kOfficerJarva, "WithdrawReferral", {{"reason", std::string("employed")}}, "closed"},  // T27
      {"planned", kOfficerJarva, "TransferCase", {{"to_unit", std::string("city")}}, "planned"},      // T28
      {"closed", kCompliance, "CorrectEvent", {{"corrects", int64_t{1}}, {"fields", std::vector<std::string>{"rom_participant"}}}, "closed"},  // T29
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.command + " from " + row.from);
    std::string c = CaseIn(row.from);
    h_.SetTime("2025-01-20T12:00:00+01:00");
    Fields fields = row.fields;
    if (fields.count("corrects")) {  // a correction names an event of this case: its first
      auto first = h_.log().ReadStream(engine::CaseStream(c), StreamVersion(1), storage::Direction::kForward, 1);
      ASSERT_TRUE(first.ok() && !first->empty());
      fields["corrects"] = static_cast<int64_t>(first->front().position.value());
    }
    auto r = h_.Run(c, row.actor, row.command, fields);
    ASSERT_THAT(r, IsOk());
    EXPECT_EQ(r->state, row.to);
  }
}

TEST_F(TransitionsTest, ClosingCommandsRecordTheirReason) {
  std::string c = CaseIn("referred");
  ASSERT_THAT(h_.Run(c, kSyv, "RejectReferral", {{"reason", std::string("not_target_group")}}), IsOk());
  EXPECT_EQ(h_.service().LoadCase(c)->closed_reason, "not_eligible");
  c = CaseIn("booked");
  ASSERT_THAT(h_.Run(c, kOfficerJarva, "WithdrawReferral", {{"reason", std::string("moved")}}), IsOk());
  EXPECT_EQ(h_.service().LoadCase(c)->closed_reason, "withdrawn_by_af");
}

TEST_F(TransitionsTest, PaceFollowsStudiesAndIsNullOutsideThem) {
  std::string c = CaseIn("studying");
  EXPECT_EQ(h_.service().LoadCase(c)->pace, "part_time");
  ASSERT_THAT(h_.Run(c, kSyv, "RecordStudyPace", {{"pace", std::string("full_time")}}), IsOk());
  EXPECT_EQ(h_.service().LoadCase(c)->pace, "full_time");
  ASSERT_THAT(h_.Run(c, kSyv, "RecordInterruption", {{"reason", std::string("family")}}), IsOk());
  EXPECT_EQ(h_.service().LoadCase(c)->pace, "full_time") << "pace is kept while aborted";
  EXPECT_EQ(h_.service().LoadCase(CaseIn("planned"))->pace, std::nullopt);
}

TEST_F(TransitionsTest, CommandsOutsideTheirStatesAreInvalidTransitions) {
  struct Bad { std::string state, command; Fields fields; };
  const std::vector<Bad> bad = {
      {"studying", "BookConversation", {{"slot", kFutureSlot}}},
      {"referred", "RecordNoShow", {}},
      {"referred", "RecordConversationHeld", {{"outcome", std::string("plan")}}},
      {"referred", "CreateStudyPlan", {}},
      {"unplanned", "ReviseStudyPlan", {}},
      {"booked", "RecordStudiesStarted", {{"start_date", std::string("2025-01-20")}}},
      {"planned", "RecordStudyPace", {{"pace", std::string("full_time")}}},
      {"planned", "RecordInterruption", {{"reason", std::string("health")}}},
      {"studying", "RecordStudiesResumed", {}},
      {"aborted", "RecordStudiesCompleted", {}},
      {"booked", "RejectReferral", {{"reason", std::string("other")}}},
      {"completed", "RecordCustomerDeclined", {}},
      {"closed", "BookConversation", {{"slot", kFutureSlot}}},
  };
  for (const Bad& b : bad) {
    SCOPED_TRACE(b.command + " in " + b.state);
    std::string c = CaseIn(b.state);
    uint64_t version = h_.service().LoadCase(c)->version;
    auto r = h_.Run(c, kSyv, b.command, b.fields);
    ExpectRefused(r, "invalid_transition", "current_state", b.state);
    EXPECT_FALSE(r.status().Get("allowed_commands").empty());
    EXPECT_EQ(h_.service().LoadCase(c)->version, version);
  }
}

TEST_F(TransitionsTest, GuardTarget) {
  auto s = h_.NewSubject();
  h_.Consent(s);
  Fields f = EngineHarness::ReferralFields();
  f["resident_stockholm"] = false;
  ExpectRefused(h_.Refer(s, kOfficerJarva, f), "guard_failed", "guard", "G-TARGET");
  f = EngineHarness::ReferralFields();
  f["need_assessed"] = false;
  ExpectRefused(h_.Refer(s, kOfficerJarva, f), "guard_failed", "guard", "G-TARGET");
  f = EngineHarness::ReferralFields();
  f["long_term_unemployed"] = false;
  f["lacks_upper_secondary"] = false;
  ExpectRefused(h_.Refer(s, kOfficerJarva, f), "guard_failed", "guard", "G-TARGET");
  f["lacks_upper_secondary"] = true;  // one of the two target-group flags suffices
  EXPECT_THAT(h_.Refer(s, kOfficerJarva, f), IsOk());
}

TEST_F(TransitionsTest, GuardWantsToStudy) {
  std::string c = CaseIn("booked");
  h_.SetTime("2025-01-20T11:00:00+01:00");
  ExpectRefused(h_.Run(c, kSyv, "RecordConversationHeld", {{"outcome", std::string("plan")}, {"wants_to_study", false}}),
                "guard_failed", "guard", "G-WANTS-STUDY");
  EXPECT_EQ(h_.Run(c, kSyv, "RecordConversationHeld", {{"outcome", std::string("no_plan")}, {"wants_to_study", false}})->state,
            "unplanned");
  ExpectRefused(h_.Run(c, kSyv, "CreateStudyPlan", {{"wants_to_study", false}}), "guard_failed", "guard", "G-WANTS-STUDY");
}

TEST_F(TransitionsTest, GuardSlots) {
  std::string c = CaseIn("referred");
  h_.SetTime("2025-01-20T12:00:00+01:00");
  ExpectRefused(h_.Run(c, kSyv, "BookConversation", {{"slot", kFutureSlot}}), "guard_failed", "guard", "G-SLOT-FUTURE");
  c = CaseIn("booked");  // slot at 10:00 on the 20th, clock at 09:00 on the 13th
  ExpectRefused(h_.Run(c, kSyv, "RecordNoShow"), "guard_failed", "guard", "G-SLOT-PASSED");
  h_.SetTime("2025-01-20T10:30:00+01:00");
  EXPECT_EQ(h_.Run(c, kSyv, "RecordNoShow")->state, "referred");
}

TEST_F(TransitionsTest, GuardMeetingAndList) {
  std::string c = CaseIn("referred");
  ExpectRefused(h_.Run(c, kSyv, "RecordMonthlyReview", {{"meeting", std::string("monthly:globen:2025-02")}}),
                "guard_failed", "guard", "G-MEETING");
  ExpectRefused(h_.Run(c, kSyv, "RecordMonthlyReview", {{"meeting", std::string("meeting-42")}}), "guard_failed",
                "guard", "G-MEETING");
  c = CaseIn("studying");
  ExpectRefused(h_.Run(c, kSyv, "RecordStudyPace", {{"pace", std::string("full_time")},
                                                   {"list", std::string("progression:city:2025-Q1")}}),
                "guard_failed", "guard", "G-LIST");
}

TEST_F(TransitionsTest, ConsentScopesGateCommands) {
  auto s = h_.NewSubject();
  h_.Consent(s, {"transfer_referral"});
  ExpectRefused(h_.Refer(s), "consent_missing", "scope", "share_guidance");
  h_.Consent(s, {"share_guidance"});
  std::string c = h_.Refer(s)->case_id;
  ASSERT_THAT(h_.service().WithdrawConsent(EngineHarness::As(kSyv), s, {"share_guidance"}), IsOk());
  EXPECT_EQ(h_.State(c), "referred") << "only transfer_referral closes cases";
  ASSERT_THAT(h_.service().WithdrawConsent(EngineHarness::As(kSyv), s, {"transfer_referral"}), IsOk());
  EXPECT_EQ(h_.State(c), "closed");
  EXPECT_EQ(h_.service().LoadCase(c)->closed_reason, "consent_withdrawn");
}

TEST_F(TransitionsTest, RolesAndUnits) {
  std::string c = CaseIn("referred");
  ExpectRefused(h_.Run(c, kOfficerJarva, "BookConversation", {{"slot", kFutureSlot}}), "forbidden");
  ExpectRefused(h_.Run(c, kStrategic, "RecordCustomerDeclined"), "forbidden");
  auto other_unit = h_.Run(c, kOfficerGloben, "WithdrawReferral", {{"reason", std::string("moved")}});
  EXPECT_THAT(other_unit, StatusIs(StatusCode::kNotFound)) << "a case of another unit is not found";
  auto s = h_.NewSubject(TestNumber(900));
  h_.Consent(s);
  ExpectRefused(h_.Refer(s, kSyv), "forbidden");  // syv refers only via group activity
  ExpectRefused(h_.Refer(s, kOfficerGloben), "forbidden");  // officer refers to own unit only
  Fields group = EngineHarness::ReferralFields();
  group["channel"] = std::string("group_activity");
  EXPECT_THAT(h_.Refer(s, kSyv, group), IsOk());
}

TEST_F(TransitionsTest, FieldsAreValidatedBeforeAnythingElse) {
  std::string c = CaseIn("referred");
  ExpectRefused(h_.Run(c, kSyv, "BookConversation", {}), "invalid_field", "field", "slot");
  ExpectRefused(h_.Run(c, kSyv, "BookConversation", {{"slot", int64_t{5}}}), "invalid_field", "field", "slot");
  ExpectRefused(h_.Run(c, kSyv, "BookConversation", {{"slot", std::string("tomorrow")}}), "invalid_field", "field", "slot");
  ExpectRefused(h_.Run(c, kSyv, "BookConversation", {{"slot", kFutureSlot}, {"mode", std::string("telepathy")}}),
                "invalid_field", "field", "mode");
  ExpectRefused(h_.Run(c, kSyv, "BookConversation", {{"slot", kFutureSlot}, {"colour", std::string("red")}}),
                "invalid_field", "unknown_fields", "1");  // counted, never named (issue 17)
  ExpectRefused(h_.Run(c, kStrategic, "BookConversation", {}), "invalid_field");  // 400 precedes 403
  ExpectRefused(h_.Run(c, kSyv, "FlyToTheMoon"), "unknown_command");
  ExpectRefused(h_.Run(c, kSyv, "SubmitReferral"), "unknown_command");
  EXPECT_EQ(h_.service().LoadCase(c)->version, 1u);
}

TEST_F(TransitionsTest, ExpectedVersionAndOpenCases) {
  std::string c = CaseIn("referred");
  engine::Command book{"BookConversation", {{"slot", kFutureSlot}}, std::nullopt};
  auto stale = h_.service().Execute(EngineHarness::As(kSyv), c, book, 0);
  ExpectRefused(stale, "version_conflict", "current_version", "1");
  EXPECT_THAT(stale, StatusIs(StatusCode::kAborted));
  EXPECT_THAT(h_.service().Execute(EngineHarness::As(kSyv), c, book, 1), IsOk());
  auto again = h_.Refer(subject_);
  ExpectRefused(again, "case_open", "case_id", c);
}

TEST_F(TransitionsTest, EffectiveTimeMayNotBeInTheFuture) {
  std::string c = CaseIn("studying");
  ExpectRefused(h_.Run(c, kSyv, "RecordStudyPace", {{"pace", std::string("full_time")}}, "2030-01-01T00:00:00Z"),
                "invalid_field", "field", "effective_at");
}

TEST_F(TransitionsTest, IdempotentRepeatReturnsTheFirstAnswer) {
  std::string c = CaseIn("referred");
  engine::RequestContext ctx = EngineHarness::As(kSyv);
  ctx.idempotency_key = "req-1";
  ctx.idempotency_fingerprint = "body-a";
  engine::Command book{"BookConversation", {{"slot", kFutureSlot}}, std::nullopt};
  auto first = h_.service().Execute(ctx, c, book, 1);
  ASSERT_THAT(first, IsOk());
  auto repeat = h_.service().Execute(ctx, c, book, 1);  // would be a version conflict if decided again
  ASSERT_THAT(repeat, IsOk());
  EXPECT_TRUE(repeat->deduplicated);
  EXPECT_EQ(repeat->version, first->version);
  ctx.idempotency_fingerprint = "body-b";
  ExpectRefused(h_.service().Execute(ctx, c, book, 2), "idempotency_key_reused");
  EXPECT_EQ(h_.service().LoadCase(c)->version, 2u);
}

TEST_F(TransitionsTest, RevisionsMigrationAndReplayUnderRecordedRevision) {
  std::string c1 = CaseIn("planned");  // referred in January: revision 1
  h_.SetTime("2025-07-02T09:00:00+02:00");
  auto s2 = h_.NewSubject(TestNumber(901));
  h_.Consent(s2, {"transfer_referral", "share_guidance"});
  std::string c2 = h_.Refer(s2)->case_id;
  EXPECT_EQ(h_.service().LoadCase(c1)->revision, 1);
  EXPECT_EQ(h_.service().LoadCase(c2)->revision, 2) << "new cases take the newest adopted revision";

  // Under revision 1, starting studies needs only transfer_referral...
  h_.SetTime("2025-07-02T10:00:00+02:00");
  h_.Consent(subject_, {"transfer_referral"});
  ASSERT_THAT(h_.service().WithdrawConsent(EngineHarness::As(kSyv), subject_, {"share_study_progress"}), IsOk());
  EXPECT_THAT(h_.Run(c1, kSyv, "RecordStudiesStarted", {{"start_date", std::string("2025-07-01")}}), IsOk());
  // ...after migration to revision 2 the same kind of command needs share_study_progress.
  ASSERT_THAT(h_.Run(c1, kAdmin, "MigrateCase", {{"to_revision", int64_t{2}}}), IsOk());
  EXPECT_EQ(h_.service().LoadCase(c1)->revision, 2);
  ExpectRefused(h_.Run(c1, kSyv, "RecordStudyPace", {{"pace", std::string("full_time")}}), "consent_missing", "scope",
                "share_study_progress");
  // Every event keeps the revision it was decided under.
  auto events = h_.log().ReadStream(engine::CaseStream(c1), StreamVersion(1), storage::Direction::kForward, 100);
  std::vector<int> revisions;
  for (auto& e : *events) revisions.push_back(engine::DecodeStored(e)->event.meta.revision);
  EXPECT_EQ(revisions.front(), 1);
  EXPECT_EQ(revisions.back(), 1) << "the migration itself is decided under the old revision";
}

TEST_F(TransitionsTest, AMigrationMustNameARegisteredRevision) {
  const std::string c = CaseIn("referred");
  const int before = h_.service().LoadCase(c)->revision;
  for (int64_t to : {int64_t{0}, int64_t{4}, int64_t{99}}) {  // revisions 1–3 are registered
    ExpectRefused(h_.Run(c, kAdmin, "MigrateCase", {{"to_revision", to}}), "invalid_field", "field", "to_revision");
  }
  EXPECT_EQ(h_.service().LoadCase(c)->revision, before);
  EXPECT_EQ(h_.service().LoadCase(c)->version, 1u) << "a refused migration appends nothing to the case";
}

}  // namespace
}  // namespace casetrail::testing
