// Rectification (GDPR Art. 16) over the real server: PATCH /v1/subjects/{id} corrects the name,
// contact details and personal identity number; reads, the register extract and the case audit
// show the corrected values and that (when, by whom) a rectification happened, never the old
// values; a new number moves the lookup index, also across a SIGKILL in the middle.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;

constexpr const char* kOldNumber = "19121212-1212";
constexpr const char* kNewNumber = "19860402-5018";

class RectificationE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_);
    ASSERT_TRUE(server_->Start());
    auto r = Post("/v1/subjects", "A-J1", {{"personal_number", kOldNumber}, {"name", "Tolvan Gammalnamn"}, {"gender", "female"},
                                           {"contact", {{"phone", "+46701111111"}, {"email", "old@example.test"}}}});
    ASSERT_EQ(r.status, 201) << r.body;
    subject_ = r.Str("subject_id");
    ASSERT_EQ(Post("/v1/subjects/" + subject_ + "/consents", "A-J1",
                   {{"scopes", {"transfer_referral", "share_guidance", "share_study_progress"}}, {"method", "signed_form"}})
                  .status, 201);
    auto c = Post("/v1/cases", "A-J1", {{"subject_id", subject_}, {"unit", "jarva"}, {"channel", "space"},
                                        {"long_term_unemployed", true}, {"lacks_upper_secondary", true},
                                        {"resident_stockholm", true}, {"rom_participant", false}, {"need_assessed", true}});
    ASSERT_EQ(c.status, 201) << c.body;
    case_ = c.Str("case_id");
  }
  HttpResponse Post(const std::string& path, const std::string& who, const json::value& body) {
    return Http(server_->port(), "POST", path, TokenOf(who), json::serialize(body));
  }
  HttpResponse Patch(const std::string& who, const json::value& body, const std::string& subject = "") {
    return Http(server_->port(), "PATCH", "/v1/subjects/" + (subject.empty() ? subject_ : subject), TokenOf(who),
                json::serialize(body));
  }
  HttpResponse Get(const std::string& path, const std::string& who) {
    return Http(server_->port(), "GET", path, TokenOf(who), "", {{"X-Purpose", "case_handling"}});
  }
  std::string LookupId(const std::string& pnr) {
    auto r = Post("/v1/subjects/lookup", "C-1", {{"personal_number", pnr}});
    return r.status == 200 ? r.Str("subject_id") : "<" + std::to_string(r.status) + ">";
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::string subject_, case_;
};

TEST_F(RectificationE2ETest, NameAndContactAreCorrectedAndTheOldValuesAreNotShown) {
  auto r = Patch("A-J1", {{"name", "Tolvan Nynamn"}, {"contact", {{"phone", "+46702222222"}, {"email", "new@example.test"}}},
                          {"reason", "misspelt at registration"}});
  ASSERT_EQ(r.status, 200) << r.body;

  auto extract = Get("/v1/subjects/" + subject_ + "/extract", "C-1");
  ASSERT_EQ(extract.status, 200) << extract.body;
  const auto& person = extract.Json().at("personal_data");
  EXPECT_EQ(person.at("name").as_string(), "Tolvan Nynamn");
  EXPECT_EQ(person.at("contact").at("phone").as_string(), "+46702222222");
  EXPECT_EQ(person.at("contact").at("email").as_string(), "new@example.test");
  EXPECT_EQ(person.at("personal_number").as_string(), kOldNumber);
  const auto& rect = extract.Json().at("rectifications").as_array();
  ASSERT_EQ(rect.size(), 1u);
  EXPECT_THAT(json::serialize(rect[0]), ::testing::HasSubstr("A-J1"));
  EXPECT_THAT(json::serialize(rect[0].at("data")), ::testing::HasSubstr("\"name\""));
  for (const char* old : {"Gammalnamn", "+46701111111", "old@example.test", "misspelt"}) {
    EXPECT_THAT(extract.body, ::testing::Not(::testing::HasSubstr(old))) << old;
  }

  // The case audit says that, when and by whom; no value, old or new.
  auto audit = Get("/v1/cases/" + case_ + "/audit", "C-1");
  ASSERT_EQ(audit.status, 200) << audit.body;
  const auto& in_audit = audit.Json().at("subject_rectifications").as_array();
  ASSERT_EQ(in_audit.size(), 1u);
  EXPECT_FALSE(in_audit[0].at("recorded_at").as_string().empty());
  for (const char* value : {"Gammalnamn", "Nynamn", "+4670", "example.test"}) {
    EXPECT_THAT(audit.body, ::testing::Not(::testing::HasSubstr(value))) << value;
  }
  // Reads of the case, as each role: the corrected name for those who may see the person, no
  // name (old or new) for the others.
  for (const char* who : {"A-J1", "V-1", "C-1"}) {
    auto read = Get("/v1/cases/" + case_, who);
    ASSERT_EQ(read.status, 200) << who << ": " << read.body;
    EXPECT_EQ(read.Json().at("subject").at("name").as_string(), "Tolvan Nynamn") << who;
  }
  for (const char* who : {"G-1", "A-G1"}) {
    auto read = Get("/v1/cases/" + case_, who);
    EXPECT_THAT(read.body, ::testing::Not(::testing::HasSubstr("Nynamn"))) << who;
    EXPECT_THAT(read.body, ::testing::Not(::testing::HasSubstr("Gammalnamn"))) << who;
  }
  // The syv's event history shows that a rectification happened only through the audit (above).
  auto events = Get("/v1/cases/" + case_ + "/events", "V-1");
  EXPECT_THAT(events.body, ::testing::Not(::testing::HasSubstr("Gammalnamn")));
}

TEST_F(RectificationE2ETest, ANewPersonalNumberMovesTheLookup) {
  ASSERT_EQ(Patch("C-1", {{"personal_number", kNewNumber}}).status, 200);
  EXPECT_EQ(LookupId(kOldNumber), "<404>");
  EXPECT_EQ(LookupId(kNewNumber), subject_);
  // Registering the old number now makes a new person; the new number is taken.
  auto other = Post("/v1/subjects", "A-J1", {{"personal_number", kOldNumber}, {"name", "Annan Person"}, {"gender", "male"}});
  ASSERT_EQ(other.status, 201) << other.body;
  EXPECT_NE(other.Str("subject_id"), subject_);
  EXPECT_EQ(Post("/v1/subjects", "A-J1", {{"personal_number", kNewNumber}, {"name", "X"}}).Str("subject_id"), subject_);
  auto taken = Patch("C-1", {{"personal_number", kOldNumber}});
  EXPECT_EQ(taken.status, 409) << taken.body;
  EXPECT_EQ(taken.Str("code"), "number_in_use");
  EXPECT_THAT(taken.body, ::testing::Not(::testing::HasSubstr(other.Str("subject_id"))));
  auto extract = Get("/v1/subjects/" + subject_ + "/extract", "C-1");
  EXPECT_EQ(extract.Json().at("personal_data").at("personal_number").as_string(), kNewNumber);
}

TEST_F(RectificationE2ETest, AKillBetweenTheEventAndTheIndexMoveIsFinishedAtStart) {
  server_->Stop(SIGTERM);
  server_->SetEnv("CASETRAIL_FAILPOINT", "rectify-before-index-move");
  ASSERT_TRUE(server_->Start());
  EXPECT_EQ(Patch("C-1", {{"personal_number", kNewNumber}}).status, 0) << "the failpoint should have killed the server";
  int status = 0;
  ASSERT_TRUE(server_->WaitExit(10000, &status));
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_TRUE(server_->Start());
  EXPECT_EQ(LookupId(kNewNumber), subject_) << "the rectification is on record, so the index must follow it";
  EXPECT_EQ(LookupId(kOldNumber), "<404>");
  auto verify = Http(server_->port(), "GET", "/v1/verify", TokenOf("C-1"));
  EXPECT_EQ(verify.Str("ok"), "true") << verify.body;
}

TEST_F(RectificationE2ETest, RefusalsAnswerInRegistrationsOrderAndChangeNothing) {
  EXPECT_EQ(Patch("A-J1", {{"nickname", "T"}}).Str("code"), "invalid_field");
  EXPECT_EQ(Patch("A-J1", {{"name", 7}}).Str("code"), "invalid_field");
  EXPECT_EQ(Patch("A-J1", json::object{}).Str("code"), "invalid_field");
  EXPECT_EQ(Patch("A-J1", {{"personal_number", "19121212-1213"}}).status, 422);
  EXPECT_EQ(Patch("A-G1", {{"name", "Globen Officer Guess"}}).status, 403) << "another unit holds no case of the person";
  EXPECT_EQ(Patch("V-1", {{"name", "Syv Guess"}}).status, 403);
  EXPECT_EQ(Patch("C-1", {{"name", "Nobody"}}, "S-000000000000").status, 404);
  auto extract = Get("/v1/subjects/" + subject_ + "/extract", "C-1");
  EXPECT_EQ(extract.Json().at("personal_data").at("name").as_string(), "Tolvan Gammalnamn");
  EXPECT_TRUE(extract.Json().at("rectifications").as_array().empty());

  ASSERT_EQ(Post("/v1/subjects/" + subject_ + "/erasure", "C-1", {{"legal_basis", "art17_1a"}, {"reference", "dnr-9"}}).status,
            200);
  auto gone = Patch("C-1", {{"name", "Too Late"}});
  EXPECT_EQ(gone.status, 410) << gone.body;
  EXPECT_EQ(gone.Str("code"), "erased");
}

}  // namespace
}  // namespace casetrail::testing

namespace casetrail::testing {
namespace {

// That the person was informed about the processing, and with which notice (Art. 13/14): recorded
// by the staff who told them, listed in the register extract; unknown versions or methods are
// refused with nothing written.
TEST(NoticeE2ETest, ANoticeGivenIsRecordedAndShownInTheExtract) {
  TempDir dir;
  ServerProcess server(dir, "2025-03-03T09:00:00+01:00");
  ASSERT_TRUE(server.Start());
  auto post = [&](const std::string& path, const std::string& who, const std::string& body) {
    return Http(server.port(), "POST", path, TokenOf(who), body);
  };
  auto reg = post("/v1/subjects", "A-J1", R"({"personal_number":"19121212-1212","name":"Notis Notisson","gender":"unknown"})");
  ASSERT_EQ(reg.status, 201) << reg.body;
  const std::string path = "/v1/subjects/" + reg.Str("subject_id") + "/notices";
  EXPECT_EQ(post(path, "A-J1", R"({"notice_version":"1999-1","method":"letter"})").Str("field"), "notice_version");
  EXPECT_EQ(post(path, "A-J1", R"({"notice_version":"2025-1","method":"carrier_pigeon"})").Str("field"), "method");
  EXPECT_EQ(post(path, "G-1", R"({"notice_version":"2025-1","method":"letter"})").status, 403);
  EXPECT_EQ(post("/v1/subjects/S-000000000000/notices", "A-J1", R"({"notice_version":"2025-1","method":"letter"})").status, 404);
  auto given = post(path, "V-1", R"({"notice_version":"2025-1","method":"in_person"})");
  ASSERT_EQ(given.status, 201) << given.body;
  auto extract = Http(server.port(), "GET", "/v1/subjects/" + reg.Str("subject_id") + "/extract", TokenOf("C-1"));
  ASSERT_EQ(extract.status, 200);
  const auto& notices = extract.Json().at("notices").as_array();
  ASSERT_EQ(notices.size(), 1u) << "the refused ones wrote nothing";
  EXPECT_EQ(notices[0].at("notice_version"), "2025-1");
  EXPECT_EQ(notices[0].at("method"), "in_person");
  EXPECT_EQ(notices[0].at("by"), "V-1");
}

}  // namespace
}  // namespace casetrail::testing
