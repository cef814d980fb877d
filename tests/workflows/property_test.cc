// Property test: thousands of random commands (valid and invalid) on many cases. After each one:
// the incrementally folded state equals a full replay and a replay from the nearest snapshot, and
// a refused command leaves every stream unchanged.
#include <random>

#include "engine/snapshot_codec.h"
#include "tests/support/engine_harness.h"
#include "tests/support/random_input.h"

namespace casetrail::testing {
namespace {

TEST(PropertyTest, LiveStateEqualsReplayAndRefusalsChangeNothing) {
  EngineHarness h;
  RandomInput in(20250113);
  const engine::WorkflowDefinition& def = *h.registry().Find("study-referral", 1);
  const std::vector<Actor> actors = {kSyv, kSyv, kVuxContact, kOfficerJarva, kContactJarva, kCompliance, kAdmin,
                                     kStrategic};
  constexpr int kCases = 30, kSteps = 2500;

  std::vector<std::string> subjects, cases;
  std::map<std::string, engine::CaseState> live;
  for (int i = 0; i < kCases; ++i) {
    subjects.push_back(h.NewSubject(TestNumber(i)));
    h.Consent(subjects.back());
    auto r = h.Refer(subjects.back());
    ASSERT_THAT(r, IsOk());
    cases.push_back(r->case_id);
    live[r->case_id] = *h.service().LoadCase(r->case_id, std::nullopt, false);
  }
  int accepted = 0, refused = 0;
  std::set<std::string> visited;
  for (int step = 0; step < kSteps; ++step) {
    h.clock().Advance(std::chrono::minutes(in.Int(0, 3 * 24 * 60)));
    const int idx = in.Int(0, kCases - 1);
    if (!def.IsOpen(live[cases[idx]].state)) {  // a finished case makes room for a new referral
      subjects[idx] = h.NewSubject(TestNumber(kCases + step));
      h.Consent(subjects[idx]);
      auto r = h.Refer(subjects[idx]);
      ASSERT_THAT(r, IsOk());
      cases[idx] = r->case_id;
      live[r->case_id] = *h.service().LoadCase(r->case_id, std::nullopt, false);
    }
    const std::string& c = cases[idx];
    const uint64_t head_before = h.log().GetHead().position.value();
    const auto version_before = *h.log().CurrentVersion(engine::CaseStream(c));

    if (in.Chance(2)) {  // occasionally move consent
      std::vector<std::string> scopes = {in.Pick(h.service().model().ScopeNames())};
      if (scopes[0] == "transfer_referral" && !in.Chance(20)) scopes[0] = "share_study_progress";
      if (in.Chance(50)) {
        h.service().WithdrawConsent(EngineHarness::As(kSyv), subjects[idx], scopes).status().IgnoreError();
      } else {
        h.service().GrantConsent(EngineHarness::As(kSyv), subjects[idx], scopes, "verbal", "").status().IgnoreError();
      }
    } else {
      // Mostly commands the state allows, so the walk gets deep into the state machine.
      std::vector<std::string> allowed;
      for (const auto& name : def.AllowedCommands(live[c].state)) {
        bool closes = name == "RecordCustomerDeclined" || name == "WithdrawReferral" || name == "RejectReferral";
        if (!closes || in.Chance(5)) allowed.push_back(name);
      }
      const auto& spec = in.Chance(70) && !allowed.empty() ? *def.FindCommand(in.Pick(allowed)) : in.Pick(def.commands);
      engine::Command cmd{in.Chance(2) ? std::string("NoSuchCommand") : spec.name, {}, std::nullopt};
      for (const auto& [name, fs] : spec.fields) {
        if (fs.required ? in.Chance(97) : in.Chance(40)) cmd.fields[name] = in.For(fs, def, h.clock().Now(), "jarva");
      }
      if (in.Chance(2)) cmd.fields["unexpected"] = std::string("x");
      std::optional<uint64_t> expected;
      if (in.Chance(30)) expected = version_before.value() - (in.Chance(20) ? 1 : 0);
      auto r = h.service().Execute(EngineHarness::As(in.Pick(actors)), c, cmd, expected);
      if (r.ok()) {
        ++accepted;
      } else {
        ++refused;
        EXPECT_EQ(*h.log().CurrentVersion(engine::CaseStream(c)), version_before) << "refusal changed the case";
        // Only the refusal record may have been appended.
        EXPECT_LE(h.log().GetHead().position.value(), head_before + 1);
      }
    }

    // Fold what was appended since, as a live projection would.
    auto fresh = h.log().ReadStream(engine::CaseStream(c), StreamVersion(live[c].version + 1),
                                    storage::Direction::kForward, 100);
    for (const auto& rec : *fresh) {
      auto ev = engine::DecodeStored(rec);
      engine::Apply(live[c], *ev, *h.registry().Find("study-referral", ev->event.meta.revision));
    }
    auto full = h.service().LoadCase(c, std::nullopt, false);
    ASSERT_THAT(full, IsOk());
    ASSERT_EQ(live[c], *full) << "step " << step;
    visited.insert(full->state);
    if (step % 10 == 0 && full->version > 1) {
      // Replay from a snapshot at a random earlier version equals replay from the first event.
      const uint64_t at = static_cast<uint64_t>(in.Int(1, static_cast<int>(full->version)));
      auto plain = h.service().LoadCase(c, at, false);
      ASSERT_THAT(h.log().PutSnapshot(engine::CaseStream(c), StreamVersion(at), engine::EncodeSnapshot(*plain)), IsOk());
      ASSERT_EQ(*h.service().LoadCase(c, std::nullopt, true), *full) << "step " << step;
      ASSERT_EQ(*h.service().LoadCase(c, at, true), *plain) << "step " << step;
    }
  }
  EXPECT_GT(accepted, 400) << "too few commands were accepted to explore the state machine";
  EXPECT_GT(refused, 500);
  EXPECT_EQ(visited.size(), def.states.size()) << "the walk should reach every state";
}

}  // namespace
}  // namespace casetrail::testing
