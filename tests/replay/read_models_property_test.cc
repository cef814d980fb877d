// Property test of the one fold across read models: two clients issue random commands at once
// (both workflow revisions, consent grants and withdrawals, erasures, transfers), while the case
// directory and the indicator projection follow the log live. Afterwards every read model equals
// a full replay from the first event, a replay from a snapshot, and a rebuild as of every version.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "engine/snapshot_codec.h"
#include "replay/case_directory.h"
#include "replay/case_rebuild.h"
#include "replay/indicators.h"
#include "storage/erasure_ledger.h"
#include "tests/support/engine_harness.h"
#include "tests/support/random_input.h"

namespace casetrail::testing {
namespace {

class SharedCases {
 public:
  void Add(std::string subject, std::string case_id) {
    std::lock_guard lock(mu_);
    subjects_.push_back(std::move(subject));
    cases_.push_back(std::move(case_id));
  }
  std::pair<std::string, std::string> Pick(RandomInput& in) {
    std::lock_guard lock(mu_);
    const int i = in.Int(0, static_cast<int>(cases_.size()) - 1);
    return {subjects_[i], cases_[i]};
  }
  std::vector<std::string> All() {
    std::lock_guard lock(mu_);
    return cases_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> subjects_, cases_;
};

TEST(ReadModelsPropertyTest, EveryReadModelEqualsReplayAfterConcurrentRandomWork) {
  EngineHarness h;
  storage::ErasureLedger ledger(h.dir().Sub("erasure-ledger"));
  h.service().SetErasureLedger(&ledger);
  replay::CaseDirectory directory(&h.log(), &h.registry());
  replay::LiveIndicators indicators(&h.log(), &h.registry());
  const std::vector<Actor> actors = {kSyv, kVuxContact, kOfficerJarva, kContactJarva, kOfficerGloben, kCompliance};
  const std::vector<std::string> units = {"jarva", "globen", "city"};

  SharedCases shared;
  std::atomic<int> next_number{0};
  auto refer = [&](RandomInput& in) {
    const std::string s = h.NewSubject(TestNumber(next_number++));
    h.Consent(s);
    auto r = h.Refer(s);
    if (r.ok()) shared.Add(s, r->case_id);
  };
  {
    RandomInput in(7);
    for (int i = 0; i < 12; ++i) refer(in);
  }
  // Half the cases back to revision 1's rules, so both revisions are exercised.
  for (const auto& c : shared.All()) {
    if (RandomInput(static_cast<uint32_t>(c.size() + c.back())).Chance(50)) {
      h.service().Execute(EngineHarness::As(kCompliance), c, {"MigrateCase", {{"to_revision", int64_t{1}}}, std::nullopt},
                          std::nullopt).status().IgnoreError();
    }
  }

  auto client = [&](uint32_t seed, int steps, bool moves_clock) {
    RandomInput in(seed);
    for (int step = 0; step < steps; ++step) {
      if (moves_clock) h.clock().Advance(std::chrono::minutes(in.Int(0, 2 * 24 * 60)));
      auto [subject, c] = shared.Pick(in);
      const int roll = in.Int(1, 100);
      if (roll <= 4) {
        refer(in);
      } else if (roll <= 7) {
        std::vector<std::string> scopes = {in.Pick(h.service().model().ScopeNames())};
        if (scopes[0] == "transfer_referral" && !in.Chance(25)) scopes[0] = "share_study_progress";  // it closes the case
        h.service().WithdrawConsent(EngineHarness::As(kSyv), subject, scopes).status().IgnoreError();
      } else if (roll <= 9) {
        h.service().GrantConsent(EngineHarness::As(kSyv), subject, {in.Pick(h.service().model().ScopeNames())}, "verbal", "")
            .status().IgnoreError();
      } else if (roll <= 10) {
        h.service().EraseSubject(EngineHarness::As(kCompliance), subject, "art17_1a", "DNR-" + std::to_string(step))
            .status().IgnoreError();
      } else if (roll <= 14) {
        h.service().Execute(EngineHarness::As(kOfficerJarva), c, {"TransferCase", {{"to_unit", in.Pick(units)}}, std::nullopt},
                            std::nullopt).status().IgnoreError();
      } else {
        auto state = h.service().LoadCase(c);
        if (!state.ok()) continue;
        const auto* def = h.registry().Find(state->workflow, state->revision);
        if (!def) continue;
        auto allowed = def->AllowedCommands(state->state);
        const auto& spec = !allowed.empty() && in.Chance(85) ? *def->FindCommand(in.Pick(allowed)) : in.Pick(def->commands);
        engine::Command cmd{spec.name, {}, std::nullopt};
        for (const auto& [name, fs] : spec.fields) {
          if (fs.required || in.Chance(40)) cmd.fields[name] = in.For(fs, *def, h.clock().Now(), state->unit);
        }
        h.service().Execute(EngineHarness::As(in.Pick(actors)), c, cmd, std::nullopt).status().IgnoreError();
      }
    }
  };
  std::thread a(client, 11, 800, true), b(client, 23, 800, false);
  a.join();
  b.join();

  const Position head = h.log().GetHead().position;
  ASSERT_TRUE(directory.WaitFor(head, 30000));
  ASSERT_TRUE(indicators.WaitFor(head, 30000));
  RandomInput in(99);
  std::set<std::string> states;
  std::set<int> revisions;
  size_t versions_checked = 0;
  const auto listed = directory.List(std::nullopt, std::nullopt, "", SIZE_MAX);
  ASSERT_EQ(listed.size(), shared.All().size());
  for (const auto& summary : listed) {
    auto full = h.service().LoadCase(summary.case_id, std::nullopt, false);
    ASSERT_THAT(full, IsOk());
    EXPECT_EQ(summary.state, full->state) << summary.case_id;
    EXPECT_EQ(summary.unit, full->unit) << summary.case_id;
    EXPECT_EQ(summary.version, full->version) << summary.case_id;
    revisions.insert(full->revision);
    auto events = replay::ReadCaseEvents(h.log(), summary.case_id);
    ASSERT_THAT(events, IsOk());
    // A snapshot at a random version, then: as of every version, the plain fold, the fold from
    // the snapshot and the rebuild agree.
    const uint64_t snap_at = static_cast<uint64_t>(in.Int(1, static_cast<int>(full->version)));
    auto at_snap = h.service().LoadCase(summary.case_id, snap_at, false);
    ASSERT_THAT(h.log().PutSnapshot(engine::CaseStream(summary.case_id), StreamVersion(snap_at),
                                    engine::EncodeSnapshot(*at_snap)), IsOk());
    for (uint64_t v = 1; v <= full->version; ++v) {
      auto plain = h.service().LoadCase(summary.case_id, v, false);
      auto snapped = h.service().LoadCase(summary.case_id, v, true);
      replay::AsOf as_of;
      as_of.version = v;
      auto rebuilt = replay::Rebuild(*events, as_of, h.registry());
      ASSERT_THAT(plain, IsOk());
      states.insert(plain->state);
      ASSERT_EQ(*plain, *snapped) << summary.case_id << " v" << v;
      ASSERT_EQ(rebuilt->state, plain->state) << summary.case_id << " v" << v;
      ASSERT_EQ(rebuilt->pace, plain->pace) << summary.case_id << " v" << v;
      ASSERT_EQ(rebuilt->unit, plain->unit) << summary.case_id << " v" << v;
      ++versions_checked;
    }
  }
  auto rebuilt = replay::RebuildIndicators(h.log(), &h.registry());
  ASSERT_THAT(rebuilt, IsOk());
  EXPECT_TRUE((*rebuilt)->SameFactsAs(indicators.projection())) << "the live indicators differ from a full replay";
  EXPECT_GE(states.size(), 4u) << "the walk should pass through several states";
  EXPECT_EQ(revisions.size(), 3u) << "every revision should be exercised";
  std::cerr << listed.size() << " cases, " << versions_checked << " versions checked, states reached: " << states.size()
            << "\n";
}

}  // namespace
}  // namespace casetrail::testing
