// The CLI against a running server (--url, --token-file): every subcommand that reads or writes
// through the API gives the same answer online as offline on a copy of the same data, and says
// clearly when the server cannot be reached or refuses the token.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/cli_runner.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

// JSON without the fields that name the moment of the answer (the server's manual clock and the
// CLI's system clock differ); text as it is.
std::string Comparable(const std::string& out) {
  boost::system::error_code ec;
  json::value v = json::parse(out, ec);
  if (ec) return out;
  std::function<void(json::value&)> strip = [&](json::value& x) {
    if (x.is_object()) {
      for (const char* k : {"generated_at", "erased_at"}) x.as_object().erase(k);
      for (auto& [k, y] : x.as_object()) strip(y);
    } else if (x.is_array()) {
      for (auto& y : x.as_array()) strip(y);
    }
  };
  strip(v);
  return json::serialize(v);
}

class CliOnlineE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_);
    ASSERT_TRUE(server_->Start());
    for (const char* who : {"C-1", "G-1"}) {
      const std::string path = dir_.Sub(std::string(who) + ".token");
      std::ofstream(path) << TokenOf(who) << "\n";
      ::chmod(path.c_str(), 0600);
    }
    auto s = Post("/v1/subjects", "A-J1", {{"personal_number", "19121212-1212"}, {"name", "Tolvan Tolvansson"}, {"gender", "male"}});
    subject_ = s.Str("subject_id");
    ASSERT_EQ(Post("/v1/subjects/" + subject_ + "/consents", "A-J1",
                   {{"scopes", {"transfer_referral", "share_guidance", "share_study_progress"}}, {"method", "signed_form"}})
                  .status, 201);
    auto c = Post("/v1/cases", "A-J1", {{"subject_id", subject_}, {"unit", "jarva"}, {"channel", "space"},
                                        {"long_term_unemployed", true}, {"lacks_upper_secondary", true},
                                        {"resident_stockholm", true}, {"rom_participant", true}, {"need_assessed", true}});
    ASSERT_EQ(c.status, 201) << c.body;
    case_ = c.Str("case_id");
    ASSERT_EQ(Post("/v1/cases/" + case_ + "/commands", "V-1",
                   {{"command", "BookConversation"}, {"data", {{"slot", "2025-02-01T10:00:00+01:00"}}}})
                  .status, 200);
  }
  HttpResponse Post(const std::string& path, const std::string& who, const json::value& body) {
    return Http(server_->port(), "POST", path, TokenOf(who), json::serialize(body));
  }
  std::string Online(const std::string& who = "C-1") {
    return "--url http://127.0.0.1:" + std::to_string(server_->port()) + " --token-file " + dir_.Sub(who + ".token");
  }

  // `args` run online, then offline on a copy of the data directory taken just before.
  // Returns what the online run printed on stdout.
  std::string ExpectSameOnlineAndOffline(const std::string& command, const std::string& args, const std::string& who = "C-1") {
    server_->Stop(SIGTERM);
    const std::string copy = dir_.Sub("copy-" + std::to_string(++copies_));
    fs::copy(server_->data_dir(), copy, fs::copy_options::recursive);
    if (!server_->Start()) {
      ADD_FAILURE() << "restart failed";
      return "";
    }
    auto online = Cli(dir_, command + " " + Online(who) + " " + args);
    auto offline = Cli(dir_, command + " --data " + copy + " --master-key " + dir_.Sub("master.key") + " " + args);
    EXPECT_EQ(online.exit_code, offline.exit_code) << command << ": " << online.err << " / " << offline.err;
    EXPECT_EQ(Comparable(online.out), Comparable(offline.out)) << command << " " << args;
    EXPECT_FALSE(online.out.empty() && online.err.empty()) << command;
    return online.out;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::string subject_, case_;
  int copies_ = 0;
};

TEST_F(CliOnlineE2ETest, EveryApiSubcommandAnswersTheSameOnlineAsOffline) {
  EXPECT_THAT(ExpectSameOnlineAndOffline("replay", case_), ::testing::HasSubstr("\"state\":\"booked\""));
  EXPECT_THAT(ExpectSameOnlineAndOffline("replay", case_ + " --version 1"), ::testing::HasSubstr("\"state\":\"referred\""));
  ExpectSameOnlineAndOffline("audit", case_);
  EXPECT_THAT(ExpectSameOnlineAndOffline("extract", subject_), ::testing::HasSubstr("Tolvan Tolvansson"));
  ExpectSameOnlineAndOffline("indicators", "--year 2025");
  ExpectSameOnlineAndOffline("indicators", "--year 2025 --as-strategic", "G-1");
  ExpectSameOnlineAndOffline("decision-audit", "--year 2025");
  ExpectSameOnlineAndOffline("sample", "--year 2025 --size 3 --seed 7");
  ExpectSameOnlineAndOffline("decisions", "");
  ExpectSameOnlineAndOffline("deviations", "");
  ExpectSameOnlineAndOffline("lists", "--unit jarva --month 2025-01");
  EXPECT_THAT(ExpectSameOnlineAndOffline("verify", ""), ::testing::StartsWith("ok: "));
  ExpectSameOnlineAndOffline("erase", subject_ + " --legal-basis art17_1a --reference DNR-1");
  // After the erasure (online), the extract is refused alike.
  ExpectSameOnlineAndOffline("extract", subject_);
}

TEST_F(CliOnlineE2ETest, ImportAnswersTheSameOnlineAsOffline) {
  for (const char* who : {"A-J1"}) {
    const std::string path = dir_.Sub(std::string(who) + ".token");
    std::ofstream(path) << TokenOf(who) << "\n";
    ::chmod(path.c_str(), 0600);
  }
  // A new person, the same person again in the file, a person with an open case (the fixture's)
  // and a bad row; all of the officer's unit.
  const std::string csv = dir_.Sub("referrals.csv");
  std::ofstream(csv) << "personal_number,name,unit,channel,long_term_unemployed,lacks_upper_secondary,resident_stockholm,"
                        "rom_participant,need_assessed,consent_method\n"
                     << "19860402-5018,Ny Person,jarva,space,true,true,true,false,true,signed_form\n"
                     << "19860402-5018,Ny Person,jarva,space,true,true,true,false,true,signed_form\n"
                     << "19121212-1212,Tolvan Tolvansson,jarva,space,true,true,true,false,true,signed_form\n"
                     << "19121212-1213,Fel Nummer,jarva,space,true,true,true,false,true,signed_form\n";
  server_->Stop(SIGTERM);
  const std::string copy = dir_.Sub("copy-import");
  fs::copy(server_->data_dir(), copy, fs::copy_options::recursive);
  ASSERT_TRUE(server_->Start());
  auto online = Cli(dir_, "import " + Online("A-J1") + " " + csv);
  auto offline = Cli(dir_, "import --data " + copy + " --master-key " + dir_.Sub("master.key") + " " + csv);
  EXPECT_EQ(online.exit_code, 1) << online.err;
  EXPECT_EQ(online.exit_code, offline.exit_code);
  EXPECT_EQ(online.out, "import: 4 rows, 1 imported, 3 rejected\n");
  EXPECT_EQ(online.out, offline.out);
  // The rows' reports, without the offline engine's own log lines.
  auto reports = [](const std::string& err) {
    std::string out, line;
    std::istringstream in(err);
    while (std::getline(in, line)) {
      if (line.rfind("line ", 0) == 0) out += line + "\n";
    }
    return out;
  };
  EXPECT_EQ(reports(online.err), reports(offline.err));
  EXPECT_THAT(online.err, ::testing::HasSubstr("line 3: case_open"));
  EXPECT_THAT(online.err, ::testing::HasSubstr("line 4: case_open"));
  EXPECT_THAT(online.err, ::testing::HasSubstr("line 5: invalid_personal_number"));
  EXPECT_THAT(online.err, ::testing::Not(::testing::HasSubstr("Tolvan")));
}

TEST_F(CliOnlineE2ETest, ClearErrorsWithoutPersonalData) {
  auto wrong_role = Cli(dir_, "extract " + Online("G-1") + " " + subject_);
  EXPECT_EQ(wrong_role.exit_code, 1);
  EXPECT_THAT(wrong_role.err, ::testing::HasSubstr("403 forbidden"));

  std::ofstream(dir_.Sub("bad.token")) << "not-a-token\n";
  ::chmod(dir_.Sub("bad.token").c_str(), 0600);
  auto unauth = Cli(dir_, "audit --url http://127.0.0.1:" + std::to_string(server_->port()) + " --token-file " +
                              dir_.Sub("bad.token") + " " + case_);
  EXPECT_EQ(unauth.exit_code, 1);
  EXPECT_THAT(unauth.err, ::testing::HasSubstr("401 unauthenticated"));

  ::chmod(dir_.Sub("C-1.token").c_str(), 0644);
  auto open_file = Cli(dir_, "audit " + Online() + " " + case_);
  EXPECT_NE(open_file.exit_code, 0);
  EXPECT_THAT(open_file.err, ::testing::HasSubstr("chmod 600"));
  ::chmod(dir_.Sub("C-1.token").c_str(), 0600);

  const int port = server_->port();
  server_->Stop(SIGTERM);
  auto down = Cli(dir_, "extract " + Online() + " " + subject_);
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_THAT(down.err, ::testing::HasSubstr("unreachable"));
  EXPECT_THAT(down.err, ::testing::HasSubstr("127.0.0.1:" + std::to_string(port)));
  EXPECT_THAT(down.err, ::testing::Not(::testing::HasSubstr("Tolvan")));

  auto offline_only = Cli(dir_, "rebuild " + Online());
  EXPECT_EQ(offline_only.exit_code, 2);
  auto both = Cli(dir_, "audit --data " + server_->data_dir() + " " + Online() + " " + case_);
  EXPECT_NE(both.exit_code, 0) << "--data and --url exclude each other";
}

TEST_F(CliOnlineE2ETest, BackupWhileServingRestoresToTheSameLog) {
  server_->Stop(SIGTERM);
  const std::string root = dir_.Sub("backups");
  fs::create_directories(root);
  server_->SetExtraArgs({"--backup-root", root});
  ASSERT_TRUE(server_->Start());
  auto taken = Cli(dir_, "backup " + Online() + " --to nightly-1");
  ASSERT_EQ(taken.exit_code, 0) << taken.err;
  EXPECT_THAT(taken.out, ::testing::HasSubstr("backup written to " + root + "/nightly-1 (head "));
  auto again = Cli(dir_, "backup " + Online() + " --to nightly-1");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, ::testing::HasSubstr("backup_exists"));
  auto escape = Cli(dir_, "backup " + Online() + " --to ../elsewhere");
  EXPECT_EQ(escape.exit_code, 1);
  EXPECT_FALSE(fs::exists(dir_.Sub("elsewhere")));
  // The same head as a backup of the same data taken offline.
  server_->Stop(SIGTERM);
  auto offline = Cli(dir_, "backup --data " + server_->data_dir() + " --master-key " + dir_.Sub("master.key") + " --to " +
                               dir_.Sub("offline-backup"));
  ASSERT_EQ(offline.exit_code, 0) << offline.err;
  auto head_of = [](const std::string& out) { return out.substr(out.find("(head ")); };
  EXPECT_EQ(head_of(taken.out), head_of(offline.out));
  auto restored = Cli(dir_, "restore --data " + dir_.Sub("restored") + " --master-key " + dir_.Sub("master.key") +
                                " --from " + root + "/nightly-1");
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  auto verify = Cli(dir_, "verify --data " + dir_.Sub("restored") + " --master-key " + dir_.Sub("master.key"));
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  auto replay = Cli(dir_, "replay --data " + dir_.Sub("restored") + " --master-key " + dir_.Sub("master.key") + " " + case_);
  EXPECT_THAT(replay.out, ::testing::HasSubstr("\"state\":\"booked\""));
}

// Retention online runs the server's own policy and reports like the offline run. (Nobody is due
// under this policy: a due person would be erased by the worker's own daily run as well, racing
// the comparison.)
TEST_F(CliOnlineE2ETest, RetentionAnswersTheSameOnlineAsOffline) {
  const std::string policy = dir_.Sub("retention.json");
  std::ofstream(policy) << R"({"version":"2025-1","rules":[{"id":"never-referred","when":"no_case","after_days":3650,"decision_ref":"AF-2024/0042"}]})";
  ASSERT_EQ(Post("/v1/subjects", "A-J1", {{"personal_number", "19860402-5018"}, {"name", "Utan Ärende"}}).status, 201);
  server_->Stop(SIGTERM);
  const std::string copy = dir_.Sub("copy-retention");
  fs::copy(server_->data_dir(), copy, fs::copy_options::recursive);
  server_->SetExtraArgs({"--retention", policy});
  ASSERT_TRUE(server_->Start());
  auto online = Cli(dir_, "retention " + Online());
  auto offline = Cli(dir_, "retention --data " + copy + " --master-key " + dir_.Sub("master.key") + " --policy " + policy);
  ASSERT_EQ(online.exit_code, 0) << online.err;
  EXPECT_EQ(online.out, offline.out);
  EXPECT_EQ(online.out, "retention (policy 2025-1): 2 subjects examined, 0 erased, 0 held by a legal hold\n");
  EXPECT_EQ(Cli(dir_, "retention " + Online() + " --policy " + policy).exit_code, 2) << "the server's own policy applies";
}

}  // namespace
}  // namespace casetrail::testing
