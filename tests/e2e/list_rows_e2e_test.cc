// The monthly list's rows for the meeting (GET /v1/lists/monthly/rows, docs/workers.md §3): the
// name for those the read rules show it to, each name read recorded; the application and
// study-plan status; the days from the referral to the list.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/http_client.h"
#include "tests/support/referral_over_http.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;

TEST(ListRowsE2ETest, MonthlyRowsCarryNameStatusAndDaysWithEveryNameReadRecorded) {
  TempDir dir;
  ServerProcess server(dir);
  server.SetExtraArgs({"--worker-poll-ms", "50"});
  ASSERT_TRUE(server.Start());
  auto post = [&](const std::string& path, const std::string& who, const json::value& body) {
    return Http(server.port(), "POST", path, TokenOf(who), json::serialize(body));
  };
  auto get = [&](const std::string& path, const std::string& who) { return Http(server.port(), "GET", path, TokenOf(who)); };
  auto command = [&](const std::string& id, const std::string& who, const std::string& name, const json::object& data) {
    auto r = post("/v1/cases/" + id + "/commands", who, {{"command", name}, {"data", data}});
    EXPECT_LT(r.status, 300) << name << ": " << r.body;
  };
  const ReferredCase c = ReferOverHttp(server.port(), "19121212-1212", "Rad Listasson");
  command(c.case_id, "V-1", "BookConversation", {{"slot", "2025-01-20T10:00:00+01:00"}, {"mode", "digital"}});
  ASSERT_EQ(post("/v1/admin/clock", "ADM-1", {{"set", "2025-01-21T09:00:00+01:00"}}).status, 200);
  command(c.case_id, "V-1", "RecordConversationHeld", {{"outcome", "no_plan"}});
  command(c.case_id, "V-1", "RecordStudyApplication", {{"level", "basic"}, {"term_start", "2025-08-18"}});
  EXPECT_EQ(get("/v1/lists/monthly/rows?unit=jarva&month=2025-02", "A-J1").status, 404) << "not generated yet";
  ASSERT_EQ(post("/v1/admin/clock", "ADM-1", {{"set", "2025-02-03T07:00:00+01:00"}}).status, 200);

  auto r = get("/v1/lists/monthly/rows?unit=jarva&month=2025-02", "A-J1");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = r.Json().as_object();
  EXPECT_EQ(body.at("list_id").as_string(), "monthly:jarva:2025-02");
  ASSERT_EQ(body.at("rows").as_array().size(), 1u) << r.body;
  const auto& row = body.at("rows").as_array()[0].as_object();
  EXPECT_EQ(row.at("case_id").as_string(), c.case_id);
  EXPECT_EQ(row.at("name").as_string(), "Rad Listasson");
  EXPECT_EQ(row.at("days_since_referral").as_int64(), 21) << "13 January to 3 February";
  EXPECT_EQ(row.at("state").as_string(), "unplanned");
  EXPECT_EQ(row.at("application").at("level").as_string(), "basic");
  EXPECT_EQ(row.at("application").at("term_start").as_string(), "2025-08-18");
  EXPECT_TRUE(row.at("study_plan").is_null());

  // The counsellor sees it too (consent to transfer the referral); the group and other units do not.
  auto syv = get("/v1/lists/monthly/rows?unit=jarva&month=2025-02", "V-1");
  ASSERT_EQ(syv.status, 200) << syv.body;
  EXPECT_EQ(syv.Json().at("rows").as_array()[0].at("name").as_string(), "Rad Listasson");
  EXPECT_EQ(get("/v1/lists/monthly/rows?unit=jarva&month=2025-02", "G-1").status, 403);
  EXPECT_EQ(get("/v1/lists/monthly/rows?unit=jarva&month=2025-02", "A-G1").status, 403);
  EXPECT_EQ(get("/v1/lists/monthly/rows?unit=jarva&month=2025-13", "A-J1").status, 400);
  EXPECT_EQ(get("/v1/lists/monthly/rows?unit=mars&month=2025-02", "A-J1").status, 400);

  // Each name shown is a recorded read of the name, by whom and for which case.
  auto extract = get("/v1/subjects/" + c.subject_id + "/extract", "C-1");
  ASSERT_EQ(extract.status, 200) << extract.body;
  std::set<std::string> readers;
  for (const auto& read : extract.Json().at("reads").as_array()) {
    if (read.at("case_id").is_string() && read.at("case_id").as_string() == c.case_id &&
        json::serialize(read.at("fields")) == R"(["name"])") {
      readers.emplace(read.at("actor").as_string());
    }
  }
  EXPECT_THAT(readers, ::testing::UnorderedElementsAre("A-J1", "V-1"));

  // The application is Vux's data: without share_guidance AF no longer sees it.
  ASSERT_LT(post("/v1/subjects/" + c.subject_id + "/consents/withdraw", "A-J1", {{"scopes", {"share_guidance"}}}).status, 300);
  auto af = get("/v1/lists/monthly/rows?unit=jarva&month=2025-02", "A-J1").Json();
  EXPECT_TRUE(af.at("rows").as_array()[0].at("application").is_null())
      << "the application is Vux's data: AF sees it only under share_guidance";
}

// 000 §5.1: AF chooses whom to ask about on the quarterly list before publishing; Vux answers per
// person, and J4 chases only the people AF asked about.
TEST(ListRowsE2ETest, AfChoosesWhomToAskAboutOnTheQuarterlyListBeforePublishing) {
  TempDir dir;
  ServerProcess server(dir);
  server.SetExtraArgs({"--worker-poll-ms", "50"});
  ASSERT_TRUE(server.Start());
  auto post = [&](const std::string& path, const std::string& who, const json::value& body) {
    return Http(server.port(), "POST", path, TokenOf(who), json::serialize(body));
  };
  auto get = [&](const std::string& path, const std::string& who) { return Http(server.port(), "GET", path, TokenOf(who)); };
  auto clock = [&](const std::string& t) { ASSERT_EQ(post("/v1/admin/clock", "ADM-1", {{"set", t}}).status, 200) << t; };
  auto command = [&](const std::string& id, const std::string& name, const json::object& data) {
    auto r = post("/v1/cases/" + id + "/commands", "V-1", {{"command", name}, {"data", data}});
    EXPECT_LT(r.status, 300) << name << ": " << r.body;
  };
  std::vector<std::string> ids;
  for (const char* pnr : {"19121212-1212", "19640823-3234"}) {
    const std::string id = ReferOverHttp(server.port(), pnr, "Kvartal Testsson").case_id;
    command(id, "BookConversation", {{"slot", "2025-01-14T10:00:00+01:00"}, {"mode", "digital"}});
    ids.push_back(id);
  }
  clock("2025-01-15T09:00:00+01:00");
  for (const auto& id : ids) {
    command(id, "RecordConversationHeld", {{"outcome", "plan"}});
    command(id, "RecordStudiesStarted", {{"start_date", "2025-01-15"}, {"pace", "full_time"}});
  }
  const std::string q = "unit=jarva&quarter=2025-Q1";
  EXPECT_EQ(post("/v1/lists/progression/selection", "A-J1", {{"unit", "jarva"}, {"quarter", "2025-Q1"}, {"case_ids", {ids[0]}}}).status, 404);
  clock("2025-03-31T17:00:00+02:00");  // J3 generated the list at 16:00
  ASSERT_EQ(get("/v1/lists/progression?" + q, "A-J1").Json().at("cases").as_array().size(), 2u);
  EXPECT_TRUE(get("/v1/lists/progression/selection?" + q, "A-J1").Json().at("case_ids").is_null()) << "none chosen yet";
  EXPECT_EQ(post("/v1/lists/progression/selection", "V-1", {{"unit", "jarva"}, {"quarter", "2025-Q1"}, {"case_ids", {ids[0]}}}).status, 403);
  EXPECT_EQ(post("/v1/lists/progression/selection", "A-G1", {{"unit", "jarva"}, {"quarter", "2025-Q1"}, {"case_ids", {ids[0]}}}).status, 403);
  EXPECT_EQ(post("/v1/lists/progression/selection", "A-J1", {{"unit", "jarva"}, {"quarter", "2025-Q1"}, {"case_ids", {"C-000000000000"}}}).status, 400);
  EXPECT_EQ(post("/v1/lists/progression/selection", "A-J1", {{"unit", "jarva"}, {"quarter", "2025-Q5"}, {"case_ids", {ids[0]}}}).status, 400);
  ASSERT_EQ(post("/v1/lists/progression/selection", "A-J1", {{"unit", "jarva"}, {"quarter", "2025-Q1"}, {"case_ids", {ids[0], ids[1]}}}).status, 201);
  auto chosen = post("/v1/lists/progression/selection", "A-J1", {{"unit", "jarva"}, {"quarter", "2025-Q1"}, {"case_ids", {ids[0]}}});
  ASSERT_EQ(chosen.status, 201) << chosen.body;
  auto sel = get("/v1/lists/progression/selection?" + q, "V-1");
  ASSERT_EQ(sel.status, 200) << sel.body;
  EXPECT_EQ(json::serialize(sel.Json().at("case_ids")), "[\"" + ids[0] + "\"]") << "the latest choice counts";
  ASSERT_EQ(post("/v1/lists/progression/publish", "A-J1", {{"unit", "jarva"}, {"quarter", "2025-Q1"}}).status, 200);
  EXPECT_EQ(post("/v1/lists/progression/selection", "A-J1", {{"unit", "jarva"}, {"quarter", "2025-Q1"}, {"case_ids", {ids[1]}}}).status, 409);
  // Vux answers per person; J4 (14 days after publication) chases only the one AF asked about.
  clock("2025-04-15T09:00:00+02:00");
  std::set<std::string> chased;
  const auto reminders = get("/v1/reminders?status=all", "W-1");
  for (const auto& r : reminders.Json().at("reminders").as_array()) {
    if (r.at("kind").as_string() == "feedback_chaser") chased.emplace(r.at("case_id").as_string());
  }
  EXPECT_THAT(chased, ::testing::ElementsAre(ids[0]));
}

}  // namespace
}  // namespace casetrail::testing
