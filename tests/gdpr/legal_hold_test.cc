// A legal hold against erasure: decided, and the erasure written, under one lock per subject, so
// a hold recorded before an erasure commits always wins, on request and by retention, and the
// refused erasure is recorded.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "engine/event.h"
#include "tests/support/engine_harness.h"

namespace casetrail::testing {
namespace {

class LegalHoldTest : public ::testing::Test {
 protected:
  LegalHoldTest() : ledger_(h_.dir().Sub("erasure-ledger")) { h_.service().SetErasureLedger(&ledger_); }

  std::vector<engine::Event> Stream(const std::string& name) {
    auto records = h_.log().ReadStream(StreamId(name), StreamVersion(1), storage::Direction::kForward, SIZE_MAX);
    EXPECT_THAT(records, IsOk());
    std::vector<engine::Event> out;
    for (const auto& r : *records) out.push_back(*engine::DecodeEvent(r.type, r.data));
    return out;
  }

  EngineHarness h_;
  storage::ErasureLedger ledger_;
};

TEST_F(LegalHoldTest, AHoldBlocksAnErasureOnRequestAndTheRefusalIsRecorded) {
  const std::string s = h_.NewSubject(TestNumber(1));
  ASSERT_THAT(h_.service().SetLegalHold(EngineHarness::As(kCompliance), s, true, "JO-2025-17"), IsOk());
  auto erased = h_.service().EraseSubject(EngineHarness::As(kCompliance), s, "art17_1a", "DNR-1");
  ASSERT_THAT(erased, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(erased.status().Get("code"), "legal_hold");
  EXPECT_TRUE(h_.keys().HasKey(s));
  EXPECT_TRUE(ledger_.ReadAll()->empty()) << "nothing may reach the ledger while a hold is in place";
  auto refusals = Stream("refusal:" + s);
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_EQ(*engine::AsText(refusals[0].facts, "command"), "EraseSubject");
  EXPECT_EQ(*engine::AsText(refusals[0].facts, "code"), "legal_hold");
  // Lifted, the same request erases.
  ASSERT_THAT(h_.service().SetLegalHold(EngineHarness::As(kCompliance), s, false, "JO-2025-17"), IsOk());
  EXPECT_THAT(h_.service().EraseSubject(EngineHarness::As(kCompliance), s, "art17_1a", "DNR-1"), IsOk());
  EXPECT_FALSE(h_.keys().HasKey(s));
}

// Hold and erasure race, 60 times, by request and by retention: whichever commits first wins,
// and no erasure is ever recorded after a hold that was in place.
TEST_F(LegalHoldTest, AHoldThatRacesAnErasureIsNeverOverridden) {
  int holds_won = 0, erasures_won = 0;
  for (int round = 0; round < 60; ++round) {
    const std::string s = h_.NewSubject(TestNumber(100 + round));
    Status hold, erase;
    std::thread eraser([&] {
      erase = round % 2 ? h_.service().EraseByRetention(s, "cases-ended", "AF-2024/0042").status()
                        : h_.service().EraseSubject(EngineHarness::As(kCompliance), s, "art17_1a", "DNR-1").status();
    });
    std::thread holder([&] {
      hold = h_.service().SetLegalHold(EngineHarness::As(kCompliance), s, true, "JO-2025-17").status();
    });
    eraser.join();
    holder.join();
    bool held = false;
    for (const auto& e : Stream("subject:" + s)) {
      if (e.type == "LegalHoldPlaced") held = true;
      ASSERT_FALSE(held && (e.type == "SubjectErased" || e.type == "GallringExecuted"))
          << "round " << round << ": erased after a hold was recorded";
    }
    if (hold.ok()) {
      ++holds_won;
      EXPECT_EQ(erase.Get("code"), "legal_hold") << "round " << round;
      EXPECT_TRUE(h_.keys().HasKey(s)) << "round " << round;
    } else {
      ++erasures_won;
      EXPECT_TRUE(erase.ok()) << "round " << round << ": " << erase.ToString();
      EXPECT_EQ(hold.Get("code"), "erased") << "round " << round;
    }
  }
  std::cerr << "holds won " << holds_won << ", erasures won " << erasures_won << "\n";
}

}  // namespace
}  // namespace casetrail::testing
