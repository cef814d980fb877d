#include "adapters/demo/demo_users.h"

#include <boost/json.hpp>

#include "adapters/http/users.h"

namespace casetrail::adapters {

std::vector<DemoUser> MakeDemoUsers() {
  auto token = [] { return NewServiceToken(); };
  return {{"A-J1", "af_officer", "jarva", "bankid", token()},   {"A-G1", "af_officer", "globen", "bankid", token()},
          {"A-C1", "af_officer", "city", "bankid", token()},    {"V-1", "syv", "", "service_card", token()},
          {"V-2", "syv", "", "service_card", token()},          {"V-3", "syv", "", "service_card", token()},
          {"C-1", "compliance", "", "bankid", token()},         {"G-1", "strategic", "", "bankid", token()},
          {"W-1", "worker", "", "system", token()},             {"ADM-1", "admin", "", "bankid", token()}};
}

Result<std::string> DemoUsersJson(const std::vector<DemoUser>& users) {
  boost::json::array a;
  for (const auto& u : users) {
    CT_ASSIGN_OR_RETURN(std::string hash, HashServiceToken(u.token));
    boost::json::object o{{"id", u.id}, {"token_hash", hash}, {"role", u.role}, {"auth", u.auth}};
    if (!u.unit.empty()) o["unit"] = u.unit;
    a.push_back(std::move(o));
  }
  return boost::json::serialize(boost::json::object{{"users", std::move(a)}});
}

std::string DemoTokensText(const std::vector<DemoUser>& users) {
  std::string out;
  for (const auto& u : users) {
    out += "  " + u.id + "\t" + u.role + (u.unit.empty() ? "" : "/" + u.unit) + "\t" + u.token + "\n";
  }
  return out;
}

}  // namespace casetrail::adapters
