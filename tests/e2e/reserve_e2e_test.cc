// G-RESERVE over the real server: a contact person appoints a reserve; the reserve acts for them
// (X-Acting-For) and every event it causes records acting_for; anyone else, a reserve of another
// unit, or a revoked reserve is refused 403 and nothing is written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/support/http_client.h"
#include "tests/support/personal_numbers.h"
#include "tests/support/referral_over_http.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;

TEST(ReserveE2ETest, AReserveActsOnlyForTheContactWhoAppointedThemAndItIsRecorded) {
  TempDir dir;
  ServerProcess server(dir, "2025-03-03T09:00:00+01:00");
  ASSERT_TRUE(server.Start());
  auto post = [&](const std::string& path, const std::string& who, const std::string& body, const std::string& acting = "") {
    std::map<std::string, std::string> headers;
    if (!acting.empty()) headers["X-Acting-For"] = acting;
    return Http(server.port(), "POST", path, TokenOf(who), body, headers);
  };
  const std::string subject = R"({"personal_number":"19121212-1212","name":"Reserv Testsson","gender":"unknown"})";
  auto head = [&] { return Http(server.port(), "GET", "/v1/verify", TokenOf("C-1")).Json().at("head").at("position"); };

  // Not appointed: refused, nothing written.
  const auto before = head();
  EXPECT_EQ(post("/v1/subjects", "A-J2", subject, "A-J1").status, 403);
  EXPECT_EQ(head(), before);
  EXPECT_EQ(post("/v1/reserves", "G-1", R"({"reserve":"A-J2"})").status, 403) << "the strategic group appoints none";
  EXPECT_EQ(post("/v1/reserves", "A-J1", R"({"reserve":"A-J1"})").status, 400) << "not oneself";

  ASSERT_EQ(post("/v1/reserves", "A-J1", R"({"reserve":"A-J2"})").status, 201);
  auto reg = post("/v1/subjects", "A-J2", subject, "A-J1");
  ASSERT_EQ(reg.status, 201) << reg.body;
  const std::string sid = reg.Str("subject_id");
  ASSERT_EQ(post("/v1/subjects/" + sid + "/consents", "A-J2", R"({"scopes":["transfer_referral","share_guidance","share_study_progress"],"method":"verbal"})", "A-J1").status, 201);
  auto c = post("/v1/cases", "A-J2",
                R"({"subject_id":")" + sid + R"(","unit":"jarva","channel":"space","long_term_unemployed":true,)"
                R"("lacks_upper_secondary":true,"resident_stockholm":true,"rom_participant":false,"need_assessed":true})",
                "A-J1");
  ASSERT_EQ(c.status, 201) << c.body;
  auto events = Http(server.port(), "GET", "/v1/cases/" + c.Str("case_id") + "/events", TokenOf("C-1")).Json();
  for (const auto& e : events.at("events").as_array()) {
    EXPECT_EQ(e.at("actor").at("id"), "A-J2");
    EXPECT_EQ(e.at("actor").at("acting_for"), "A-J1") << "every event records for whom the reserve acted";
  }

  // A reserve only for the one who appointed them, and with their role and unit.
  EXPECT_EQ(post("/v1/subjects", "A-J2", subject, "A-G1").status, 403);
  ASSERT_EQ(post("/v1/reserves", "A-G1", R"({"reserve":"A-J1"})").status, 201);
  EXPECT_EQ(post("/v1/subjects", "A-J1", subject, "A-G1").status, 403) << "a reserve of another unit";
  EXPECT_EQ(post("/v1/subjects", "V-1", subject, "A-J1").status, 403);
  // Revoked: no more.
  ASSERT_EQ(post("/v1/reserves/revoke", "A-J1", "{}").status, 200);
  const auto after = head();
  EXPECT_EQ(post("/v1/subjects", "A-J2", subject, "A-J1").status, 403);
  EXPECT_EQ(head(), after);
}

}  // namespace
}  // namespace casetrail::testing

namespace casetrail::testing {
namespace {

// Each party's responsible person per case ("helhetsansvar") and "my cases": an AF officer and a
// study counsellor take the case for their side; GET /v1/cases?mine=true lists it for each of
// them and for nobody else; the list names both.
TEST(ResponsibleE2ETest, EachSideTakesTheCaseAndFindsItUnderMyCases) {
  TempDir dir;
  ServerProcess server(dir, "2025-03-03T09:00:00+01:00");
  ASSERT_TRUE(server.Start());
  const std::string case_id = ReferOverHttp(server.port(), "19121212-1212", "Ansvar Testsson").case_id;
  ReferOverHttp(server.port(), TestNumber(7), "Annan Testsson");  // a case nobody holds
  auto take = [&](const std::string& who, const std::string& id) {
    return Http(server.port(), "POST", "/v1/cases/" + id + "/responsible", TokenOf(who), "{}");
  };
  auto mine = [&](const std::string& who) {
    auto r = Http(server.port(), "GET", "/v1/cases?mine=true", TokenOf(who));
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> ids;
    for (const auto& c : r.Json().at("cases").as_array()) ids.emplace_back(c.at("case_id").as_string());
    return ids;
  };
  EXPECT_EQ(take("G-1", case_id).status, 403);
  EXPECT_EQ(take("A-G1", case_id).status, 404) << "another unit's case";
  EXPECT_EQ(take("A-J1", "C-000000000000").status, 404);
  ASSERT_EQ(take("A-J1", case_id).status, 200);
  ASSERT_EQ(take("V-1", case_id).status, 200);
  EXPECT_EQ(mine("A-J1"), std::vector<std::string>{case_id});
  EXPECT_EQ(mine("V-1"), std::vector<std::string>{case_id});
  EXPECT_TRUE(mine("A-J2").empty());
  EXPECT_TRUE(mine("V-2").empty());
  EXPECT_EQ(Http(server.port(), "GET", "/v1/cases?mine=maybe", TokenOf("A-J1")).status, 400);
  // Taken over by a colleague: the newest assignment on a side holds.
  ASSERT_EQ(take("A-J2", case_id).status, 200);
  EXPECT_TRUE(mine("A-J1").empty());
  auto listed = Http(server.port(), "GET", "/v1/cases?mine=true", TokenOf("A-J2")).Json().at("cases").as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].at("responsible").at("af"), "A-J2");
  EXPECT_EQ(listed[0].at("responsible").at("vux"), "V-1");
}

}  // namespace
}  // namespace casetrail::testing
