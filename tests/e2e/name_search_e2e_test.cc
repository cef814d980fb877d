// Searching cases by the person, over the real server (POST /v1/cases/search, issue 18): by name
// through the index of keyed name-part hashes (replay/name_index.h) and by personal identity
// number; only people and cases the caller may see; every search recorded like a lookup; the
// index follows rectification and erasure, and is rebuilt from the log after a restart without
// the erased person; no name in the data directory in clear.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "tests/support/http_client.h"
#include "tests/support/referral_over_http.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;

class NameSearchE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_);
    ASSERT_TRUE(server_->Start());
  }
  HttpResponse Search(const std::string& who, const json::object& body) {
    return Http(server_->port(), "POST", "/v1/cases/search", TokenOf(who), json::serialize(body));
  }
  std::vector<std::string> CaseIds(const HttpResponse& r) {
    std::vector<std::string> ids;
    for (const auto& c : r.Json().at("cases").as_array()) ids.emplace_back(c.at("case_id").as_string());
    return ids;
  }
  HttpResponse Get(const std::string& path, const std::string& who) {
    return Http(server_->port(), "GET", path, TokenOf(who), "");
  }
  int64_t Head() { return Get("/v1/verify", "C-1").Json().at("head").at("position").as_int64(); }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(NameSearchE2ETest, FindsByNamePartsAndNumberOnlyWhatTheCallerMaySee) {
  const auto anna = ReferOverHttp(server_->port(), "19860402-5018", "Anna-Karin Ödqvist");
  const auto other = ReferOverHttp(server_->port(), "19121212-1212", "Anna Berg");

  // Whole name parts, any order, case and diacritics folded.
  auto r = Search("A-J1", {{"query", "ödqvist anna"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(CaseIds(r), ::testing::ElementsAre(anna.case_id));
  EXPECT_EQ(r.Json().at("total").to_number<int64_t>(), 1);
  EXPECT_EQ(std::string(r.Json().at("cases").at(0).at("subject_id").as_string()), anna.subject_id);
  EXPECT_THAT(CaseIds(Search("V-1", {{"query", "ODQVIST"}})), ::testing::ElementsAre(anna.case_id));
  EXPECT_THAT(CaseIds(Search("A-J1", {{"query", "Anna"}})), ::testing::UnorderedElementsAre(anna.case_id, other.case_id));
  EXPECT_TRUE(CaseIds(Search("A-J1", {{"query", "Ödq"}})).empty()) << "parts match whole, not by prefix";
  // By number, in any accepted spelling.
  EXPECT_THAT(CaseIds(Search("A-J1", {{"query", "198604025018"}})), ::testing::ElementsAre(anna.case_id));
  // Filters.
  EXPECT_TRUE(CaseIds(Search("A-J1", {{"query", "Anna"}, {"state", "booked"}})).empty());
  // An officer of another unit sees none of Järva's cases; roles that look nobody up are refused.
  auto globen = Search("A-G1", {{"query", "Anna"}});
  ASSERT_EQ(globen.status, 200);
  EXPECT_TRUE(CaseIds(globen).empty());
  EXPECT_EQ(Search("G-1", {{"query", "Anna"}}).status, 403);
  EXPECT_EQ(Search("W-1", {{"query", "Anna"}}).status, 403);
  // Bad queries: 400 with the field named, nothing written.
  const int64_t before = Head();
  for (const json::object& bad : {json::object{{"query", "a"}}, json::object{{"query", "!!"}}, json::object{{"name", "Anna"}},
                                  json::object{{"query", 5}}}) {
    auto b = Search("A-J1", bad);
    EXPECT_EQ(b.status, 400) << json::serialize(bad) << " " << b.body;
    EXPECT_EQ(b.content_type, "application/problem+json");
  }
  EXPECT_EQ(Head(), before);
  // The SYV does not find a person whose transfer_referral consent is withdrawn.
  ASSERT_EQ(Http(server_->port(), "POST", "/v1/subjects/" + other.subject_id + "/consents/withdraw", TokenOf("A-J1"),
                 R"({"scopes":["transfer_referral"]})").status, 200);
  EXPECT_THAT(CaseIds(Search("V-1", {{"query", "Anna"}})), ::testing::ElementsAre(anna.case_id));
  EXPECT_THAT(CaseIds(Search("C-1", {{"query", "Anna"}})), ::testing::UnorderedElementsAre(anna.case_id, other.case_id));
}

TEST_F(NameSearchE2ETest, EverySearchIsRecordedLikeALookupWithoutTheQuery) {
  const auto anna = ReferOverHttp(server_->port(), "19860402-5018", "Anna-Karin Ödqvist");
  int64_t before = Head();
  ASSERT_EQ(Search("V-1", {{"query", "Ödqvist"}}).status, 200);
  EXPECT_EQ(Head(), before + 1) << "one record for the one person found";
  before = Head();
  ASSERT_EQ(Search("A-J1", {{"query", "Nobody Atall"}}).status, 200);
  EXPECT_EQ(Head(), before + 1) << "a search that finds nobody is recorded too";

  auto extract = Get("/v1/subjects/" + anna.subject_id + "/extract", "C-1");
  ASSERT_EQ(extract.status, 200) << extract.body;
  const auto& lookups = extract.Json().at("lookups").as_array();
  ASSERT_EQ(lookups.size(), 1u) << extract.body;
  EXPECT_EQ(lookups[0].at("actor"), "V-1");
  EXPECT_EQ(lookups[0].at("outcome"), "found");
  EXPECT_EQ(lookups[0].at("via"), "name_search");
  EXPECT_THAT(json::serialize(lookups[0]), Not(HasSubstr("dqvist")));
}

TEST_F(NameSearchE2ETest, RectificationAndErasureMoveTheIndexAndARestartRebuildsIt) {
  const auto anna = ReferOverHttp(server_->port(), "19860402-5018", "Anna-Karin Ödqvist");
  const auto bo = ReferOverHttp(server_->port(), "19121212-1212", "Bo Ekholmsund");
  ASSERT_THAT(CaseIds(Search("A-J1", {{"query", "Ödqvist"}})), ::testing::ElementsAre(anna.case_id));

  // A rectified name is found by the new name only.
  ASSERT_EQ(Http(server_->port(), "PATCH", "/v1/subjects/" + anna.subject_id, TokenOf("A-J1"), R"({"name":"Anna Lind"})").status, 200);
  EXPECT_TRUE(CaseIds(Search("A-J1", {{"query", "Ödqvist"}})).empty());
  EXPECT_THAT(CaseIds(Search("A-J1", {{"query", "lind"}})), ::testing::ElementsAre(anna.case_id));

  // Erased: not found by name or number.
  ASSERT_EQ(Http(server_->port(), "POST", "/v1/subjects/" + anna.subject_id + "/erasure", TokenOf("C-1"),
                 R"({"legal_basis":"art17_request","reference":"DNR-1"})").status, 200);
  EXPECT_TRUE(CaseIds(Search("C-1", {{"query", "Anna Lind"}})).empty());
  EXPECT_TRUE(CaseIds(Search("C-1", {{"query", "19860402-5018"}})).empty());

  // After a restart the index is rebuilt from the log: Bo is found, the erased person is not.
  ASSERT_EQ(server_->Stop(SIGTERM), 0);
  ASSERT_TRUE(server_->Start());
  EXPECT_THAT(CaseIds(Search("A-J1", {{"query", "Bo Ekholmsund"}})), ::testing::ElementsAre(bo.case_id));
  EXPECT_TRUE(CaseIds(Search("C-1", {{"query", "Lind"}})).empty());

  // The index keeps nothing on disk: no name part in the data directory in clear. (Only data/:
  // users.json holds random token hashes, where a short needle turns up by chance.)
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path() + "/data")) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(bytes.find("Lind"), std::string::npos) << entry.path();
    EXPECT_EQ(bytes.find("Ekholmsund"), std::string::npos) << entry.path();
  }
}

}  // namespace
}  // namespace casetrail::testing
