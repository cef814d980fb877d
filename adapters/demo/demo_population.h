// A demo population for `casetrail serve --demo`: fictional subjects, and cases across the three
// AF units over two years that reach every state of study-referral and every event type of its
// revisions 1 and 2, beside the cooperation's own records (monthly meetings and the lists they
// review, published progression lists and their feedback, group and listed activities, strategic
// meetings, decisions, deviations, an erasure). Deterministic for a given seed.
//
// Personal identity numbers come only from the test-number series (demo/test_series.h).
// Ages at referral follow 001's focus on 20–29: most subjects are 20–29, some are older or 18–19.
#pragma once

#include <string>
#include <vector>

#include "adapters/demo/demo_users.h"
#include "adapters/demo/test_series.h"
#include "engine/case_service.h"
#include "engine/definition_registry.h"
#include "storage/log.h"

namespace casetrail::adapters {

struct DemoStats {
  int subjects = 0;
  int cases = 0;
  int commands = 0;
  std::string fixture_case;                  // the DOMAIN §7 fixture's case id
  std::vector<std::string> personal_numbers;  // every number registered, in order
};

// Drives `cases` generated case histories and the DOMAIN §7 fixture case (F01–F20: a woman at
// Järva referred 2025-01-13, studies part-time from 2025-04-07, full-time from 2025-08-18 as
// recorded on 2025-10-07, interrupted, closed when consent is withdrawn on 2026-01-20) through
// `service`, in time order from 2025-01-08 on, with the cooperation's records between them. The
// follow-up lists a command names are generated (as the worker would, replay/follow_up_lists.h)
// before the command, so every meeting and list reference names a list that exists and holds
// the case.
Result<DemoStats> PopulateDemo(engine::CaseService& service, storage::Log& log, const engine::DefinitionRegistry& registry,
                               engine::FakeClock& clock, int cases, uint32_t seed);

}  // namespace casetrail::adapters
