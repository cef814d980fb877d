// The read models behind the compliance and strategic answers (replay/register_extract.h,
// replay/case_audit.h, replay/decision_register.h), on a real log: what each gathers, that each
// read is recorded before it is answered and shows in the next one, not in itself, and that an
// person whose key is gone has no extract.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/access_policy.h"
#include "engine/cooperation_records.h"
#include "replay/case_audit.h"
#include "replay/case_rebuild.h"
#include "replay/decision_register.h"
#include "replay/register_extract.h"
#include "tests/support/engine_harness.h"

namespace casetrail::testing {
namespace {

size_t Reads(EngineHarness& h, const std::string& subject) {
  auto t = h.Types(engine::AccessStream(subject));
  return std::count(t.begin(), t.end(), "PersonalDataRead");
}

TEST(RegisterExtractTest, GathersThePersonOpenedAndRecordsItselfAsARead) {
  EngineHarness h;
  const std::string s = h.NewSubject(TestNumber(3));
  h.Consent(s);
  auto c = h.Refer(s);
  ASSERT_THAT(c, IsOk());
  engine::Rectification fix;
  fix.phone = "+46709999999";
  ASSERT_THAT(h.service().RectifySubject(EngineHarness::As(kOfficerJarva), s, fix), IsOk());
  auto state = h.service().LoadSubject(s);
  ASSERT_THAT(state, IsOk());

  const size_t before = Reads(h, s);
  const replay::Reader reader{kCompliance, "register_extract", h.clock().Now()};
  auto x = replay::BuildRegisterExtract(h.log(), h.keys(), h.registry(), s, *state, reader);
  ASSERT_THAT(x, IsOk());
  ASSERT_TRUE(x->has_value());
  const auto& e = **x;
  EXPECT_EQ(*engine::AsText(e.personal, "phone"), "+46709999999") << "registration merged with the rectification";
  EXPECT_EQ(*engine::AsText(e.personal, "name"), "Tolvan Tolvansson");
  EXPECT_EQ(e.gender, "female");
  ASSERT_EQ(e.cases.size(), 1u);
  EXPECT_EQ(e.cases[0].case_id, c->case_id);
  EXPECT_EQ(e.cases[0].unit, "jarva");
  auto events = replay::ReadCaseEvents(h.log(), c->case_id);
  ASSERT_THAT(events, IsOk());
  EXPECT_EQ(e.cases[0].events.size(), events->size());
  EXPECT_FALSE(e.consents.empty());
  EXPECT_EQ(e.rectifications.size(), 1u);
  EXPECT_EQ(e.generated_at, reader.at);
  EXPECT_TRUE(e.shown.count("name") && e.shown.count("personal_number") && e.shown.count("contact"));
  EXPECT_EQ(e.reads.size(), before) << "its own read is recorded after the reads are gathered";
  EXPECT_EQ(Reads(h, s), before + 1) << "recorded before it is returned";

  auto again = replay::BuildRegisterExtract(h.log(), h.keys(), h.registry(), s, *state, reader);
  ASSERT_THAT(again, IsOk());
  ASSERT_EQ((*again)->reads.size(), before + 1);
  const auto& last = (*again)->reads.back().event;
  EXPECT_EQ(last.meta.actor.id, kCompliance.id);
  EXPECT_EQ(*engine::AsText(last.facts, "purpose"), "register_extract");
}

TEST(RegisterExtractTest, AnErasedPersonHasNoExtractAndNoReadIsRecorded) {
  EngineHarness h;
  const std::string s = h.NewSubject(TestNumber(4));
  h.Consent(s);
  ASSERT_THAT(h.Refer(s), IsOk());
  auto state = h.service().LoadSubject(s);
  ASSERT_THAT(state, IsOk());
  // The key shredded (the last step of an erasure) while the subject still reads as not erased:
  // the extract finds nothing to open.
  ASSERT_THAT(h.keys().Shred(s), IsOk());
  const size_t before = Reads(h, s);
  auto x = replay::BuildRegisterExtract(h.log(), h.keys(), h.registry(), s, *state,
                                        replay::Reader{kCompliance, "register_extract", h.clock().Now()});
  ASSERT_THAT(x, IsOk());
  EXPECT_FALSE(x->has_value());
  EXPECT_EQ(Reads(h, s), before);
}

TEST(CaseAuditTest, ListsTheCaseRefusalsAndReadsAboutItAndRecordsItself) {
  EngineHarness h;
  const std::string s = h.NewSubject(TestNumber(6));
  h.Consent(s);
  auto c = h.Refer(s);
  ASSERT_THAT(c, IsOk());
  // A command this role may not give: refused, and the refusal recorded on the case.
  EXPECT_FALSE(h.Run(c->case_id, kOfficerJarva, "RecordStudiesStarted", {{"start_date", std::string("2025-01-20")}}).ok());
  const auto refusals = h.Types(engine::RefusalStream(c->case_id));
  // A read about another case of the same person is not this case's.
  ASSERT_THAT(engine::RecordRead(h.log(), {kSyv, s, "C-other", {}, "case_handling", true, h.clock().Now()}), IsOk());

  auto audit = [&] {
    auto events = replay::ReadCaseEvents(h.log(), c->case_id);
    EXPECT_THAT(events, IsOk());
    return replay::BuildCaseAudit(h.log(), h.registry(), c->case_id, std::move(*events),
                                  replay::Reader{kCompliance, "compliance_review", h.clock().Now()});
  };
  auto first = audit();
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->subject_id, s);
  EXPECT_EQ(first->state, h.State(c->case_id));
  EXPECT_EQ(first->refused.size(), refusals.size());
  EXPECT_FALSE(first->refused.empty());
  EXPECT_TRUE(first->reads.empty()) << "neither the other case's read nor its own";
  EXPECT_TRUE(first->chain.ok);
  EXPECT_EQ(first->chain.events, first->events.size());

  auto second = audit();
  ASSERT_THAT(second, IsOk());
  ASSERT_EQ(second->reads.size(), 1u) << "the first audit, recorded as a read about this case";
  EXPECT_EQ(*engine::AsText(second->reads[0].event.facts, "purpose"), "compliance_review");
}

TEST(DecisionRegisterTest, DeviationsByIdWithTheirHandlingAndDecisionsInOrder) {
  EngineHarness h;
  const auto now = h.clock().Now();
  for (const char* id : {"D-b", "D-a"}) {
    ASSERT_THAT(engine::AppendRecord(h.log(), engine::DeviationStream(id), "DeviationReported", kStrategic,
                                     {{"deviation_id", std::string(id)}, {"kind", std::string("late_list")}}, now, now),
                IsOk());
  }
  ASSERT_THAT(engine::AppendRecord(h.log(), engine::DeviationStream("D-b"), "DeviationHandled", kStrategic,
                                   {{"deviation_id", std::string("D-b")}, {"action", std::string("resent")}}, now, now),
              IsOk());
  // Handling of a deviation never reported is not a deviation.
  ASSERT_THAT(engine::AppendRecord(h.log(), engine::DeviationStream("D-c"), "DeviationHandled", kStrategic,
                                   {{"deviation_id", std::string("D-c")}}, now, now),
              IsOk());
  auto log = replay::ReadDeviationLog(h.log());
  ASSERT_THAT(log, IsOk());
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0].id, "D-a");
  EXPECT_FALSE((*log)[0].Handled());
  EXPECT_EQ((*log)[1].id, "D-b");
  ASSERT_EQ((*log)[1].handling.size(), 1u);
  EXPECT_EQ(*engine::AsText((*log)[1].handling[0].event.facts, "action"), "resent");

  for (const char* n : {"SG-1", "SG-2"}) {
    ASSERT_THAT(engine::AppendRecord(h.log(), engine::DecisionStream(), "DecisionRecorded", kStrategic,
                                     {{"registry_number", std::string(n)}}, now, now),
                IsOk());
  }
  auto decisions = replay::ReadDecisionRegister(h.log());
  ASSERT_THAT(decisions, IsOk());
  ASSERT_EQ(decisions->size(), 2u);
  EXPECT_EQ(*engine::AsText((*decisions)[0].event.facts, "registry_number"), "SG-1");
  EXPECT_EQ(*engine::AsText((*decisions)[1].event.facts, "registry_number"), "SG-2");
}

}  // namespace
}  // namespace casetrail::testing
