// casetrail with its log in NATS JetStream (three real nats-server processes on loopback): the CLI
// imports into the stream, `serve --log nats://…` serves it, a node whose index is deleted rebuilds
// it from the stream, a second node reads (forwarding its records to the writer) but refuses key
// writes naming the writer, and verify, backup and restore (into a new stream, keys into a new key
// ring) work as they do on RocksDB. Person keys across nodes: jetstream_keys_e2e_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/cli_runner.h"
#include "tests/support/http_client.h"
#include "tests/support/nats_cluster.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

constexpr const char* kCsv =
    "personal_number,name,gender,phone,email,unit,channel,long_term_unemployed,lacks_upper_secondary,"
    "resident_stockholm,rom_participant,need_assessed,consent_scopes,consent_method,evidence_ref,note\n"
    "19121212-1212,Tolvan Tolvansson,female,+46701234567,t@example.test,jarva,space,true,true,true,true,true,,signed_form,F-1,\n"
    "19850505-1238,Komma Citat,unknown,,,globen,space,ja,nej,ja,nej,ja,transfer_referral;share_guidance,bankid,,\n";

size_t CaseCount(ServerProcess& server) {
  auto listing = Http(server.port(), "GET", "/v1/cases", TokenOf("C-1"));
  if (listing.status != 200) return 0;
  return listing.Json().at("cases").as_array().size();
}

TEST(JetStreamE2ETest, ServeVerifyBackupAndRestoreWithTheLogInJetStream) {
  NatsCluster cluster;
  ASSERT_TRUE(cluster.Start());
  std::string urls;
  for (const auto& u : cluster.Urls()) urls += (urls.empty() ? "" : ",") + u;
  TempDir dir;
  ServerProcess server(dir);  // writes dir/master.key and dir/users.json
  const std::string log_flags = " --log " + urls + " --nats-stream E2E --node-id a";
  const std::string data_flags = "--data " + server.data_dir() + " --master-key " + dir.Sub("master.key") + log_flags;
  {
    std::ofstream csv(dir.Sub("referrals.csv"));
    csv << kCsv;
  }
  std::filesystem::create_directories(server.data_dir());
  auto imported = Cli(dir, "import " + data_flags + " " + dir.Sub("referrals.csv"));
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_THAT(imported.out, ::testing::HasSubstr("2 imported"));

  server.SetExtraArgs({"--log", urls, "--nats-stream", "E2E", "--node-id", "a"});
  ASSERT_TRUE(server.Start());
  EXPECT_EQ(CaseCount(server), 2u);
  ASSERT_EQ(server.Stop(SIGTERM), 0);

  // The index is only a copy: deleted, it is rebuilt from the stream.
  std::filesystem::remove_all(server.data_dir() + "/log");
  server.SetExtraArgs({"--log", urls, "--nats-stream", "E2E", "--node-id", "a"});
  ASSERT_TRUE(server.Start());
  EXPECT_EQ(CaseCount(server), 2u);

  // A second node on the same stream, with the key ring's KEK imported from the first, reads;
  // what it records (a lookup record) goes through the writer; key writes it refuses.
  TempDir dir_b;
  std::filesystem::copy_file(dir.Sub("master.key"), dir_b.Sub("master.key"));
  std::filesystem::create_directories(dir_b.Sub("data"));
  auto kek = Cli(dir_b, "kek export " + data_flags + " | " + CASETRAIL_BIN + " kek import --data " + dir_b.Sub("data") +
                            " --master-key " + dir_b.Sub("master.key") + " --log " + urls + " --nats-stream E2E");
  ASSERT_EQ(kek.exit_code, 0) << kek.err;
  ServerProcess reader(dir_b);
  reader.SetExtraArgs({"--log", urls, "--nats-stream", "E2E", "--node-id", "b"});
  ASSERT_TRUE(reader.Start());
  EXPECT_EQ(CaseCount(reader), 2u);
  auto looked_up = Http(reader.port(), "POST", "/v1/subjects/lookup", TokenOf("A-J1"), R"({"personal_number":"191212121212"})");
  EXPECT_EQ(looked_up.status, 200) << looked_up.body;
  auto refused = Http(reader.port(), "POST", "/v1/subjects", TokenOf("A-J1"),
                      R"({"personal_number":"19800101-0001","name":"Borta Bortasson"})");
  // A registration writes the person's key: only the writer writes keys.
  EXPECT_EQ(refused.status, 503) << refused.body;
  ASSERT_EQ(reader.Stop(SIGTERM), 0);
  ASSERT_EQ(server.Stop(SIGTERM), 0);

  auto verify = Cli(dir, "verify " + data_flags);
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_THAT(verify.out, ::testing::HasSubstr("ok: "));

  auto backup = Cli(dir, "backup " + data_flags + " --to " + dir.Sub("backup"));
  ASSERT_EQ(backup.exit_code, 0) << backup.err;

  // Restore into a new stream (the cluster lost): the records are published again, same chain.
  const std::string restored_flags = "--data " + dir.Sub("restored") + " --master-key " + dir.Sub("master.key") +
                                     " --log " + urls + " --nats-stream E2E_RESTORED --node-id r";
  auto restored = Cli(dir, "restore " + restored_flags + " --from " + dir.Sub("backup"));
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_THAT(restored.out, ::testing::HasSubstr("published into JetStream stream E2E_RESTORED"));
  auto verify_restored = Cli(dir, "verify " + restored_flags);
  EXPECT_EQ(verify_restored.exit_code, 0) << verify_restored.err;
  // Same head, position and hash, as the original.
  EXPECT_EQ(verify_restored.out.substr(verify_restored.out.find("head")), verify.out.substr(verify.out.find("head")));
  // Restoring into a stream that already holds a log is refused.
  auto again = Cli(dir, "restore --data " + dir.Sub("restored2") + " --master-key " + dir.Sub("master.key") + log_flags +
                            " --from " + dir.Sub("backup"));
  EXPECT_NE(again.exit_code, 0);
  EXPECT_THAT(again.err, ::testing::HasSubstr("not empty"));
}

}  // namespace
}  // namespace casetrail::testing
