// The one case fold: decisions are recorded on their events and folding reads them back; events
// written by the landed release (no recorded outcome) replay exactly as that release replayed
// them; snapshots of another fold version are not trusted; an outcome chosen by a personal field
// is refused at load.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "engine/snapshot_codec.h"
#include "engine/state_machine.h"
#include "replay/case_directory.h"
#include "replay/case_rebuild.h"
#include "tests/support/engine_harness.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A studying case with a pace change: referral, booking, conversation with a plan, start, pace.
std::string StudyingCase(EngineHarness& h) {
  const std::string s = h.NewSubject(TestNumber(5));
  h.Consent(s);
  auto c = h.Refer(s);
  EXPECT_THAT(c, IsOk());
  EXPECT_THAT(h.Run(c->case_id, kSyv, "BookConversation", {{"slot", std::string("2025-01-20T10:00:00+01:00")}}), IsOk());
  h.SetTime("2025-01-20T11:00:00+01:00");
  EXPECT_THAT(h.Run(c->case_id, kSyv, "RecordConversationHeld", {{"outcome", std::string("plan")}}), IsOk());
  EXPECT_THAT(h.Run(c->case_id, kSyv, "RecordStudiesStarted", {{"start_date", std::string("2025-01-20")}}), IsOk());
  EXPECT_THAT(h.Run(c->case_id, kSyv, "RecordStudyPace", {{"pace", std::string("part_time")}}), IsOk());
  return c->case_id;
}

TEST(OneFoldTest, EveryDecidedEventRecordsItsOutcomeAndTheFoldReadsIt) {
  EngineHarness h;
  const std::string c = StudyingCase(h);
  auto events = replay::ReadCaseEvents(h.log(), c);
  ASSERT_THAT(events, IsOk());
  ASSERT_GE(events->size(), 5u);
  engine::CaseState folded;
  const auto* def = h.registry().Find(events->front().event.meta.workflow, events->front().event.meta.revision);
  ASSERT_NE(def, nullptr);
  for (const auto& e : *events) {
    ASSERT_TRUE(e.event.outcome.has_value()) << e.event.type << " carries no outcome";
    engine::Apply(folded, e, *def);
    EXPECT_EQ(folded.state, e.event.outcome->state);
  }
  EXPECT_EQ(folded.state, "studying");
  EXPECT_EQ(folded.pace, std::optional<std::string>("part_time"));

  // Under a definition whose rules would now decide otherwise, the recorded outcomes still
  // give the same case: the fold never decides again …
  engine::WorkflowDefinition changed = *def;
  for (auto& cmd : changed.commands) {
    for (auto& o : cmd.outcomes) {
      for (auto& emit : o.emits) emit.to = "referred";
    }
  }
  engine::CaseState again;
  for (const auto& e : *events) engine::Apply(again, e, changed);
  EXPECT_EQ(again, folded);
  // … whereas the same events without recorded outcomes would be re-decided (the old path).
  engine::CaseState redecided;
  for (auto e : *events) {
    e.event.outcome.reset();
    engine::Apply(redecided, e, changed);
  }
  EXPECT_NE(redecided.state, folded.state);
}

TEST(OneFoldTest, ASnapshotOfAnotherFoldVersionIsIgnoredAndReplaced) {
  EngineHarness h;
  const std::string c = StudyingCase(h);
  auto state = h.service().LoadCase(c, std::nullopt, false);
  ASSERT_THAT(state, IsOk());
  // A snapshot as an older fold would have left it: no fold version, and a state it got wrong.
  auto fields = engine::DecodeFields(engine::EncodeSnapshot(*state));
  ASSERT_THAT(fields, IsOk());
  fields->erase("_fold");
  (*fields)["_state"] = std::string("booked");
  ASSERT_THAT(h.log().PutSnapshot(engine::CaseStream(c), StreamVersion(state->version), engine::EncodeFields(*fields)),
              IsOk());
  auto loaded = h.service().LoadCase(c);
  ASSERT_THAT(loaded, IsOk());
  EXPECT_EQ(*loaded, *state);
  auto snap = h.log().LatestSnapshot(engine::CaseStream(c), StreamVersion(UINT64_MAX));
  ASSERT_THAT(snap, IsOk());
  ASSERT_TRUE(snap->has_value());
  auto replaced = engine::DecodeSnapshot((*snap)->data);
  ASSERT_THAT(replaced, IsOk()) << "the snapshot was not rewritten under the current fold";
  EXPECT_EQ(replaced->state, "studying");
}

TEST(OneFoldTest, AnOutcomeChosenByAPersonalFieldIsRefusedAtLoad) {
  json::value def = json::parse(ReadFile(std::string(CASETRAIL_SOURCE_DIR) + "/workflows/study-referral/rev1.json"));
  ASSERT_THAT(engine::ParseDefinition(json::serialize(def)), IsOk());
  // Mark as personal a field that an outcome's `when` names.
  bool marked = false;
  for (auto& cmd : def.at("commands").as_array()) {
    for (const auto& o : cmd.at("outcomes").as_array()) {
      if (!o.as_object().contains("when") || marked) continue;
      const std::string field(o.at("when").as_object().begin()->key());
      cmd.at("fields").as_object()[field].as_object()["personal"] = true;
      marked = true;
    }
  }
  ASSERT_TRUE(marked);
  auto refused = engine::ParseDefinition(json::serialize(def));
  ASSERT_THAT(refused, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(refused.status().message()), ::testing::HasSubstr("personal field"));
}

// tests/fixtures/landed-release: a data directory written by the release before outcomes were
// recorded, with every case's state, pace and closed reason at each version as it answered.
TEST(OneFoldTest, ADataDirectoryOfTheLandedReleaseReplaysTheSame) {
  const std::string fixture = std::string(CASETRAIL_SOURCE_DIR) + "/tests/fixtures/landed-release";
  TempDir dir;
  fs::copy(fixture + "/backup/log", dir.Sub("log"), fs::copy_options::recursive);
  storage::LogOptions o;
  o.path = dir.Sub("log");
  auto log = storage::OpenRocksLog(o);
  ASSERT_THAT(log, IsOk());
  engine::DefinitionRegistry registry;
  ASSERT_THAT(workflows::RegisterStudyReferral(&registry), IsOk());
  json::value expected = json::parse(ReadFile(fixture + "/expected_states.json"));
  size_t checked = 0;
  replay::CaseDirectory directory(log->get(), &registry);
  ASSERT_TRUE(directory.WaitFor((*log)->GetHead().position, 10000));
  const auto listed = directory.List(std::nullopt, std::nullopt, "", SIZE_MAX);
  ASSERT_EQ(listed.size(), expected.as_object().size());
  for (const auto& summary : listed) {
    auto events = replay::ReadCaseEvents(**log, summary.case_id);
    ASSERT_THAT(events, IsOk());
    const auto& rows = expected.at(summary.case_id).as_array();
    ASSERT_EQ(rows.size(), events->size()) << summary.case_id;
    for (const auto& row : rows) {
      const auto& r = row.as_array();
      replay::AsOf at;
      at.version = static_cast<uint64_t>(r[0].as_int64());
      auto state = replay::Rebuild(*events, at, registry);
      ASSERT_THAT(state, IsOk());
      EXPECT_EQ(state->state, r[1].as_string()) << summary.case_id << " v" << *at.version;
      EXPECT_EQ(state->pace.value_or("null"), r[2].is_null() ? "null" : std::string(r[2].as_string()))
          << summary.case_id << " v" << *at.version;
      EXPECT_EQ(state->closed_reason.value_or("null"), r[3].is_null() ? "null" : std::string(r[3].as_string()))
          << summary.case_id << " v" << *at.version;
      ++checked;
    }
    const auto& last = rows.back().as_array();
    EXPECT_EQ(summary.state, last[1].as_string()) << "the case directory differs for " << summary.case_id;
  }
  EXPECT_EQ(checked, 204u);
}

}  // namespace
}  // namespace casetrail::testing
