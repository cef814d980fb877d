// The workflow's model (engine/model.h) is versioned data in the log, over the real server:
// `serve` records the built-in model once and answers it in GET /v1/workflows; `serve --model
// FILE` adopts a new version without a rebuild (here: the study counsellor loses lookups), which
// outlives its file; the same version with other content is refused and the store is unchanged;
// a users file naming a role or unit the model lacks stops the start.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "tests/support/http_client.h"
#include "tests/support/referral_over_http.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;

class ModelE2ETest : public ::testing::Test {
 protected:
  json::object ShippedModel() {
    std::ifstream in(std::string(CASETRAIL_SOURCE_DIR) + "/workflows/study-referral/model.json");
    return json::parse(std::string((std::istreambuf_iterator<char>(in)), {})).as_object();
  }
  std::string Write(const std::string& name, const json::object& model) {
    std::ofstream(dir_.Sub(name)) << json::serialize(model);
    return dir_.Sub(name);
  }
  int Lookup(const std::string& who) {
    return Http(server_.port(), "POST", "/v1/subjects/lookup", TokenOf(who), R"({"personal_number":"191212121212"})").status;
  }
  int ModelsOnRecord() {
    auto r = Http(server_.port(), "GET", "/v1/workflows", TokenOf("C-1"));
    return static_cast<int>(r.Json().at("model").at("model").as_int64());
  }

  TempDir dir_;
  ServerProcess server_{dir_, "2025-09-01T09:00:00+02:00"};
};

TEST_F(ModelE2ETest, ANewModelVersionChangesRightsWithoutARebuildAndOutlivesItsFile) {
  ASSERT_TRUE(server_.Start());
  ReferOverHttp(server_.port(), "19121212-1212", "Model Testsson");
  EXPECT_EQ(Lookup("V-1"), 200);
  const int shipped = static_cast<int>(ShippedModel().at("model").as_int64());
  EXPECT_EQ(ModelsOnRecord(), shipped);
  auto first = Http(server_.port(), "GET", "/v1/workflows", TokenOf("V-1")).Json();
  EXPECT_EQ(first.at("model").at("units").as_array().size(), 3u);
  ASSERT_EQ(server_.Stop(SIGTERM), 0);

  json::object v2 = ShippedModel();
  v2["model"] = shipped + 1;
  auto& may = v2["roles"].as_object()["syv"].as_object()["may"].as_array();
  may.erase(std::remove(may.begin(), may.end(), json::value("lookup_subject")), may.end());
  server_.SetExtraArgs({"--model", Write("model2.json", v2)});
  ASSERT_TRUE(server_.Start());
  EXPECT_EQ(ModelsOnRecord(), shipped + 1);
  EXPECT_EQ(Lookup("V-1"), 403);
  EXPECT_EQ(Lookup("A-J1"), 200);
  ASSERT_EQ(server_.Stop(SIGTERM), 0);

  // Without the file: the log holds version 2.
  server_.SetExtraArgs({});
  ASSERT_TRUE(server_.Start());
  EXPECT_EQ(Lookup("V-1"), 403);
  const auto head = Http(server_.port(), "GET", "/v1/verify", TokenOf("C-1")).Json().at("head");
  ASSERT_EQ(server_.Stop(SIGTERM), 0);

  // Version 2 again with other content: refused, nothing written.
  v2["roles"].as_object()["syv"].as_object()["may"].as_array().emplace_back("lookup_subject");
  server_.SetExtraArgs({"--model", Write("model2b.json", v2)});
  EXPECT_FALSE(server_.Start());
  int status = 0;
  ASSERT_TRUE(server_.WaitExit(10000, &status));
  EXPECT_NE(WEXITSTATUS(status), 0);
  server_.SetExtraArgs({});
  ASSERT_TRUE(server_.Start());
  EXPECT_EQ(Http(server_.port(), "GET", "/v1/verify", TokenOf("C-1")).Json().at("head"), head);
  EXPECT_EQ(Lookup("V-1"), 403);
}

TEST_F(ModelE2ETest, AUsersFileNamingWhatTheModelLacksStopsTheStart) {
  std::ofstream(dir_.Sub("users.json")) << R"({"users":[{"id":"X-1","token_hash":")" << TestTokenHash(TokenOf("A-J1"))
                                         << R"(","role":"af_officer","unit":"kista"}]})";
  EXPECT_FALSE(server_.Start());
  int status = 0;
  ASSERT_TRUE(server_.WaitExit(10000, &status));
  EXPECT_NE(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace casetrail::testing
