#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "storage/base/status_matchers.h"
#include "storage/key_store.h"
#include "tests/support/files.h"
#include "tests/support/power_cut_fs.h"
#include "tests/support/temp_dir.h"

namespace casetrail::storage {
namespace {

TEST(KeyStoreTest, ShredPurgesTheBytesFromEveryFile) {
  testing::TempDir dir;
  // Distinctive, incompressible-looking values so a search cannot match by accident.
  const std::string doomed = "WRAPPED-KEY-7f3a9c21-doomed-subject-bytes";
  const std::string kept = "WRAPPED-KEY-1b2c3d4e-kept-subject-bytes";
  {
    auto ks = OpenKeyStore(dir.path());
    ASSERT_THAT(ks, IsOk());
    ASSERT_THAT((*ks)->Put("key:S-doomed", doomed), IsOk());
    ASSERT_THAT((*ks)->Put("key:S-kept", kept), IsOk());
    ASSERT_THAT((*ks)->Put("idx:doomed-hmac", "S-doomed"), IsOk());
    ASSERT_NE(testing::FindBytesUnder(dir.path(), doomed), "") << "the value must be on disk first";
    ASSERT_THAT((*ks)->Shred({"key:S-doomed", "idx:doomed-hmac"}), IsOk());
    EXPECT_THAT((*ks)->Get("key:S-doomed"), StatusIs(StatusCode::kNotFound));
    EXPECT_EQ(*(*ks)->Get("key:S-kept"), kept);
  }
  EXPECT_EQ(testing::FindBytesUnder(dir.path(), doomed), "");
  EXPECT_EQ(testing::FindBytesUnder(dir.path(), "doomed-hmac"), "");
  auto reopened = OpenKeyStore(dir.path());
  EXPECT_EQ(*(*reopened)->Get("key:S-kept"), kept);
  EXPECT_THAT((*reopened)->Get("key:S-doomed"), StatusIs(StatusCode::kNotFound));
}

// Shred closes and reopens the database; when the reopen fails (here the power goes as it takes
// its lock), the store must refuse every later call instead of using a database it no longer has.
TEST(KeyStoreTest, AFailedReopenInShredLeavesAStoreThatRefusesInsteadOfCrashing) {
  testing::TempDir dir;
  auto fs = testing::NewPowerCutFileSystem();
  auto ks = OpenKeyStore(dir.path(), {fs});
  ASSERT_THAT(ks, IsOk());
  ASSERT_THAT((*ks)->Put("key:S-1", "wrapped"), IsOk());
  fs->DeactivateAtNextLock();
  EXPECT_THAT((*ks)->Shred({"key:S-1"}), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT((*ks)->Get("key:S-1"), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT((*ks)->Put("key:S-2", "wrapped"), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT((*ks)->Write({{"key:S-2", "wrapped"}}, {}), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT((*ks)->Delete("key:S-1"), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT((*ks)->List("key:"), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT((*ks)->Shred({"key:S-1"}), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT((*ks)->Backup(dir.Sub("backup")), StatusIs(StatusCode::kUnavailable));
}

}  // namespace
}  // namespace casetrail::storage
