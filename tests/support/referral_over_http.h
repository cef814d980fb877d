// One referred case over the real HTTP API, as the AF officer A-J1 of Järva makes it: the subject,
// the three consent scopes, and a referral that meets the target group.
#pragma once

#include <boost/json.hpp>
#include <string>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {

struct ReferredCase {
  std::string case_id, subject_id;
};

// `token`: another AF officer of Järva's bearer token (say an OIDC access token) instead of A-J1's.
inline ReferredCase ReferOverHttp(uint16_t port, const std::string& personal_number, const std::string& name,
                                  const std::string& token = "") {
  namespace json = boost::json;
  auto post = [&](const std::string& path, const json::value& body) {
    return Http(port, "POST", path, token.empty() ? TokenOf("A-J1") : token, json::serialize(body));
  };
  auto s = post("/v1/subjects", {{"personal_number", personal_number}, {"name", name}});
  EXPECT_EQ(s.status, 201) << s.body;
  EXPECT_EQ(post("/v1/subjects/" + s.Str("subject_id") + "/consents",
                 {{"scopes", {"transfer_referral", "share_guidance", "share_study_progress"}}, {"method", "signed_form"}})
                .status,
            201);
  auto c = post("/v1/cases", {{"subject_id", s.Str("subject_id")}, {"unit", "jarva"}, {"channel", "space"},
                              {"long_term_unemployed", true}, {"lacks_upper_secondary", true}, {"resident_stockholm", true},
                              {"rom_participant", true}, {"need_assessed", true}});
  EXPECT_EQ(c.status, 201) << c.body;
  return {c.Str("case_id"), s.Str("subject_id")};
}

}  // namespace casetrail::testing
