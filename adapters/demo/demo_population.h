// A demo population for `casetrail serve --demo`: fictional subjects with valid test-style
// personal numbers, and cases across the three AF units over two years that reach every state
// of study-referral (declines, consent withdrawals, interruptions, completions included).
// Deterministic for a given seed.
#pragma once

#include <string>
#include <vector>

#include "engine/case_service.h"

namespace casetrail::adapters {

struct DemoUser {
  std::string id, role, unit, auth, token;
};

// One user of every role (and an officer per unit), with fresh random tokens.
std::vector<DemoUser> MakeDemoUsers();
std::string DemoUsersJson(const std::vector<DemoUser>& users);

struct DemoStats {
  int subjects = 0;
  int cases = 0;
  int commands = 0;
};

// Drives `cases` case histories through `service`, moving `clock` from 2025-01-08 onwards.
Result<DemoStats> PopulateDemo(engine::CaseService& service, engine::FakeClock& clock, int cases, uint32_t seed);

}  // namespace casetrail::adapters
