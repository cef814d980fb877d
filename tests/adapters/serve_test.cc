// `casetrail serve` refuses a --webhook-secret file it cannot read (fuzzing, "Hardening": it used
// to go on with an empty key): exit 2 and a message naming the flag and the path, never the
// secret.
#include "adapters/cli/serve.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tests/support/temp_dir.h"

namespace casetrail::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Outcome {
  int exit_code;
  std::string err;
};

Outcome Serve(const TempDir& dir, const std::string& secret_path) {
  adapters::ServeFlags f;
  f.data.data = dir.Sub("no-data");
  f.users = dir.Sub("no-users.json");
  f.listen = "127.0.0.1:0";
  f.webhooks = {"http://127.0.0.1:9/hook"};
  f.webhook_secret = secret_path;
  std::ostringstream err;
  auto* old = std::cerr.rdbuf(err.rdbuf());
  const int code = adapters::RunServe(f);
  std::cerr.rdbuf(old);
  return {code, err.str()};
}

TEST(ServeFlagsTest, AnUnreadableWebhookSecretStopsTheStart) {
  TempDir dir;
  std::filesystem::create_directories(dir.Sub("a-directory"));
  std::vector<std::string> unreadable = {dir.Sub("missing.secret"), dir.Sub("a-directory")};
  if (::geteuid() != 0) {  // root reads any file
    std::ofstream(dir.Sub("locked.secret")) << "locked-secret-0123456789";
    std::filesystem::permissions(dir.Sub("locked.secret"), std::filesystem::perms::none);
    unreadable.push_back(dir.Sub("locked.secret"));
  }
  for (const std::string& path : unreadable) {
    const Outcome o = Serve(dir, path);
    EXPECT_EQ(o.exit_code, 2) << path;
    EXPECT_THAT(o.err, HasSubstr("--webhook-secret")) << path;
    EXPECT_THAT(o.err, HasSubstr(path));
    EXPECT_THAT(o.err, Not(HasSubstr("locked-secret"))) << "never the secret";
  }
}

TEST(ServeFlagsTest, AReadableWebhookSecretPassesAndIsNeverPrinted) {
  TempDir dir;
  std::ofstream(dir.Sub("webhook.secret")) << "readable-secret-0123456789\n";
  const Outcome o = Serve(dir, dir.Sub("webhook.secret"));
  EXPECT_EQ(o.exit_code, 1) << "the start goes on and stops at the missing users file: " << o.err;
  EXPECT_THAT(o.err, Not(HasSubstr("webhook")));
  EXPECT_THAT(o.err, Not(HasSubstr("readable-secret")));
}

}  // namespace
}  // namespace casetrail::testing
