// The engine is a generic runtime: a second, unrelated workflow (tests/fixtures/workflows/permit:
// other roles, units, parties, consent scopes, states, closed state and pace states) runs on the
// same CaseService, state machine and access policy, over a real RocksDB log.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "engine/access_policy.h"
#include "engine/case_service.h"
#include "storage/base/status_matchers.h"
#include "storage/rocksdb_log.h"
#include "tests/support/temp_dir.h"

namespace casetrail::testing {
namespace {

using engine::Actor;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(CASETRAIL_SOURCE_DIR) + "/tests/fixtures/workflows/permit/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

engine::RequestContext As(const Actor& a) { return {a, "public_task", "", ""}; }

const Actor kClerkNorth{"K-N1", "clerk", "north", "bankid", ""};
const Actor kClerkSouth{"K-S1", "clerk", "south", "bankid", ""};
const Actor kInspector{"I-1", "inspector", "", "service_card", ""};
const Actor kPublic{"P-1", "public", "", "bankid", ""};
const Actor kAuditor{"AU-1", "auditor", "", "bankid", ""};

class SecondWorkflowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::LogOptions o;
    o.path = dir_.Sub("log");
    auto log = storage::OpenRocksLog(o);
    ASSERT_THAT(log, IsOk());
    log_ = std::move(log).value();
    auto keys = storage::OpenKeyStore(dir_.Sub("keys"));
    ASSERT_THAT(keys, IsOk());
    key_store_ = std::move(keys).value();
    master_.bytes.fill(3);
    keys_ = std::make_unique<engine::SubjectKeys>(key_store_.get(), master_);
    auto model = engine::ParseModel(ReadFixture("model.json"));
    ASSERT_THAT(model, IsOk());
    ASSERT_THAT(registry_.AddModel(*model), IsOk());
    auto rev1 = engine::ParseDefinition(ReadFixture("rev1.json"));
    ASSERT_THAT(rev1, IsOk());
    ASSERT_THAT(registry_.Add(*rev1), IsOk());
    service_ = std::make_unique<engine::CaseService>(log_.get(), keys_.get(), &registry_, &guards_, &clock_, "permit");
  }

  std::string Subject() {
    auto r = service_->RegisterSubject(As(kClerkNorth), {"19121212-1212", "Tolvan Tolvansson", "unknown", "", ""});
    EXPECT_THAT(r, IsOk());
    return r.ok() ? r->subject_id : "";
  }

  TempDir dir_;
  std::unique_ptr<storage::Log> log_;
  std::unique_ptr<storage::KeyStore> key_store_;
  engine::MasterKey master_;
  std::unique_ptr<engine::SubjectKeys> keys_;
  engine::DefinitionRegistry registry_;
  engine::GuardTable guards_;
  engine::FakeClock clock_{*engine::ParseRfc3339("2025-03-03T09:00:00+01:00")};
  std::unique_ptr<engine::CaseService> service_;
};

TEST_F(SecondWorkflowTest, RunsItsCommandsUnderItsOwnRolesUnitsAndStates) {
  const std::string subject = Subject();
  // Its consent scopes and methods, not another workflow's.
  EXPECT_THAT(service_->GrantConsent(As(kClerkNorth), subject, {"transfer_referral"}, "written", ""),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(service_->GrantConsent(As(kClerkNorth), subject, {"share_plans"}, "signed_form", ""),
              StatusIs(StatusCode::kInvalidArgument));
  ASSERT_THAT(service_->GrantConsent(As(kClerkNorth), subject, {"share_plans"}, "written", ""), IsOk());
  EXPECT_THAT(service_->RegisterSubject(As(kPublic), {"19121212-1212", "x", "unknown", "", ""}),
              StatusIs(StatusCode::kPermissionDenied));

  // A clerk is bound to their unit: they open cases there only, and see no other unit's.
  EXPECT_THAT(service_->OpenCase(As(kClerkNorth), subject, {{"unit", std::string("south")}}),
              StatusIs(StatusCode::kPermissionDenied));
  auto opened = service_->OpenCase(As(kClerkNorth), subject, {{"unit", std::string("north")}});
  ASSERT_THAT(opened, IsOk());
  EXPECT_EQ(opened->state, "submitted");
  const std::string case_id = opened->case_id;
  EXPECT_THAT(service_->Execute(As(kClerkSouth), case_id, {"GrantPermit", {}, std::nullopt}, std::nullopt),
              StatusIs(StatusCode::kNotFound));

  auto scheduled = service_->Execute(
      As(kInspector), case_id, {"ScheduleInspection", {{"slot", std::string("2025-03-10T10:00:00+01:00")}}, std::nullopt},
      std::nullopt);
  ASSERT_THAT(scheduled, IsOk());
  EXPECT_EQ(scheduled->state, "scheduled");
  // The pace lives only in the model's pace states.
  EXPECT_FALSE(scheduled->pace.has_value());
  auto building = service_->Execute(As(kInspector), case_id, {"StartBuilding", {{"speed", std::string("fast")}}, std::nullopt},
                                    std::nullopt);
  ASSERT_THAT(building, IsOk());
  EXPECT_EQ(building->state, "building");
  EXPECT_EQ(building->pace, "fast");

  // Withdrawing the scope that closes cases leads to the model's closed state, "withdrawn".
  ASSERT_THAT(service_->WithdrawConsent(As(kClerkNorth), subject, {"share_plans"}), IsOk());
  auto state = service_->LoadCase(case_id);
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ(state->state, "withdrawn");
  EXPECT_EQ(state->closed_reason, "consent_withdrawn");
  EXPECT_FALSE(state->pace.has_value());
  // Replay from the first event gives the same.
  auto replayed = service_->LoadCase(case_id, std::nullopt, false);
  ASSERT_THAT(replayed, IsOk());
  EXPECT_EQ(replayed->state, "withdrawn");
}

TEST_F(SecondWorkflowTest, ReadsFollowItsModel) {
  const std::string subject = Subject();
  ASSERT_THAT(service_->GrantConsent(As(kClerkNorth), subject, {"share_plans"}, "written", ""), IsOk());
  auto opened = service_->OpenCase(As(kClerkNorth), subject, {{"unit", std::string("north")}});
  ASSERT_THAT(opened, IsOk());
  auto state = service_->LoadCase(opened->case_id);
  ASSERT_THAT(state, IsOk());
  const engine::WorkflowModel& m = service_->model();
  const engine::Timestamp now = clock_.Now();
  const engine::EventSpec field_event{"field", "share_findings"};
  const engine::EventSpec office_event{"office", ""};

  auto consent = service_->LoadConsent(subject);
  ASSERT_THAT(consent, IsOk());
  EXPECT_TRUE(engine::RoleSeesCases(m, "clerk"));
  EXPECT_FALSE(engine::RoleSeesCases(m, "public"));
  EXPECT_FALSE(engine::RoleSeesCases(m, "af_officer"));  // a role of another workflow is no role here
  EXPECT_THAT(engine::CheckCaseVisible(m, kClerkSouth, *state), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(engine::CheckCaseVisible(m, kPublic, *state), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(engine::CheckCaseVisible(m, kInspector, *state), IsOk());
  // The clerk sees the field's data only under the event's share scope, not yet granted.
  EXPECT_FALSE(engine::ShowsEventData(m, kClerkNorth, field_event, *consent, now));
  EXPECT_TRUE(engine::ShowsEventData(m, kClerkNorth, office_event, *consent, now));
  EXPECT_FALSE(engine::ShowsPace(m, kClerkNorth, *consent, now));
  // The inspector sees the subject and the office's personal fields while share_plans holds.
  EXPECT_TRUE(engine::ShowsSubject(m, kInspector, *consent, now));
  EXPECT_TRUE(engine::ShowsPersonal(m, kInspector, office_event, *consent, now));
  EXPECT_EQ(engine::DefaultPurpose(m, kInspector), "inspection");

  clock_.Advance(std::chrono::minutes(1));
  ASSERT_THAT(service_->GrantConsent(As(kClerkNorth), subject, {"share_findings"}, "written", ""), IsOk());
  ASSERT_THAT(service_->WithdrawConsent(As(kClerkNorth), subject, {"share_plans"}), IsOk());
  clock_.Advance(std::chrono::minutes(1));
  consent = service_->LoadConsent(subject);
  ASSERT_THAT(consent, IsOk());
  const engine::Timestamp later = clock_.Now();
  EXPECT_TRUE(engine::ShowsEventData(m, kClerkNorth, field_event, *consent, later));
  EXPECT_TRUE(engine::ShowsPace(m, kClerkNorth, *consent, later));
  EXPECT_FALSE(engine::ShowsSubject(m, kInspector, *consent, later));
  EXPECT_FALSE(engine::ShowsPersonal(m, kInspector, office_event, *consent, later));
  EXPECT_TRUE(engine::ShowsPersonal(m, kInspector, field_event, *consent, later));  // its own party's
  // Its auditor may place holds; a clerk may not.
  EXPECT_THAT(service_->SetLegalHold(As(kClerkNorth), subject, true, "ref"), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service_->SetLegalHold(As(kAuditor), subject, true, "ref"), IsOk());
}

TEST(WorkflowModelTest, DefinitionsAreCheckedAgainstTheirModel) {
  engine::DefinitionRegistry registry;
  auto rev1 = engine::ParseDefinition(ReadFixture("rev1.json"));
  ASSERT_THAT(rev1, IsOk());
  // No model, no revisions.
  EXPECT_THAT(registry.Add(*rev1), StatusIs(StatusCode::kFailedPrecondition));
  auto model = engine::ParseModel(ReadFixture("model.json"));
  ASSERT_THAT(model, IsOk());
  ASSERT_THAT(registry.AddModel(*model), IsOk());
  EXPECT_THAT(registry.AddModel(*model), IsOk());  // the same content again
  engine::WorkflowModel changed = *model;
  changed.canonical += " ";
  EXPECT_THAT(registry.AddModel(changed), StatusIs(StatusCode::kAlreadyExists));

  // A definition naming a role, scope or party the model lacks is refused.
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {R"("roles": ["inspector"], "from": ["submitted"])", R"("roles": ["syv"], "from": ["submitted"])"},
           {R"("consent": ["share_plans"],
     "fields": {"unit")", R"("consent": ["share_guidance"],
     "fields": {"unit")"},
           {R"({"party": "office"})", R"({"party": "vux"})"},
           {R"("share_scope": "share_findings"})", R"("share_scope": "share_secrets"})"}}) {
    std::string text = ReadFixture("rev1.json");
    ASSERT_NE(text.find(from), std::string::npos) << from;
    text.replace(text.find(from), from.size(), to);
    auto def = engine::ParseDefinition(text);
    ASSERT_THAT(def, IsOk()) << to;
    EXPECT_THAT(engine::CheckAgainstModel(*def, *model), StatusIs(StatusCode::kInvalidArgument)) << to;
  }
  EXPECT_THAT(registry.Add(*rev1), IsOk());
  EXPECT_EQ(registry.Find("permit", 1)->rules.closed_state, "withdrawn");
}

TEST(WorkflowModelTest, MalformedModelsAreRefusedWithTheElementNamed) {
  const std::string ok = ReadFixture("model.json");
  ASSERT_THAT(engine::ParseModel(ok), IsOk());
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {R"("pace": {"consent": "share_findings"})", R"("pace": {"consent": "share_nothing"})"},
           {R"("party": "field")", R"("party": "nobody")"},
           {R"("cases": "unit")", R"("cases": "some")"},
           {R"("closed_state": "withdrawn")", R"("closed_state": "")"},
           {R"("subject": "always")", R"("subject": "sometimes")"}}) {
    std::string text = ok;
    ASSERT_NE(text.find(from), std::string::npos) << from;
    text.replace(text.find(from), from.size(), to);
    EXPECT_THAT(engine::ParseModel(text), StatusIs(StatusCode::kInvalidArgument)) << to;
  }
  EXPECT_THAT(engine::ParseModel("[]"), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace casetrail::testing
