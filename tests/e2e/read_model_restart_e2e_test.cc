// The read models across a restart of the real server: a stop by SIGTERM writes the checkpoints
// of the case directory, the indicators and the reminder book (DIR/read-models/, mode 0600), and
// the next start, resuming from them, answers the case list, the indicators, the reminders and
// the start page as the server before the stop did, then folds what is written after.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/http_client.h"
#include "tests/support/personal_numbers.h"
#include "tests/support/referral_over_http.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;

class ReadModelRestartE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_);
    server_->SetExtraArgs({"--worker-poll-ms", "50"});
    ASSERT_TRUE(server_->Start());
  }
  HttpResponse Get(const std::string& path, const std::string& who) { return Http(server_->port(), "GET", path, TokenOf(who)); }
  void Command(const std::string& case_id, const std::string& command, const json::object& data) {
    auto r = Http(server_->port(), "POST", "/v1/cases/" + case_id + "/commands", TokenOf("V-1"),
                  json::serialize(json::object{{"command", command}, {"data", data}}));
    ASSERT_EQ(r.status, 200) << command << " " << r.body;
  }
  // What the read models answer: the case list, a year's indicators, every reminder, the start page.
  std::vector<std::string> Answers() {
    std::vector<std::string> out;
    for (const auto& [path, who] : std::vector<std::pair<std::string, std::string>>{
             {"/v1/cases?limit=100", "A-J1"}, {"/v1/indicators?period=2025", "G-1"},
             {"/v1/reminders?status=all", "W-1"}, {"/v1/work", "V-1"}}) {
      auto r = Get(path, who);
      EXPECT_EQ(r.status, 200) << path << " " << r.body;
      out.push_back(path + " " + r.body);
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ReadModelRestartE2ETest, AStopWritesTheCheckpointsAndTheNextStartAnswersAsBefore) {
  std::vector<std::string> cases;
  for (int i = 0; i < 4; ++i) cases.push_back(ReferOverHttp(server_->port(), TestNumber(40 + i), "Omstart Testsson").case_id);
  Command(cases[0], "BookConversation", {{"slot", "2025-01-28T10:00:00+01:00"}});
  Command(cases[1], "BookConversation", {{"slot", "2025-01-29T10:00:00+01:00"}});
  const auto before = Answers();
  EXPECT_NE(before[2].find("booking_overdue"), std::string::npos) << before[2];
  ASSERT_EQ(server_->Stop(), 0);

  const std::string folder = server_->data_dir() + "/read-models";
  for (const char* name : {"case-directory", "indicators", "reminders"}) {
    struct stat st {};
    ASSERT_EQ(::stat((folder + "/" + name + ".ckpt").c_str(), &st), 0) << name << " written at the stop";
    EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
    EXPECT_GT(st.st_size, 0) << name;
  }
  ASSERT_TRUE(server_->Start());
  EXPECT_EQ(Answers(), before) << "resumed from the checkpoints, the read models answer as before the stop";

  // After the restart the read models fold what comes next.
  Command(cases[2], "BookConversation", {{"slot", "2025-01-30T10:00:00+01:00"}});
  const auto after = Answers();
  EXPECT_NE(after[0], before[0]) << "the case list shows the new booking";
  EXPECT_NE(after[2], before[2]) << "the reminders show the new appointment reminder";
}

}  // namespace
}  // namespace casetrail::testing
