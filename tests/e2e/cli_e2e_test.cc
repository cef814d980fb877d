// The casetrail CLI on a real data directory: CSV import (bad rows by line, good rows kept, a
// re-run duplicates nothing), then replay, audit, extract, erase and rebuild, as the operator.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <fstream>

#include "tests/support/cli_runner.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;

class CliE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_);
    ASSERT_TRUE(server_->Start());  // creates the stores
    ASSERT_EQ(server_->Stop(SIGTERM), 0);
  }
  std::string DataFlags() { return "--data " + server_->data_dir() + " --master-key " + dir_.Sub("master.key"); }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

constexpr const char* kCsv =
    "personal_number,name,gender,phone,email,unit,channel,long_term_unemployed,lacks_upper_secondary,"
    "resident_stockholm,rom_participant,need_assessed,consent_scopes,consent_method,evidence_ref,note\n"
    "19121212-1212,Tolvan Tolvansson,female,+46701234567,t@example.test,jarva,space,true,true,true,true,true,,signed_form,F-1,\n"
    "19121212-1213,Fel Nummersson,male,,,city,space,true,true,true,false,true,,signed_form,,\n"
    "19800101-0001,Utan Målgrupp,male,,,city,space,false,false,true,false,true,,verbal,,\n"
    "19850505-1238,\"Komma, Citat\",unknown,,,globen,space,ja,nej,ja,nej,ja,transfer_referral;share_guidance,bankid,,"
    "\"vill läsa, \"\"gärna\"\"\nnästa termin\"\n"
    "19900909-4567,Fel Scope,female,,,jarva,space,yes,no,yes,no,yes,share_guidance,bankid,,\n";

TEST_F(CliE2ETest, ImportThenReplayAuditExtractEraseRebuild) {
  {
    std::ofstream csv(dir_.Sub("referrals.csv"));
    csv << kCsv;
  }
  auto imported = Cli(dir_, "import " + DataFlags() + " " + dir_.Sub("referrals.csv"));
  EXPECT_EQ(imported.exit_code, 1) << "rejected rows make the exit code 1";
  EXPECT_THAT(imported.out, ::testing::HasSubstr("5 rows, 2 imported, 3 rejected"));
  EXPECT_THAT(imported.err, ::testing::HasSubstr("line 3: invalid_personal_number (personal_number)"));
  EXPECT_THAT(imported.err, ::testing::HasSubstr("line 4: guard_failed (G-TARGET)"));
  EXPECT_THAT(imported.err, ::testing::HasSubstr("line 7: consent_missing (consent_scopes)")) << "line numbers count the quoted line break";
  for (const char* personal : {"19121212", "Fel Nummersson", "Utan", "Scope"}) {
    EXPECT_EQ(imported.err.find(personal), std::string::npos) << "errors never repeat values";
  }
  // A re-run writes nothing new: the imported people have open cases.
  auto again = Cli(dir_, "import " + DataFlags() + " " + dir_.Sub("referrals.csv"));
  EXPECT_THAT(again.out, ::testing::HasSubstr("5 rows, 0 imported, 5 rejected"));
  EXPECT_THAT(again.err, ::testing::HasSubstr("line 2: case_open"));

  ASSERT_TRUE(server_->Start());
  auto listing = Http(server_->port(), "GET", "/v1/cases", TokenOf("C-1"));
  ASSERT_EQ(listing.status, 200);
  const auto& cases = listing.Json().at("cases").as_array();
  ASSERT_EQ(cases.size(), 2u);
  std::string jarva_case;
  for (const auto& c : cases) {
    if (c.at("unit").as_string() == "jarva") jarva_case = std::string(c.at("case_id").as_string());
  }
  ASSERT_FALSE(jarva_case.empty());
  auto lookup = Http(server_->port(), "POST", "/v1/subjects/lookup", TokenOf("C-1"), R"({"personal_number":"191212121212"})");
  ASSERT_EQ(lookup.status, 200);
  const std::string subject = lookup.Str("subject_id");
  auto globen = Http(server_->port(), "GET", "/v1/cases?unit=globen", TokenOf("C-1"));
  const std::string globen_case(globen.Json().at("cases").as_array()[0].at("case_id").as_string());
  auto events = Http(server_->port(), "GET", "/v1/cases/" + globen_case + "/events", TokenOf("C-1"));
  EXPECT_THAT(events.body, ::testing::HasSubstr("vill läsa, \\\"gärna\\\"\\nnästa termin")) << "quoted CSV note kept exactly";
  ASSERT_EQ(server_->Stop(SIGTERM), 0);

  auto replay = Cli(dir_, "replay " + DataFlags() + " " + jarva_case + " --version 1");
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  auto state = json::parse(replay.out);
  EXPECT_EQ(state.at("state").as_string(), "referred");
  EXPECT_EQ(state.at("subject").at("name").as_string(), "Tolvan Tolvansson");

  auto audit = Cli(dir_, "audit " + DataFlags() + " " + jarva_case);
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  auto trail = json::parse(audit.out);
  EXPECT_TRUE(trail.at("chain").at("ok").as_bool());
  ASSERT_FALSE(trail.at("reads").as_array().empty()) << "the replay above was a recorded read";
  EXPECT_THAT(std::string(trail.at("reads").as_array().back().at("actor").as_string()), ::testing::StartsWith("cli:"));

  auto extract = Cli(dir_, "extract " + DataFlags() + " " + subject);
  ASSERT_EQ(extract.exit_code, 0) << extract.err;
  EXPECT_EQ(json::parse(extract.out).at("personal_data").at("contact").at("email").as_string(), "t@example.test");

  auto refused = Cli(dir_, "erase " + DataFlags() + " " + subject + " --legal-basis 'art 17' --reference 'brev från 121212-1212'");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, ::testing::HasSubstr("422 personal_data_in_text"));
  EXPECT_THAT(refused.err, ::testing::Not(::testing::HasSubstr("1212")));
  auto erased = Cli(dir_, "erase " + DataFlags() + " " + subject + " --legal-basis art17_1a --reference D-1");
  ASSERT_EQ(erased.exit_code, 0) << erased.err;
  EXPECT_THAT(erased.out, ::testing::HasSubstr(jarva_case));
  auto gone = Cli(dir_, "extract " + DataFlags() + " " + subject);
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_THAT(gone.err, ::testing::HasSubstr("410 erased"));

  auto rebuild = Cli(dir_, "rebuild " + DataFlags());
  EXPECT_EQ(rebuild.exit_code, 0) << rebuild.err;
  EXPECT_THAT(rebuild.out, ::testing::HasSubstr("2 cases, 0 differ from full replay"));
  auto verify = Cli(dir_, "verify " + DataFlags());
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  // Indicators and the decision audit on the same data (the CLI works on the real clock).
  const std::string year = std::to_string(1900 + [] { std::time_t t = std::time(nullptr); return std::localtime(&t)->tm_year; }());
  auto exact = Cli(dir_, "indicators " + DataFlags() + " --year " + year);
  ASSERT_EQ(exact.exit_code, 0) << exact.err;
  EXPECT_EQ(json::parse(exact.out).at("referrals").to_number<int>(), 2);
  auto hidden = Cli(dir_, "indicators " + DataFlags() + " --year " + year + " --as-strategic");
  ASSERT_EQ(hidden.exit_code, 0) << hidden.err;
  EXPECT_TRUE(json::parse(hidden.out).at("referrals").is_null());
  auto decisions = Cli(dir_, "decision-audit " + DataFlags() + " --year " + year);
  ASSERT_EQ(decisions.exit_code, 0) << decisions.err;
  EXPECT_EQ(json::parse(decisions.out).at("totals").at("cases_closed").to_number<int>(), 1) << "the erasure closed a case";
  auto sample = Cli(dir_, "sample " + DataFlags() + " --year " + year + " --size 1 --seed 7");
  ASSERT_EQ(sample.exit_code, 0) << sample.err;
  EXPECT_EQ(json::parse(sample.out).at("case_ids").as_array()[0].as_string(), jarva_case);
  auto help = Cli(dir_, "import --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, ::testing::HasSubstr("--data"));
}

}  // namespace
}  // namespace casetrail::testing
