// End-to-end data protection over real HTTP: who sees what (every role × consent state × kind of
// data, with the read record each read leaves), the case audit, the register extract, erasure,
// and a CLI backup/restore that keeps an erased subject erased.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;

constexpr const char* kReferralNote = "Remissanteckning: vill bli elektriker";
constexpr const char* kHeldNote = "Samtalsanteckning: dyslexi, behöver stöd";

class GdprE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_);
    ASSERT_TRUE(server_->Start());
  }
  HttpResponse Post(const std::string& path, const std::string& who, const json::value& body) {
    return Http(server_->port(), "POST", path, TokenOf(who), json::serialize(body));
  }
  HttpResponse Get(const std::string& path, const std::string& who) {
    return Http(server_->port(), "GET", path, TokenOf(who));
  }
  void SetClock(const std::string& t) { ASSERT_EQ(Post("/v1/admin/clock", "ADM-1", {{"set", t}}).status, 200); }

  struct Enrolled {
    std::string subject, case_id, name;
  };
  // A subject with every scope granted and a case now `studying` with notes on the way.
  // Each enrolment runs on its own days of January 2025 (`day` 1–9), after the server clock's start.
  Enrolled Enrol(const std::string& pnr, const std::string& name, int day) {
    char d0[40], d1[40], t1[40], slot[40];
    std::snprintf(d0, sizeof(d0), "2025-01-%02dT09:00:00+01:00", 12 + 2 * day);
    std::snprintf(slot, sizeof(slot), "2025-01-%02dT10:00:00+01:00", 13 + 2 * day);
    std::snprintf(t1, sizeof(t1), "2025-01-%02dT11:00:00+01:00", 13 + 2 * day);
    std::snprintf(d1, sizeof(d1), "2025-01-%02d", 13 + 2 * day);
    SetClock(d0);
    auto s = Post("/v1/subjects", "A-J1", {{"personal_number", pnr}, {"name", name}, {"gender", "male"},
                                           {"contact", {{"phone", "+46701230000"}, {"email", "x@example.test"}}}});
    EXPECT_EQ(s.status, 201) << s.body;
    const std::string subject = s.Str("subject_id");
    EXPECT_EQ(Post("/v1/subjects/" + subject + "/consents", "A-J1",
                   {{"scopes", {"transfer_referral", "share_guidance", "share_study_progress"}}, {"method", "signed_form"},
                    {"evidence_ref", "pärm-3"}})
                  .status,
              201);
    auto c = Post("/v1/cases", "A-J1",
                  {{"subject_id", subject}, {"unit", "jarva"}, {"channel", "space"}, {"long_term_unemployed", true},
                   {"lacks_upper_secondary", true}, {"resident_stockholm", true}, {"rom_participant", false},
                   {"need_assessed", true}, {"note", kReferralNote}});
    EXPECT_EQ(c.status, 201) << c.body;
    const std::string id = c.Str("case_id");
    auto cmd = [&](const std::string& command, json::object data) {
      auto r = Post("/v1/cases/" + id + "/commands", "V-1", {{"command", command}, {"data", std::move(data)}});
      EXPECT_EQ(r.status, 200) << command << ": " << r.body;
    };
    cmd("BookConversation", {{"slot", slot}});
    SetClock(t1);
    cmd("RecordConversationHeld", {{"outcome", "plan"}, {"note", kHeldNote}});
    cmd("RecordStudiesStarted", {{"start_date", d1}, {"pace", "part_time"}});
    return {subject, id, name};
  }
  json::array Reads(const std::string& case_id) {
    auto r = Get("/v1/cases/" + case_id + "/audit", "C-1");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json().at("reads").as_array();
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

// API.md "Who sees what", as a model the server is checked against.
struct Expect {
  bool subject, af_note, guidance, progress;
};
Expect Model(const std::string& role, const std::set<std::string>& scopes) {
  const bool transfer = scopes.count("transfer_referral"), guidance = scopes.count("share_guidance"),
             progress = scopes.count("share_study_progress");
  if (role == "af_officer") return {true, true, guidance, progress};
  if (role == "syv") return {transfer, transfer, true, true};
  return {true, true, true, true};  // compliance
}

TEST_F(GdprE2ETest, EveryRoleTimesConsentTimesKindOfData) {
  struct Config {
    const char* name;
    std::vector<std::string> withdraw;
  };
  const std::vector<Config> configs = {{"all scopes", {}},
                                       {"progress withdrawn", {"share_study_progress"}},
                                       {"guidance withdrawn", {"share_guidance"}},
                                       {"transfer withdrawn", {"transfer_referral"}}};
  const std::vector<std::string> numbers = {"19121212-1212", "19800101-0001", "19850505-1238", "19900909-4567"};
  int n = 0;
  for (const auto& config : configs) {
    SCOPED_TRACE(config.name);
    const std::string name = std::string("Namn Matrisson ") + char('A' + n);
    Enrolled e = Enrol(numbers[n], name, n + 1);
    ++n;
    std::set<std::string> scopes = {"transfer_referral", "share_guidance", "share_study_progress"};
    if (!config.withdraw.empty()) {
      json::array w;
      for (const auto& s : config.withdraw) {
        w.emplace_back(s);
        scopes.erase(s);
      }
      ASSERT_EQ(Post("/v1/subjects/" + e.subject + "/consents/withdraw", "A-J1", {{"scopes", w}}).status, 200);
    }
    // Roles that never see cases, and an officer of another unit.
    for (const char* who : {"G-1", "W-1", "ADM-1"}) {
      const size_t before = Reads(e.case_id).size();
      EXPECT_EQ(Get("/v1/cases/" + e.case_id, who).status, 403) << who;
      EXPECT_EQ(Get("/v1/cases/" + e.case_id + "/events", who).status, 403) << who;
      // + the audit that listed `before` (an audit is a recorded read), and nothing for the refusals.
      EXPECT_EQ(Reads(e.case_id).size(), before + 1) << "a refused read records nothing";
    }
    EXPECT_EQ(Get("/v1/cases/" + e.case_id, "A-G1").status, 404);

    for (const auto& [who, role] : std::vector<std::pair<std::string, std::string>>{
             {"A-J1", "af_officer"}, {"V-1", "syv"}, {"C-1", "compliance"}}) {
      SCOPED_TRACE(who);
      const Expect want = Model(role, scopes);
      // The case: subject shown or redacted, pace shown or redacted.
      size_t before = Reads(e.case_id).size();
      auto c = Get("/v1/cases/" + e.case_id, who);
      ASSERT_EQ(c.status, 200) << c.body;
      const auto& subject = c.Json().at("subject").as_object();
      EXPECT_EQ(subject.contains("name"), want.subject) << c.body;
      EXPECT_EQ(subject.contains("redacted"), !want.subject) << c.body;
      EXPECT_EQ(c.body.find(e.name) != std::string::npos, want.subject);
      EXPECT_EQ(c.Json().at("pace").is_object(), !want.progress) << c.body;
      auto reads = Reads(e.case_id);
      // + the audit that listed `before` (an audit is a recorded read too) + the case read.
      ASSERT_EQ(reads.size(), before + 2) << "the case read left one read record";
      EXPECT_EQ(reads.back().at("actor").as_string(), who);
      EXPECT_EQ(reads.back().at("role").as_string(), role);
      EXPECT_EQ(reads.back().at("outcome").as_string(), want.subject && want.progress ? "granted" : "redacted");
      EXPECT_EQ(reads.back().at("purpose").as_string(), role == "compliance" ? "compliance_review" : "case_handling");

      // The events: the AF note, the Vux guidance note, the Vux progress data.
      before = reads.size();
      auto ev = Get("/v1/cases/" + e.case_id + "/events", who);
      ASSERT_EQ(ev.status, 200) << ev.body;
      EXPECT_EQ(ev.body.find(kReferralNote) != std::string::npos, want.af_note) << ev.body;
      EXPECT_EQ(ev.body.find(kHeldNote) != std::string::npos, want.guidance) << ev.body;
      bool progress_shown = false, any_redacted = false;
      for (const auto& x : ev.Json().at("events").as_array()) {
        const auto& d = x.at("data").as_object();
        if (x.at("type").as_string() == "StudiesStarted") progress_shown = d.contains("pace");
        if (d.contains("redacted") || d.contains("personal")) any_redacted = true;
      }
      EXPECT_EQ(progress_shown, want.progress) << ev.body;
      reads = Reads(e.case_id);
      ASSERT_EQ(reads.size(), before + 2) << "the events read left one read record";
      EXPECT_EQ(reads.back().at("outcome").as_string(), any_redacted ? "redacted" : "granted");
      const bool all_shown = want.af_note && want.guidance && want.progress;
      EXPECT_EQ(any_redacted, !all_shown);
    }
  }
}

TEST_F(GdprE2ETest, AuditExtractAndErasure) {
  Enrolled kept = Enrol("19121212-1212", "Kvar Kvarsson", 1);
  Enrolled gone = Enrol("19800101-0001", "Borta Bortasson", 2);
  // A refused command shows in the audit.
  EXPECT_EQ(Post("/v1/cases/" + gone.case_id + "/commands", "V-1", {{"command", "RecordNoShow"}}).status, 422);
  auto audit = Get("/v1/cases/" + gone.case_id + "/audit", "C-1");
  ASSERT_EQ(audit.status, 200) << audit.body;
  const auto& a = audit.Json().as_object();
  EXPECT_TRUE(a.at("chain").at("ok").as_bool());
  ASSERT_EQ(a.at("events").as_array().size(), 5u);  // referral, booked, held, plan, started
  const auto& first = a.at("events").as_array()[0].as_object();
  EXPECT_EQ(first.at("legal_basis").as_string(), "public_task");
  EXPECT_EQ(first.at("actor").at("auth").as_string(), "bankid");
  EXPECT_EQ(first.at("revision").as_string(), "study-referral@1");
  EXPECT_EQ(first.at("hash").as_string().size(), 64u);
  ASSERT_EQ(a.at("refused_commands").as_array().size(), 1u);
  EXPECT_EQ(a.at("refused_commands").as_array()[0].at("facts").at("code").as_string(), "invalid_transition");
  EXPECT_EQ(audit.body.find("Borta"), std::string::npos) << "the audit shows no personal data";
  for (const char* who : {"A-J1", "V-1", "G-1", "W-1", "ADM-1"}) {
    EXPECT_EQ(Get("/v1/cases/" + gone.case_id + "/audit", who).status, 403) << who;
    EXPECT_EQ(Get("/v1/subjects/" + gone.subject + "/extract", who).status, 403) << who;
  }

  // The register extract: personal data, consents, cases with history, processing, reads.
  ASSERT_EQ(Get("/v1/cases/" + gone.case_id, "V-1").status, 200);
  auto extract = Get("/v1/subjects/" + gone.subject + "/extract", "C-1");
  ASSERT_EQ(extract.status, 200) << extract.body;
  const auto& x = extract.Json().as_object();
  EXPECT_EQ(x.at("personal_data").at("name").as_string(), "Borta Bortasson");
  EXPECT_EQ(x.at("personal_data").at("personal_number").as_string(), "19800101-0001");
  EXPECT_EQ(x.at("consents").as_array().size(), 1u);
  EXPECT_EQ(x.at("consents").as_array()[0].at("data").at("evidence_ref").as_string(), "pärm-3");
  ASSERT_EQ(x.at("cases").as_array().size(), 1u);
  EXPECT_EQ(x.at("cases").as_array()[0].at("events").as_array().size(), 5u);
  EXPECT_NE(extract.body.find(kHeldNote), std::string::npos);
  EXPECT_FALSE(x.at("processing").at("recipients").as_array().empty());
  EXPECT_GE(x.at("reads").as_array().size(), 1u) << "the syv read above is listed";
  auto again = Get("/v1/subjects/" + gone.subject + "/extract", "C-1");
  EXPECT_EQ(again.Json().at("reads").as_array().size(), x.at("reads").as_array().size() + 1)
      << "an extract is itself a recorded read";

  // Erasure: refused without a legal basis or by another role; then done once.
  const std::string erase = "/v1/subjects/" + gone.subject + "/erasure";
  EXPECT_EQ(Post(erase, "C-1", {{"reference", "dnr-1"}}).Str("code"), "invalid_field");
  EXPECT_EQ(Post(erase, "A-J1", {{"legal_basis", "art17_1a"}, {"reference", "dnr-1"}}).status, 403);
  // Legal basis and reference are free text (API.md), one line of up to 200 characters, never
  // holding a personal number (they are kept in clear beyond the erasure).
  EXPECT_EQ(Post(erase, "C-1", {{"legal_basis", std::string(201, 'x')}, {"reference", "dnr-1"}}).Str("code"), "invalid_field");
  EXPECT_EQ(Post(erase, "C-1", {{"legal_basis", "art. 17\nmore"}, {"reference", "dnr-1"}}).Str("code"), "invalid_field");
  auto holds_number = Post(erase, "C-1", {{"legal_basis", "Art. 17.1 a"}, {"reference", "Begäran från 800101-0001 per brev"}});
  EXPECT_EQ(holds_number.status, 422);
  EXPECT_EQ(holds_number.Str("code"), "personal_data_in_text");
  EXPECT_EQ(holds_number.body.find("800101"), std::string::npos);
  auto erased = Post(erase, "C-1", {{"legal_basis", "GDPR art. 17.1 a – samtycket återkallat (§ 3)"},
                                    {"reference", "Begäran 2025-01-17, dnr 2025/117"}});
  ASSERT_EQ(erased.status, 200) << erased.body;
  ASSERT_EQ(erased.Json().at("cases").as_array().size(), 1u);
  EXPECT_EQ(erased.Json().at("cases").as_array()[0].as_string(), gone.case_id);
  auto twice = Post(erase, "C-1", {{"legal_basis", "art17_1a"}, {"reference", "dnr-2025-0117"}});
  EXPECT_EQ(twice.status, 410);
  EXPECT_EQ(twice.Str("code"), "erased");

  auto c = Get("/v1/cases/" + gone.case_id, "C-1");
  ASSERT_EQ(c.status, 200);
  EXPECT_TRUE(c.Json().at("subject").at("erased").as_bool());
  EXPECT_EQ(c.Str("state"), "closed");
  EXPECT_EQ(c.Str("closed_reason"), "erased");
  auto ev = Get("/v1/cases/" + gone.case_id + "/events", "C-1");
  EXPECT_EQ(ev.body.find(kHeldNote), std::string::npos);
  EXPECT_NE(ev.body.find("\"erased\":true"), std::string::npos);
  EXPECT_EQ(Get("/v1/subjects/" + gone.subject + "/extract", "C-1").status, 410);
  EXPECT_EQ(Post("/v1/subjects/lookup", "C-1", {{"personal_number", "19800101-0001"}}).status, 404);
  EXPECT_EQ(Post("/v1/subjects/" + gone.subject + "/consents", "A-J1", {{"scopes", {"share_guidance"}}, {"method", "verbal"}}).status, 410);
  auto verify = Get("/v1/verify", "C-1");
  EXPECT_TRUE(verify.Json().at("ok").as_bool()) << verify.body;
  // The other subject is untouched.
  EXPECT_EQ(Get("/v1/cases/" + kept.case_id, "C-1").Json().at("subject").at("name").as_string(), "Kvar Kvarsson");
}

int RunCli(const std::string& args) { return std::system((std::string(CASETRAIL_BIN) + " " + args + " > /dev/null 2>&1").c_str()); }

TEST_F(GdprE2ETest, CliRestoreOfAnOlderBackupKeepsTheErasure) {
  Enrolled gone = Enrol("19800101-0001", "Borta Bortasson", 1);
  ASSERT_EQ(server_->Stop(SIGTERM), 0);
  const std::string data = server_->data_dir(), key = dir_.Sub("master.key"), backup = dir_.Sub("backup");
  ASSERT_EQ(RunCli("backup --data " + data + " --master-key " + key + " --to " + backup), 0);
  ASSERT_TRUE(server_->Start());
  ASSERT_EQ(Post("/v1/subjects/" + gone.subject + "/erasure", "C-1", {{"legal_basis", "art17_1a"}, {"reference", "dnr-9"}}).status, 200);
  ASSERT_EQ(server_->Stop(SIGTERM), 0);

  std::filesystem::remove_all(data + "/log");
  std::filesystem::remove_all(data + "/keys");
  ASSERT_EQ(RunCli("restore --data " + data + " --master-key " + key + " --from " + backup), 0);
  ASSERT_TRUE(server_->Start());
  auto c = Get("/v1/cases/" + gone.case_id, "C-1");
  ASSERT_EQ(c.status, 200) << c.body;
  EXPECT_TRUE(c.Json().at("subject").at("erased").as_bool()) << c.body;
  EXPECT_EQ(c.Str("closed_reason"), "erased");
  EXPECT_EQ(Post("/v1/subjects/lookup", "C-1", {{"personal_number", "19800101-0001"}}).status, 404);
  EXPECT_TRUE(Get("/v1/verify", "C-1").Json().at("ok").as_bool());
}

}  // namespace
}  // namespace casetrail::testing

namespace casetrail::testing {
namespace {

// J11: with --retention the worker runs the policy once a day at --retention-hour (Stockholm),
// on the server clock; a run already on record that day counts.
TEST_F(GdprE2ETest, TheWorkerRunsRetentionDailyAtItsHour) {
  ASSERT_EQ(server_->Stop(SIGTERM), 0);
  const std::string policy = dir_.Sub("retention.json");
  {
    std::ofstream out(policy);
    out << R"({"version":"test-2","rules":[{"id":"never-referred","when":"no_case","after_days":1,"decision_ref":"AF-2024/0042"}]})";
  }
  server_->SetExtraArgs({"--retention", policy, "--retention-hour", "3"});
  ASSERT_TRUE(server_->Start());  // the manual clock: 2025-01-13 09:00
  // RetentionRunCompleted events, as the decision audit counts them.
  auto runs = [&] {
    const auto audit = Get("/v1/audits/decisions?year=2025", "C-1");
    const auto* n = audit.Json().at("totals").as_object().if_contains("retention_runs");
    return n ? static_cast<int>(n->to_number<int64_t>()) : 0;
  };
  // Started at 09:00, past the hour: the first pass runs the 13th's retention.
  ASSERT_EQ(Post("/v1/admin/clock", "ADM-1", {{"set", "2025-01-13T09:00:01+01:00"}}).status, 200);
  const int before = runs();
  EXPECT_EQ(before, 1);
  auto r = Post("/v1/subjects", "A-J1", {{"personal_number", "19121212-1212"}, {"name", "Ingen Remiss"}});
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string lonely = r.Str("subject_id");
  ASSERT_EQ(Post("/v1/admin/clock", "ADM-1", {{"set", "2025-01-14T02:59:00+01:00"}}).status, 200);
  EXPECT_EQ(runs(), before) << "not before 03:00";
  ASSERT_EQ(Post("/v1/admin/clock", "ADM-1", {{"set", "2025-01-14T03:00:00+01:00"}}).status, 200);
  EXPECT_EQ(runs(), before + 1) << "the day's run";
  EXPECT_EQ(Get("/v1/subjects/" + lonely + "/extract", "C-1").status, 200) << "registered 09:00 yesterday: not yet a day";
  ASSERT_EQ(Post("/v1/admin/clock", "ADM-1", {{"set", "2025-01-14T23:00:00+01:00"}}).status, 200);
  EXPECT_EQ(runs(), before + 1) << "once a day";
  ASSERT_EQ(Post("/v1/admin/clock", "ADM-1", {{"set", "2025-01-15T03:00:00+01:00"}}).status, 200);
  EXPECT_EQ(runs(), before + 2);
  EXPECT_EQ(Get("/v1/subjects/" + lonely + "/extract", "C-1").status, 410) << "erased by the scheduled run";
  // A restart the same day does not run it again.
  ASSERT_EQ(server_->Stop(SIGTERM), 0);
  ASSERT_TRUE(server_->Start());
  ASSERT_EQ(Post("/v1/admin/clock", "ADM-1", {{"set", "2025-01-15T04:00:00+01:00"}}).status, 200);
  EXPECT_EQ(runs(), before + 2);
}

TEST_F(GdprE2ETest, RetentionRunsFromTheCliAndLegalHoldsBlockIt) {
  // Without a policy the route says so.
  auto none = Post("/v1/retention/run", "C-1", json::object{});
  EXPECT_EQ(none.status, 409);
  EXPECT_EQ(none.Str("code"), "retention_not_configured");
  EXPECT_EQ(Post("/v1/retention/run", "A-J1", json::object{}).status, 403);
  auto make = [&](const std::string& pnr) {
    auto r = Post("/v1/subjects", "A-J1", {{"personal_number", pnr}, {"name", "Ingen Remiss"}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Str("subject_id");
  };
  const std::string lonely = make("19121212-1212"), held = make("19800101-0001");
  EXPECT_EQ(Post("/v1/subjects/" + held + "/legal-hold", "A-J1", {{"reference", "JO-1"}}).status, 403);
  auto hold = Post("/v1/subjects/" + held + "/legal-hold", "C-1", {{"reference", "JO-2025-17"}});
  ASSERT_EQ(hold.status, 200) << hold.body;
  ASSERT_EQ(server_->Stop(SIGTERM), 0);

  // The server's clock was 2025; the CLI runs on the real clock, long after 0 days.
  const std::string policy = dir_.Sub("retention.json");
  {
    std::ofstream out(policy);
    out << R"({"version":"test-1","rules":[{"id":"never-referred","when":"no_case","after_days":0,"decision_ref":"AF-2024/0042"}]})";
  }
  const std::string data = server_->data_dir(), key = dir_.Sub("master.key");
  ASSERT_EQ(RunCli("retention --data " + data + " --master-key " + key + " --policy " + policy), 0);
  ASSERT_TRUE(server_->Start());
  EXPECT_EQ(Post("/v1/subjects/lookup", "C-1", {{"personal_number", "19121212-1212"}}).status, 404) << "erased by retention";
  EXPECT_EQ(Post("/v1/subjects/lookup", "C-1", {{"personal_number", "19800101-0001"}}).status, 200) << "held";
  EXPECT_EQ(Get("/v1/subjects/" + lonely + "/extract", "C-1").status, 410);
  EXPECT_TRUE(Get("/v1/verify", "C-1").Json().at("ok").as_bool());
}

}  // namespace
}  // namespace casetrail::testing
