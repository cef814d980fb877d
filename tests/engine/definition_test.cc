#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/definition.h"
#include "engine/definition_registry.h"
#include "storage/base/status_matchers.h"
#include "workflows/study_referral.h"

namespace casetrail::engine {
namespace {

TEST(DefinitionTest, EmbeddedRevisionsParseAndDifferInProgressConsent) {
  DefinitionRegistry registry;
  ASSERT_THAT(workflows::RegisterStudyReferral(&registry), IsOk());
  const WorkflowDefinition* r1 = registry.Find("study-referral", 1);
  const WorkflowDefinition* r2 = registry.Find("study-referral", 2);
  ASSERT_TRUE(r1 && r2);
  EXPECT_EQ(r1->Name(), "study-referral@1");
  EXPECT_EQ(r1->FindCommand("RecordStudyPace")->consent, std::vector<std::string>{"transfer_referral"});
  EXPECT_THAT(r2->FindCommand("RecordStudyPace")->consent,
              ::testing::ElementsAre("transfer_referral", "share_study_progress"));
  EXPECT_EQ(registry.Current("study-referral", "2025-03-01")->revision, 1);
  EXPECT_EQ(registry.Current("study-referral", "2025-07-01")->revision, 2);
  EXPECT_EQ(registry.Current("study-referral", "2024-12-31"), nullptr);
  EXPECT_THAT(r1->AllowedCommands("closed"), ::testing::ElementsAre("CorrectEvent"));
}

// rev3: a second initial command (T16) and a code value sealed as special-category data.
TEST(DefinitionTest, Rev3HasTwoInitialCommandsAndSealsAHealthReason) {
  DefinitionRegistry registry;
  ASSERT_THAT(workflows::RegisterStudyReferral(&registry), IsOk());
  const WorkflowDefinition* r3 = registry.Find("study-referral", 3);
  ASSERT_TRUE(r3);
  EXPECT_EQ(registry.Current("study-referral", "2026-01-01")->revision, 3);
  EXPECT_EQ(r3->InitialCommand()->name, "SubmitReferral") << "the default way in stays the referral";
  ASSERT_TRUE(r3->FindCommand("RegisterCustomerInStudies"));
  EXPECT_TRUE(r3->FindCommand("RegisterCustomerInStudies")->IsInitial());
  EXPECT_EQ(r3->FindCommand("RecordInterruption")->fields.at("reason").sealed_values, std::set<std::string>{"health"});
  EXPECT_TRUE(registry.Find("study-referral", 2)->FindCommand("RecordInterruption")->fields.at("reason").sealed_values.empty());
}

TEST(DefinitionTest, SealedValuesMustBeCodesOfTheFieldAndMayNotChooseAnOutcome) {
  auto def = [](const std::string& sealed, const std::string& when) {
    return R"({"workflow":"w","revision":1,"adopted":"2025-01-01","states":["a","b"],"terminal_states":["b"],
      "codes":{"why":["x","y"]},"events":{"E":{"party":"af"}},
      "commands":[{"name":"Start","roles":["af_officer"],"from":[],
        "fields":{"why":{"type":"code","codes":"why","sealed_values":)" + sealed + R"(}},
        "outcomes":[{)" + when + R"("emits":[{"event":"E","to":"a"}]}]}]})";
  };
  ASSERT_THAT(ParseDefinition(def(R"(["y"])", "")), IsOk());
  EXPECT_THAT(ParseDefinition(def(R"(["z"])", "")), StatusIs(StatusCode::kInvalidArgument)) << "not in the code list";
  EXPECT_THAT(ParseDefinition(def(R"(["y"])", R"("when":{"why":"x"},)")), StatusIs(StatusCode::kInvalidArgument))
      << "the state may not depend on a field that may be sealed";
}

TEST(DefinitionTest, RejectsDefinitionsThatNameUndeclaredThings) {
  const std::string ok = R"({"workflow":"w","revision":1,"adopted":"2025-01-01","states":["a","b"],
    "terminal_states":["b"],"codes":{},"events":{"E":{"party":"af"}},
    "commands":[{"name":"Start","roles":["af_officer"],"from":[],"outcomes":[{"emits":[{"event":"E","to":"a"}]}]}]})";
  ASSERT_THAT(ParseDefinition(ok), IsOk());
  std::string bad_state = ok;
  bad_state.replace(bad_state.find(R"("to":"a")"), 8, R"("to":"z")");
  EXPECT_THAT(ParseDefinition(bad_state), StatusIs(StatusCode::kInvalidArgument));
  std::string bad_event = ok;
  bad_event.replace(bad_event.find(R"("event":"E")"), 11, R"("event":"F")");
  EXPECT_THAT(ParseDefinition(bad_event), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseDefinition("{not json"), StatusIs(StatusCode::kInvalidArgument));
  // Timers: a good one, then each part naming something undeclared or malformed.
  const std::string timer = R"(,"timers":[{"name":"J1","kind":"k","after_event":"E","in_states":["a"],"delay":"P1D",
    "consent":["share_guidance"]}]})";
  auto with_timer = [&](const std::string& from, const std::string& to) {
    std::string t = timer;
    if (!from.empty()) t.replace(t.find(from), from.size(), to);
    return ok.substr(0, ok.size() - 1) + t;
  };
  ASSERT_THAT(ParseDefinition(with_timer("", "")), IsOk());
  EXPECT_EQ(ParseDefinition(with_timer("", ""))->timers[0].consent, std::vector<std::string>{"share_guidance"});
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {R"(["a"])", R"(["z"])"}, {R"("E")", R"("F")"}, {R"("P1D")", R"("1 day")"},
           {R"("P1D")", R"("P100000000W")"}}) {  // fuzzing: a delay whose microseconds overflowed
    EXPECT_THAT(ParseDefinition(with_timer(from, to)), StatusIs(StatusCode::kInvalidArgument)) << to;
  }
}

}  // namespace
}  // namespace casetrail::engine
