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
// The users file: token hashes only.
Result<std::string> DemoUsersJson(const std::vector<DemoUser>& users);
// "  ID\tROLE[/UNIT]\tTOKEN" lines, what `serve --demo` prints (kept in DATA/demo-tokens, 0600).
std::string DemoTokensText(const std::vector<DemoUser>& users);

struct DemoStats {
  int subjects = 0;
  int cases = 0;
  int commands = 0;
};

// The DOMAIN §7 fixture case (F01–F20: a woman at Järva referred 2025-01-13, studies part-time
// from 2025-04-07, full-time from 2025-08-18 as recorded on 2025-10-07, interrupted, closed when
// consent is withdrawn on 2026-01-20), so the demo shows bitemporal replay and redaction on a
// known history. With `log` and `registry` (the service's), the lists its monthly review and pace
// report name are generated first and the quarterly list published, as G-MEETING and G-LIST ask.
// Returns its case id.
Result<std::string> AddFixtureCase(engine::CaseService& service, engine::FakeClock& clock, storage::Log* log = nullptr,
                                   const engine::DefinitionRegistry* registry = nullptr);

// Drives `cases` case histories through `service`, moving `clock` from 2025-01-08 onwards.
Result<DemoStats> PopulateDemo(engine::CaseService& service, engine::FakeClock& clock, int cases, uint32_t seed);

}  // namespace casetrail::adapters
