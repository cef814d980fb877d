#include "storage/erasure_ledger.h"

#include <gtest/gtest.h>

#include <fstream>

#include "storage/base/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace casetrail::storage {
namespace {

using testing::TempDir;

TEST(ErasureLedgerTest, AbsentFileIsEmptyAndEntriesComeBackInOrder) {
  TempDir dir;
  ErasureLedger ledger(dir.Sub("erasure-ledger"));
  auto none = ledger.ReadAll();
  ASSERT_THAT(none, IsOk());
  EXPECT_TRUE(none->empty());
  ASSERT_THAT(ledger.Append({"S-1", "2025-03-01T10:00:00Z", "art17_1a", "dnr-1"}), IsOk());
  ASSERT_THAT(ledger.Append({"S-2", "2025-03-02T10:00:00Z", "retention:closed-cases", "beslut-7"}), IsOk());
  auto all = ledger.ReadAll();
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].subject_id, "S-2");
  EXPECT_EQ((*all)[1].legal_basis, "retention:closed-cases");
}

TEST(ErasureLedgerTest, TornLastLineIsIgnoredThenCutByTheNextAppend) {
  TempDir dir;
  ErasureLedger ledger(dir.Sub("erasure-ledger"));
  ASSERT_THAT(ledger.Append({"S-1", "2025-03-01T10:00:00Z", "art17_1a", "dnr-1"}), IsOk());
  {
    std::ofstream torn(dir.Sub("erasure-ledger"), std::ios::app | std::ios::binary);
    torn << "S-9\t2025-03-0";  // a crash mid-append
  }
  ASSERT_EQ(ledger.ReadAll()->size(), 1u);
  ASSERT_THAT(ledger.Append({"S-3", "2025-03-03T10:00:00Z", "art17_1a", "dnr-3"}), IsOk());
  auto all = ledger.ReadAll();
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].subject_id, "S-3");
}

TEST(ErasureLedgerTest, FieldsWithSeparatorsOrEmptyAreRefused) {
  TempDir dir;
  ErasureLedger ledger(dir.Sub("erasure-ledger"));
  EXPECT_THAT(ledger.Append({"S-1", "2025-03-01T10:00:00Z", "art17\t1a", "dnr-1"}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ledger.Append({"S-1", "2025-03-01T10:00:00Z", "art17", ""}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_TRUE(ledger.ReadAll()->empty());
}

}  // namespace
}  // namespace casetrail::storage
