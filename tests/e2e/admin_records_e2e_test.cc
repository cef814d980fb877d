// Issue 17, over the real server: administrative actions are recorded as events (who, when,
// what; no secrets) and listed at GET /v1/admin/records: the manual clock moved, a retention run
// asked for, the users file loaded at start. Every read of a case's events and every audit is
// recorded as a read of personal data, whichever role reads, and shows in the register extract.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/http_client.h"
#include "tests/support/referral_over_http.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;

class AdminRecordsE2ETest : public ::testing::Test {
 protected:
  json::array Records(const std::string& who = "C-1") {
    auto r = Http(server_.port(), "GET", "/v1/admin/records", TokenOf(who));
    EXPECT_EQ(r.status, 200) << r.body;
    last_body_ = r.body;
    return r.status == 200 ? r.Json().at("records").as_array() : json::array{};
  }
  json::array Reads(const std::string& subject) {
    auto r = Http(server_.port(), "GET", "/v1/subjects/" + subject + "/extract", TokenOf("C-1"));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json().at("reads").as_array();
  }

  TempDir dir_;
  ServerProcess server_{dir_};
  std::string last_body_;
};

TEST_F(AdminRecordsE2ETest, MovingTheClockAndLoadingTheUsersAreRecorded) {
  ASSERT_TRUE(server_.Start());
  auto records = Records();
  ASSERT_EQ(records.size(), 1u) << last_body_;
  EXPECT_EQ(records[0].at("type"), "UsersLoaded");
  EXPECT_EQ(records[0].at("facts").at("users"), 9);
  EXPECT_THAT(json::serialize(records[0].at("facts").at("ids")), HasSubstr("A-J1:af_officer/jarva"));
  EXPECT_THAT(last_body_, Not(HasSubstr("$argon2")));
  for (const auto& u : TestUsers()) EXPECT_THAT(last_body_, Not(HasSubstr(u.token)));

  auto moved = Http(server_.port(), "POST", "/v1/admin/clock", TokenOf("ADM-1"), R"({"advance":"P2D"})");
  ASSERT_EQ(moved.status, 200) << moved.body;
  records = Records("ADM-1");  // the admin reads them too
  ASSERT_EQ(records.size(), 2u) << last_body_;
  EXPECT_EQ(records[1].at("type"), "ClockMoved");
  EXPECT_EQ(records[1].at("actor").at("id"), "ADM-1");
  EXPECT_EQ(records[1].at("facts").at("from"), "2025-01-13T08:00:00Z");
  EXPECT_EQ(records[1].at("facts").at("to"), "2025-01-15T08:00:00Z");
  // Refused moves leave nothing.
  EXPECT_EQ(Http(server_.port(), "POST", "/v1/admin/clock", TokenOf("A-J1"), R"({"advance":"P1D"})").status, 403);
  EXPECT_EQ(Http(server_.port(), "POST", "/v1/admin/clock", TokenOf("ADM-1"), R"({"set":"2020-01-01T00:00:00Z"})").status, 422);
  EXPECT_EQ(Records().size(), 2u);
  EXPECT_EQ(Http(server_.port(), "GET", "/v1/admin/records", TokenOf("A-J1")).status, 403);

  // A restart with the same users adds nothing; one with a changed file records the new set.
  server_.Stop();
  ASSERT_TRUE(server_.Start());
  EXPECT_EQ(Records().size(), 2u) << last_body_;
  server_.Stop();
  std::ofstream(dir_.Sub("users.json"), std::ios::trunc)
      << R"({"users":[{"id":"C-1","role":"compliance","token_hash":")" << TestTokenHash(TokenOf("C-1")) << R"("}]})";
  ASSERT_TRUE(server_.Start());
  records = Records();
  ASSERT_EQ(records.size(), 3u) << last_body_;
  EXPECT_EQ(records[2].at("type"), "UsersLoaded");
  EXPECT_EQ(records[2].at("facts").at("users"), 1);
  EXPECT_NE(records[2].at("facts").at("file_hash"), records[0].at("facts").at("file_hash"));
}

TEST_F(AdminRecordsE2ETest, ARetentionRunRecordsWhoAskedForIt) {
  const std::string policy = dir_.Sub("retention.json");
  std::ofstream(policy) << R"({"version":"2025-1","rules":[{"id":"never-referred","when":"no_case","after_days":3650,"decision_ref":"AF-2024/0042"}]})";
  server_.SetExtraArgs({"--retention", policy});
  ASSERT_TRUE(server_.Start());
  auto run = Http(server_.port(), "POST", "/v1/retention/run", TokenOf("C-1"), "{}");
  ASSERT_EQ(run.status, 200) << run.body;
  // The worker's own daily run may be on record too (the manual clock starts past its hour).
  const json::value* asked = nullptr;
  const auto records = Records();
  for (const auto& r : records) {
    if (r.at("type") == "RetentionRunCompleted" && r.at("facts").at("trigger") == "request") asked = &r;
    if (r.at("type") == "RetentionRunCompleted" && r.at("facts").at("trigger") == "schedule") {
      EXPECT_EQ(r.at("actor").at("role"), "system");
    }
  }
  ASSERT_NE(asked, nullptr) << last_body_;
  EXPECT_EQ(asked->at("actor").at("id"), "C-1");
  EXPECT_EQ(asked->at("actor").at("role"), "compliance");
  EXPECT_EQ(asked->at("facts").at("policy_version"), "2025-1");
}

TEST_F(AdminRecordsE2ETest, EveryReadOfACasesEventsAndEveryAuditIsRecordedWhicheverRole) {
  ASSERT_TRUE(server_.Start());
  const ReferredCase rc = ReferOverHttp(server_.port(), "19121212-1212", "Tolvan Tolvansson");
  size_t before = Reads(rc.subject_id).size();
  for (const char* who : {"C-1", "A-J1", "V-1"}) {
    auto events = Http(server_.port(), "GET", "/v1/cases/" + rc.case_id + "/events", TokenOf(who));
    ASSERT_EQ(events.status, 200) << who << events.body;
    auto reads = Reads(rc.subject_id);
    // The extract itself is a read too: one for the events, one for the previous extract.
    ASSERT_EQ(reads.size(), before + 2) << who;
    const auto& last_events_read = reads.back();  // the extract records itself after it lists
    EXPECT_EQ(last_events_read.at("actor"), who);
    EXPECT_EQ(last_events_read.at("case_id"), json::value(rc.case_id));
    before = reads.size();
  }
  auto audit = Http(server_.port(), "GET", "/v1/cases/" + rc.case_id + "/audit", TokenOf("C-1"));
  ASSERT_EQ(audit.status, 200) << audit.body;
  auto reads = Reads(rc.subject_id);
  ASSERT_EQ(reads.size(), before + 2);
  bool audit_read = false;
  for (const auto& r : reads) audit_read = audit_read || (r.at("actor") == "C-1" && r.at("purpose") == "compliance_review" &&
                                                          r.at("case_id") == json::value(rc.case_id));
  EXPECT_TRUE(audit_read) << json::serialize(reads);
  // The next audit lists the previous one among the case's reads.
  auto again = Http(server_.port(), "GET", "/v1/cases/" + rc.case_id + "/audit", TokenOf("C-1"));
  bool listed = false;
  for (const auto& r : again.Json().at("reads").as_array()) listed = listed || r.at("purpose") == "compliance_review";
  EXPECT_TRUE(listed) << again.body;
}

}  // namespace
}  // namespace casetrail::testing
