// Issue 17, no input echoed or stored where it is not sealed, over the real server: unknown
// members of a body or a command's data are counted in the problem and the refusal record, never
// named; idempotency keys are kept as keyed hashes (and still deduplicate after a restart); free
// text that would be stored in clear is refused 422 personal_data_in_text when it holds a
// personal identity number.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/files.h"
#include "tests/support/http_client.h"
#include "tests/support/referral_over_http.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;

class UnsealedInputE2ETest : public ::testing::Test {
 protected:
  HttpResponse Post(const std::string& path, const std::string& who, const json::value& body,
                    std::map<std::string, std::string> headers = {}) {
    return Http(server_.port(), "POST", path, TokenOf(who), json::serialize(body), headers);
  }

  TempDir dir_;
  ServerProcess server_{dir_};
};

TEST_F(UnsealedInputE2ETest, UnknownMembersAreCountedNeverNamedInProblemsAndRefusalRecords) {
  ASSERT_TRUE(server_.Start());
  const ReferredCase rc = ReferOverHttp(server_.port(), "19121212-1212", "Tolvan Tolvansson");
  // A body member: two unknown names, one of them a plain word a person typed.
  auto body = Post("/v1/subjects", "A-J1",
                   {{"personal_number", "19860402-5018"}, {"name", "X"}, {"tolvansson", 1}, {"kalle_anka", true}});
  ASSERT_EQ(body.status, 400) << body.body;
  EXPECT_EQ(body.Str("code"), "invalid_field");
  EXPECT_EQ(body.Json().at("unknown_fields"), 2);
  EXPECT_FALSE(body.Json().as_object().contains("field"));
  EXPECT_THAT(body.Str("detail"), HasSubstr("2 unknown fields"));
  EXPECT_THAT(body.body, Not(HasSubstr("tolvansson")));
  EXPECT_THAT(body.body, Not(HasSubstr("kalle_anka")));

  // A command's data: refused and recorded, the record counting what it does not name.
  auto cmd = Post("/v1/cases/" + rc.case_id + "/commands", "A-J1",
                  {{"command", "MarkUnplanned"}, {"data", {{"reason", "no_contact"}, {"tolvansson", "x"}}}});
  ASSERT_EQ(cmd.status, 400) << cmd.body;
  EXPECT_EQ(cmd.Json().at("unknown_fields"), 1);
  EXPECT_THAT(cmd.body, Not(HasSubstr("tolvansson")));
  // Query parameters too.
  auto query = Http(server_.port(), "GET", "/v1/cases?tolvansson=1", TokenOf("A-J1"));
  ASSERT_EQ(query.status, 400) << query.body;
  EXPECT_THAT(query.body, Not(HasSubstr("tolvansson")));

  auto audit = Http(server_.port(), "GET", "/v1/cases/" + rc.case_id + "/audit", TokenOf("C-1"));
  ASSERT_EQ(audit.status, 200) << audit.body;
  const auto& refused = audit.Json().at("refused_commands").as_array();
  ASSERT_EQ(refused.size(), 1u) << audit.body;
  EXPECT_EQ(refused[0].at("facts").at("unknown_fields"), 1);
  EXPECT_EQ(refused[0].at("facts").at("fields"), json::array({"reason"}));
  EXPECT_THAT(audit.body, Not(HasSubstr("tolvansson")));
  server_.Stop();
  EXPECT_EQ(FindBytesUnder(server_.data_dir(), "tolvansson"), "");
  EXPECT_EQ(FindBytesUnder(server_.data_dir(), "kalle_anka"), "");
}

TEST_F(UnsealedInputE2ETest, IdempotencyKeysAreStoredAsKeyedHashesAndStillDeduplicateAfterARestart) {
  ASSERT_TRUE(server_.Start());
  const ReferredCase rc = ReferOverHttp(server_.port(), "19121212-1212", "Tolvan Tolvansson");
  const std::string key = "retry-19121212-1212-tolvan";  // what a careless client might send
  auto first = Post("/v1/subjects/" + rc.subject_id + "/legal-hold", "C-1", {{"reference", "Dnr 2025/17"}},
                    {{"Idempotency-Key", key}});
  ASSERT_EQ(first.status, 200) << first.body;
  server_.Stop();
  EXPECT_EQ(FindBytesUnder(server_.data_dir(), key), "");
  EXPECT_EQ(FindBytesUnder(server_.data_dir(), "retry-1912"), "");

  ASSERT_TRUE(server_.Start());
  auto again = Post("/v1/subjects/" + rc.subject_id + "/legal-hold", "C-1", {{"reference", "Dnr 2025/17"}},
                    {{"Idempotency-Key", key}});
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Json().at("version"), first.Json().at("version"));
  // Nothing was appended by the repeat: the next hold, under a new key, is the very next version.
  auto next = Post("/v1/subjects/" + rc.subject_id + "/legal-hold", "C-1", {{"reference", "Dnr 2025/17"}},
                   {{"Idempotency-Key", "another-key"}});
  ASSERT_EQ(next.status, 200) << next.body;
  EXPECT_EQ(next.Json().at("version").as_int64(), first.Json().at("version").as_int64() + 1);
  auto other = Post("/v1/subjects/" + rc.subject_id + "/legal-hold", "C-1", {{"reference", "Dnr 2025/18"}},
                    {{"Idempotency-Key", key}});
  EXPECT_EQ(other.Str("code"), "idempotency_key_reused") << other.body;
}

TEST_F(UnsealedInputE2ETest, FreeTextKeptInClearThatHoldsAPersonalNumberIsRefused) {
  ASSERT_TRUE(server_.Start());
  const ReferredCase rc = ReferOverHttp(server_.port(), "19121212-1212", "Tolvan Tolvansson");
  auto expect_refused = [&](const HttpResponse& r, const char* field) {
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(r.content_type, "application/problem+json");
    EXPECT_EQ(r.Str("code"), "personal_data_in_text") << r.body;
    EXPECT_EQ(r.Str("field"), field);
    EXPECT_THAT(r.body, Not(HasSubstr("1212")));
  };
  expect_refused(Post("/v1/deviations", "A-J1",
                      {{"kind", "late_booking"}, {"summary", "Bokning för 19121212-1212 dröjde"}, {"occurred_on", "2025-01-10"}}),
                 "summary");
  expect_refused(Post("/v1/deviations", "A-J1",
                      {{"kind", "late 121212-1212"}, {"summary", "Bokning dröjde"}, {"occurred_on", "2025-01-10"}}),
                 "kind");
  auto dev = Post("/v1/deviations", "A-J1", {{"kind", "late_booking"}, {"summary", "Bokning dröjde"}, {"occurred_on", "2025-01-10"}});
  ASSERT_EQ(dev.status, 201) << dev.body;
  expect_refused(Post("/v1/deviations/" + dev.Str("deviation_id") + "/handled", "C-1",
                      {{"action", "Ringde 191212121212"}, {"handled_on", "2025-01-13"}}),
                 "action");
  expect_refused(Post("/v1/subjects/" + rc.subject_id + "/legal-hold", "C-1", {{"reference", "tvist 19121212-1212"}}),
                 "reference");
  // A command's text that is not sealed (an id), while sealed notes may name anyone.
  expect_refused(Post("/v1/cases/" + rc.case_id + "/commands", "A-J1",
                      {{"command", "MarkUnplanned"}, {"data", {{"reason", "no_contact"}, {"meeting", "19121212-1212"}}}}),
                 "meeting");
  // Kept: the deviation without a number, and the command's refusal record (which names the
  // field, not its value).
  auto deviations = Http(server_.port(), "GET", "/v1/deviations", TokenOf("C-1"));
  ASSERT_EQ(deviations.status, 200) << deviations.body;
  EXPECT_EQ(deviations.Json().at("deviations").as_array().size(), 1u) << deviations.body;
  auto audit = Http(server_.port(), "GET", "/v1/cases/" + rc.case_id + "/audit", TokenOf("C-1"));
  const auto& refused = audit.Json().at("refused_commands").as_array();
  ASSERT_EQ(refused.size(), 1u) << audit.body;
  EXPECT_EQ(refused[0].at("facts").at("code"), "personal_data_in_text");
  EXPECT_EQ(refused[0].at("facts").at("field"), "meeting");
  server_.Stop();
  EXPECT_EQ(FindBytesUnder(server_.data_dir(), "191212121212"), "");
  EXPECT_EQ(FindBytesUnder(server_.data_dir(), "121212-1212"), "");
}

}  // namespace
}  // namespace casetrail::testing
