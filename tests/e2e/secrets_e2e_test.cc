// Issue 17, secrets at rest, over the real binary: service tokens are kept only as
// crypto_pwhash_str hashes (`casetrail users new-token` / `hash-token`); a clear-text or weak
// token, and a users or master key file that group or others may read, stop the start with a
// message that says what to run; every file and folder the server and the CLI create is 0600/0700
// whatever the umask.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <regex>

#include "tests/support/cli_runner.h"
#include "tests/support/files.h"
#include "tests/support/http_client.h"
#include "tests/support/referral_over_http.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

class SecretsE2ETest : public ::testing::Test {
 protected:
  // `serve` on the test's files that must stop by itself; a server that starts instead is ended
  // by `timeout` (exit 124).
  CliResult ServeMustStop() {
    return Cli(dir_,
               "serve --data " + server_.data_dir() + " --users " + dir_.Sub("users.json") + " --master-key " +
                   dir_.Sub("master.key") + " --listen 127.0.0.1:0",
               15);
  }
  void WriteUsers(const std::string& json, mode_t mode = 0600) {
    std::ofstream(dir_.Sub("users.json")) << json;
    ::chmod(dir_.Sub("users.json").c_str(), mode);
  }

  TempDir dir_;
  ServerProcess server_{dir_};
};

TEST_F(SecretsE2ETest, AClearTextTokenInTheUsersFileStopsTheStartAndSaysWhatToRun) {
  WriteUsers(R"({"users":[{"id":"W-1","role":"worker","token":"aaaaaaaaaaaaaaaa"}]})");
  auto r = ServeMustStop();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("clear-text"));
  EXPECT_THAT(r.err, HasSubstr("weak"));
  EXPECT_THAT(r.err, HasSubstr("casetrail users new-token"));
  EXPECT_THAT(r.err, Not(HasSubstr("aaaaaaaaaaaaaaaa")));
  EXPECT_THAT(r.out, Not(HasSubstr("casetrail is serving")));

  // A strong token in clear is refused as well: the file would keep the credential.
  WriteUsers(R"({"users":[{"id":"W-1","role":"worker","token":")" + TokenOf("W-1") + R"("}]})");
  r = ServeMustStop();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("token_hash"));
  EXPECT_THAT(r.err, Not(HasSubstr(TokenOf("W-1"))));
}

TEST_F(SecretsE2ETest, WeakTokensAreNeitherHashedNorAccepted) {
  for (const std::string weak : {"aaaaaaaaaaaaaaaa", "token-af-jarva-000001", "0123456789abcdef", "Summer2025!Summer2025!"}) {
    std::ofstream(dir_.Sub("weak")) << weak << "\n";
    auto r = Cli(dir_, "users hash-token < " + dir_.Sub("weak"));
    EXPECT_EQ(r.exit_code, 1) << weak << ": " << r.out;
    EXPECT_THAT(r.err, HasSubstr("weak")) << weak;
    EXPECT_THAT(r.err, HasSubstr("casetrail users new-token"));
    EXPECT_THAT(r.out + r.err, Not(HasSubstr(weak)));
  }
  // A weak token whose hash was made by other means still never signs in.
  WriteUsers(R"({"users":[{"id":"W-1","role":"worker","token_hash":")" + TestTokenHash("aaaaaaaaaaaaaaaa") + R"("}]})");
  ASSERT_TRUE(server_.Start());
  EXPECT_EQ(Http(server_.port(), "GET", "/v1/me", "aaaaaaaaaaaaaaaa").status, 401);
}

TEST_F(SecretsE2ETest, ANewTokenIsPrintedOnceWithItsHashAndOnlyTheHashIsStored) {
  auto made = Cli(dir_, "users new-token");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  std::smatch token, hash;
  ASSERT_TRUE(std::regex_search(made.out, token, std::regex("token: +([A-Za-z0-9_-]+)\n"))) << made.out;
  ASSERT_TRUE(std::regex_search(made.out, hash, std::regex("token_hash: +(\\$argon2id\\$[^\n]+)\n"))) << made.out;
  EXPECT_GE(token[1].str().size(), 22u);  // base64url: 6 bits a character, 128 bits at least
  // Each run is fresh randomness.
  EXPECT_THAT(Cli(dir_, "users new-token").out, Not(HasSubstr(token[1].str())));
  // hash-token turns the same token into another hash (a new salt) that verifies it too.
  std::ofstream(dir_.Sub("given")) << token[1].str() << "\n";
  auto rehashed = Cli(dir_, "users hash-token < " + dir_.Sub("given"));
  ASSERT_EQ(rehashed.exit_code, 0) << rehashed.err;
  ASSERT_THAT(rehashed.out, HasSubstr("$argon2id$"));
  std::string second = rehashed.out.substr(0, rehashed.out.find('\n'));

  WriteUsers(R"({"users":[{"id":"W-9","role":"worker","token_hash":")" + hash[1].str() +
             R"("},{"id":"C-9","role":"compliance","token_hash":")" + TestTokenHash(TokenOf("C-1")) + R"("}]})");
  ASSERT_TRUE(server_.Start());
  auto me = Http(server_.port(), "GET", "/v1/me", token[1].str());
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.Str("id"), "W-9");
  EXPECT_EQ(Http(server_.port(), "GET", "/v1/me", token[1].str()).Str("id"), "W-9");  // from the cache
  EXPECT_EQ(Http(server_.port(), "GET", "/v1/me", TokenOf("C-1")).Str("id"), "C-9");
  EXPECT_EQ(Http(server_.port(), "GET", "/v1/me", TokenOf("A-J1")).status, 401);  // strong, but nobody's
  server_.Stop();
  EXPECT_EQ(FindBytesUnder(dir_.path(), token[1].str()), dir_.Sub("given"));  // only the test's own copy

  WriteUsers(R"({"users":[{"id":"W-9","role":"worker","token_hash":")" + second + R"("}]})");
  ASSERT_TRUE(server_.Start());
  EXPECT_EQ(Http(server_.port(), "GET", "/v1/me", token[1].str()).Str("id"), "W-9");
}

TEST_F(SecretsE2ETest, AUsersFileOrMasterKeyThatOthersMayReadStopsTheStart) {
  ASSERT_EQ(::chmod(dir_.Sub("users.json").c_str(), 0644), 0);
  auto r = ServeMustStop();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("chmod 600 " + dir_.Sub("users.json")));

  ASSERT_EQ(::chmod(dir_.Sub("users.json").c_str(), 0600), 0);
  ASSERT_EQ(::chmod(dir_.Sub("master.key").c_str(), 0640), 0);
  r = ServeMustStop();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("chmod 600 " + dir_.Sub("master.key")));

  ASSERT_EQ(::chmod(dir_.Sub("master.key").c_str(), 0600), 0);
  EXPECT_TRUE(server_.Start());
}

// Under umask 022 every file the server and the CLI create (the data directory, RocksDB's files,
// the key store, the erasure ledger, backups taken while serving and offline, exported lists)
// is 0600 and every folder 0700.
TEST_F(SecretsE2ETest, EverythingCreatedIsOwnerOnlyWhateverTheUmask) {
  const mode_t before = ::umask(022);
  server_.SetExtraArgs({"--backup-root", dir_.Sub("backups")});
  ASSERT_TRUE(server_.Start());
  const ReferredCase rc = ReferOverHttp(server_.port(), "19121212-1212", "Tolvan Tolvansson");
  ASSERT_EQ(Http(server_.port(), "POST", "/v1/admin/backup", TokenOf("ADM-1"), R"({"name":"b1"})").status, 200);
  ASSERT_EQ(Http(server_.port(), "GET", "/v1/subjects/" + rc.subject_id + "/extract", TokenOf("C-1")).status, 200);
  // The worker generates January's list in the background; wait for it before stopping.
  bool listed = false;
  for (int i = 0; i < 200 && !listed; ++i) {
    listed = Http(server_.port(), "GET", "/v1/lists/monthly?unit=jarva&month=2025-01", TokenOf("A-J1")).status == 200;
    if (!listed) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(listed);
  server_.Stop();
  const std::string flags = " --data " + server_.data_dir() + " --master-key " + dir_.Sub("master.key");
  auto b = Cli(dir_, "backup" + flags + " --to " + dir_.Sub("offline-backup"));
  ASSERT_EQ(b.exit_code, 0) << b.err;
  auto l = Cli(dir_, "lists" + flags + " --unit jarva --month 2025-01 --format xlsx --out " + dir_.Sub("list.xlsx"));
  ASSERT_EQ(l.exit_code, 0) << l.err;
  auto c = Cli(dir_, "lists" + flags + " --unit jarva --month 2025-01 --format csv --out " + dir_.Sub("list.csv"));
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto k = Cli(dir_, "keygen " + dir_.Sub("other.key"));
  ASSERT_EQ(k.exit_code, 0) << k.err;
  ::umask(before);

  int files = 0;
  auto check = [&](const fs::path& p) {
    struct stat st{};
    ASSERT_EQ(::lstat(p.c_str(), &st), 0) << p;
    if (S_ISDIR(st.st_mode)) {
      EXPECT_EQ(st.st_mode & 07777, 0700u) << p;
    } else if (S_ISREG(st.st_mode)) {
      ++files;
      EXPECT_EQ(st.st_mode & 07777, 0600u) << p;
    }
  };
  for (const std::string& root : {server_.data_dir(), dir_.Sub("backups"), dir_.Sub("offline-backup")}) {
    check(root);
    for (const auto& e : fs::recursive_directory_iterator(root)) check(e.path());
  }
  for (const char* f : {"list.xlsx", "list.csv", "other.key"}) check(dir_.Sub(f));
  EXPECT_GT(files, 20);  // RocksDB's own files among them
}

}  // namespace
}  // namespace casetrail::testing
