// Workflow revisions adopted at run time (engine/registered_revisions.h) over the real server and
// CLI: `serve --workflow FILE` adopts a revision with another timer delay; new cases take it and
// their reminders follow it; the revision lives in the log, so a restart without the file and the
// offline CLI still replay those cases; a changed file for the same revision, or one naming an
// unknown guard, is refused with the store unchanged.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <functional>

#include "tests/support/cli_runner.h"
#include "tests/support/http_client.h"
#include "tests/support/referral_over_http.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;

class RevisionsE2ETest : public ::testing::Test {
 protected:
  // rev2 as shipped, renumbered and with its edits applied, written to `name`.
  std::string WriteRevision(const std::string& name, int revision, const std::string& adopted,
                            const std::function<void(json::object&)>& edit) {
    std::ifstream in(std::string(CASETRAIL_SOURCE_DIR) + "/workflows/study-referral/rev2.json");
    json::object def = json::parse(std::string((std::istreambuf_iterator<char>(in)), {})).as_object();
    def["revision"] = revision;
    def["adopted"] = adopted;
    edit(def);
    std::ofstream(dir_.Sub(name)) << json::serialize(def);
    return dir_.Sub(name);
  }
  static void BookingDelay(json::object& def, const char* delay) {
    for (auto& t : def["timers"].as_array()) {
      if (t.at("name") == "J5") t.as_object()["delay"] = delay;
    }
  }
  HttpResponse Post(const std::string& path, const std::string& who, const json::value& body) {
    return Http(server_.port(), "POST", path, TokenOf(who), json::serialize(body));
  }
  HttpResponse Get(const std::string& path, const std::string& who) { return Http(server_.port(), "GET", path, TokenOf(who)); }
  std::string Case() { return ReferOverHttp(server_.port(), "19121212-1212", "Revision Testsson").case_id; }
  // The due time of the case's booking reminder.
  std::string BookingDue(const std::string& case_id) {
    const auto r = Get("/v1/reminders?status=all", "W-1");
    for (const auto& x : r.Json().at("reminders").as_array()) {
      if (x.at("case_id").as_string() == case_id && x.at("kind") == "booking_overdue") return std::string(x.at("due_at").as_string());
    }
    return "";
  }
  std::string ServeArgs() {
    return "serve --data " + server_.data_dir() + " --users " + dir_.Sub("users.json") + " --master-key " +
           dir_.Sub("master.key") + " --listen 127.0.0.1:0";
  }

  TempDir dir_;
  ServerProcess server_{dir_, "2025-09-01T09:00:00+02:00"};
};

TEST_F(RevisionsE2ETest, AnAdoptedRevisionDrivesNewCasesAndOutlivesItsFile) {
  const std::string rev4 = WriteRevision("rev4.json", 4, "2025-08-15", [](json::object& d) { BookingDelay(d, "P3D"); });
  server_.SetExtraArgs({"--workflow", rev4});
  ASSERT_TRUE(server_.Start());
  const std::string c = Case();
  EXPECT_EQ(Get("/v1/cases/" + c, "A-J1").Str("revision"), "study-referral@4");
  EXPECT_EQ(BookingDue(c), "2025-09-04T07:00:00Z") << "J5 after rev4's 3 days, not rev2's 14";
  bool listed = false;
  const auto workflows = Get("/v1/workflows", "A-J1");
  for (const auto& w : workflows.Json().at("workflows").as_array()) listed |= w.at("revision") == "study-referral@4";
  EXPECT_TRUE(listed);
  // The same file again is no change.
  ASSERT_EQ(server_.Stop(SIGTERM), 0);
  ASSERT_TRUE(server_.Start());
  // Without the file: the log holds the revision.
  ASSERT_EQ(server_.Stop(SIGTERM), 0);
  server_.SetExtraArgs({});
  ASSERT_TRUE(server_.Start());
  EXPECT_EQ(Get("/v1/cases/" + c, "A-J1").Str("revision"), "study-referral@4");
  EXPECT_EQ(BookingDue(c), "2025-09-04T07:00:00Z");
  ASSERT_EQ(Post("/v1/cases/" + c + "/commands", "V-1",
                 {{"command", "BookConversation"}, {"data", {{"slot", "2025-09-10T10:00:00+02:00"}}}}).status, 200)
      << "commands run under the registered revision";
  ASSERT_EQ(server_.Stop(SIGTERM), 0);
  auto replay = Cli(dir_, "replay --data " + server_.data_dir() + " --master-key " + dir_.Sub("master.key") + " " + c);
  EXPECT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_NE(replay.out.find("booked"), std::string::npos) << replay.out;
}

TEST_F(RevisionsE2ETest, AChangedRevisionOrAnUnknownGuardIsRefusedAndNothingIsWritten) {
  const std::string rev4 = WriteRevision("rev4.json", 4, "2025-08-15", [](json::object& d) { BookingDelay(d, "P3D"); });
  server_.SetExtraArgs({"--workflow", rev4});
  ASSERT_TRUE(server_.Start());
  ASSERT_EQ(server_.Stop(SIGTERM), 0);

  const std::string changed = WriteRevision("rev4-changed.json", 4, "2025-08-15", [](json::object& d) { BookingDelay(d, "P5D"); });
  auto r = Cli(dir_, ServeArgs() + " --workflow " + changed);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("immutable"), std::string::npos) << r.err;

  const std::string embedded = WriteRevision("rev2-changed.json", 2, "2025-07-01", [](json::object& d) { BookingDelay(d, "P1D"); });
  r = Cli(dir_, ServeArgs() + " --workflow " + embedded);
  EXPECT_EQ(r.exit_code, 1) << "the built-in revision 2 cannot be redefined either";

  const std::string guard = WriteRevision("rev5.json", 5, "2025-08-20", [](json::object& d) {
    d["commands"].as_array()[0].as_object()["guards"] = json::array{"G-NOPE"};
  });
  r = Cli(dir_, ServeArgs() + " --workflow " + guard);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unknown guard"), std::string::npos) << r.err;

  // Nothing of the refused files reached the log: new cases still take rev4 with its 3 days.
  server_.SetExtraArgs({});
  ASSERT_TRUE(server_.Start());
  const std::string c = Case();
  EXPECT_EQ(Get("/v1/cases/" + c, "A-J1").Str("revision"), "study-referral@4");
  EXPECT_EQ(BookingDue(c), "2025-09-04T07:00:00Z");
}

}  // namespace
}  // namespace casetrail::testing
