// The demo's users: one of every role (an officer per unit, three counsellors), the users file
// that holds only their token hashes, and the token list `serve --demo` prints.
#pragma once

#include <string>
#include <vector>

#include "storage/base/result.h"

namespace casetrail::adapters {

struct DemoUser {
  std::string id, role, unit, auth, token;
};

// One user of every role, with fresh random tokens.
std::vector<DemoUser> MakeDemoUsers();
// The users file: token hashes only.
Result<std::string> DemoUsersJson(const std::vector<DemoUser>& users);
// "  ID\tROLE[/UNIT]\tTOKEN" lines, what `serve --demo` prints (kept in DATA/demo-tokens, 0600).
std::string DemoTokensText(const std::vector<DemoUser>& users);

}  // namespace casetrail::adapters
