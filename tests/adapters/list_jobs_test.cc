// The list jobs over a real log, generating late (the first start on an old log): a case that
// moved to another unit after a list's time is on the list of the unit it was in then.
#include "adapters/workers/list_jobs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/engine_harness.h"

namespace casetrail::testing {
namespace {

bool Lists(const adapters::StoredList& l, const std::string& case_id) {
  for (const auto& e : l.list.cases) {
    if (e.case_id == case_id) return true;
  }
  return false;
}

TEST(ListJobsTest, ALateListHoldsTheCaseUnderTheUnitItWasInAtTheListsTime) {
  EngineHarness h;
  h.SetTime("2025-01-13T09:00:00+01:00");
  const std::string s = h.NewSubject(TestNumber(7));
  h.Consent(s);
  const std::string c = h.Refer(s)->case_id;  // Järva
  h.SetTime("2025-02-10T09:00:00+01:00");  // after February's list time (3 February, 06:00)
  ASSERT_THAT(h.Run(c, kOfficerJarva, "TransferCase", {{"to_unit", std::string("city")}}), IsOk());

  replay::ReminderBook book(&h.registry());
  auto events = h.log().ReadAll(Position(1), 100000);
  ASSERT_THAT(events, IsOk());
  for (const auto& e : *events) book.Apply(e);
  adapters::ListJobMemory memory;
  auto generated = adapters::GenerateDueLists(h.log(), h.registry(), book, h.clock().Now(), {}, &memory);
  ASSERT_THAT(generated, IsOk());
  EXPECT_GT(*generated, 0);

  auto jarva = adapters::ReadList(h.log(), "monthly:jarva:2025-02");
  auto city = adapters::ReadList(h.log(), "monthly:city:2025-02");
  ASSERT_THAT(jarva, IsOk());
  ASSERT_THAT(city, IsOk());
  EXPECT_TRUE(Lists(*jarva, c)) << "in Järva on 3 February";
  EXPECT_FALSE(Lists(*city, c)) << "not yet in City then";
}

}  // namespace
}  // namespace casetrail::testing
