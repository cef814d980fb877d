// Runs referrals, commands, refusals and a consent withdrawal with the log captured, then searches
// the log text for every personal value used: none may appear (DESIGN.md: logs name ids only).
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "tests/support/engine_harness.h"

namespace casetrail::testing {
namespace {

TEST(NoPersonalDataInLogsTest, FixtureRunLeavesOnlyIds) {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  spdlog::set_level(spdlog::level::trace);
  {
    EngineHarness h;
    const std::string pnr = "19121212-1212";
    engine::SubjectInput in{pnr, "Tolvan Tolvansson", "female", "+46701112233", "tolvan.t@example.test"};
    auto s = h.service().RegisterSubject(EngineHarness::As(kOfficerJarva), in);
    ASSERT_THAT(s, IsOk());
    ASSERT_THAT(h.service().GrantConsent(EngineHarness::As(kOfficerJarva), s->subject_id,
                                         {"transfer_referral", "share_guidance"}, "signed_form", "Evidence-Binder-77"),
                IsOk());
    Fields f = EngineHarness::ReferralFields();
    f["note"] = std::string("Secret-Note-Mentions-Tolvan");
    auto c = h.service().OpenCase(EngineHarness::As(kOfficerJarva), s->subject_id, f);
    ASSERT_THAT(c, IsOk());
    h.Run(c->case_id, kSyv, "BookConversation", {{"slot", std::string("2025-01-20T10:00:00+01:00")},
                                                  {"note", std::string("Another-Private-Remark")}})
        .status().IgnoreError();
    h.Run(c->case_id, kSyv, "BookConversation", {{"slot", std::string("Tolvan-in-a-bad-field")}}).status().IgnoreError();
    h.service().RegisterSubject(EngineHarness::As(kOfficerJarva), {"19121212-1213", "Bad Number", "female", "", ""})
        .status().IgnoreError();
    ASSERT_THAT(h.service().WithdrawConsent(EngineHarness::As(kOfficerJarva), s->subject_id, {"transfer_referral"}),
                IsOk());
    spdlog::default_logger()->flush();
    ASSERT_NE(captured.str().find(c->case_id), std::string::npos) << "the log should mention the case id";
  }
  spdlog::set_default_logger(previous);
  const std::string text = captured.str();
  for (const char* secret : {"Tolvan", "Tolvansson", "19121212", "191212121212", "1212-1212", "121212", "+4670",
                             "example.test", "Evidence-Binder", "Secret-Note", "Private-Remark", "Bad Number"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << "log contains personal data: " << secret;
  }
}

}  // namespace
}  // namespace casetrail::testing
