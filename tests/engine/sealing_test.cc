#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/sealing.h"
#include "storage/base/status_matchers.h"

namespace casetrail::engine {
namespace {

MasterKey Master(uint8_t fill) {
  MasterKey m;
  m.bytes.fill(fill);
  return m;
}

TEST(SealingTest, SealedDataOpensOnlyWithItsKeyAndAssociatedData) {
  DataKey k = NewDataKey();
  std::string sealed = Seal(k, "Tolvan Tolvansson", "S-1");
  EXPECT_EQ(sealed.find("Tolvan"), std::string::npos);
  EXPECT_EQ(*Open(k, sealed, "S-1"), "Tolvan Tolvansson");
  EXPECT_THAT(Open(k, sealed, "S-2"), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(Open(NewDataKey(), sealed, "S-1"), StatusIs(StatusCode::kDataLoss));
  sealed[sealed.size() - 1] ^= 1;
  EXPECT_THAT(Open(k, sealed, "S-1"), StatusIs(StatusCode::kDataLoss));
  EXPECT_NE(Seal(k, "x", "S-1"), Seal(k, "x", "S-1")) << "nonces must differ";
}

TEST(SealingTest, WrappedKeysAreBoundToMasterAndSubject) {
  DataKey k = NewDataKey();
  std::string wrapped = WrapDataKey(Master(1), SubjectId("S-1"), k);
  auto back = UnwrapDataKey(Master(1), SubjectId("S-1"), wrapped);
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(back->bytes, k.bytes);
  EXPECT_THAT(UnwrapDataKey(Master(1), SubjectId("S-2"), wrapped), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(UnwrapDataKey(Master(2), SubjectId("S-1"), wrapped), StatusIs(StatusCode::kDataLoss));
}

TEST(SealingTest, SubjectIndexKeyIsStableKeyedAndDistinct) {
  EXPECT_EQ(SubjectIndexKey(Master(1), "191212121212"), SubjectIndexKey(Master(1), "191212121212"));
  EXPECT_NE(SubjectIndexKey(Master(1), "191212121212"), SubjectIndexKey(Master(1), "198001010001"));
  EXPECT_NE(SubjectIndexKey(Master(1), "191212121212"), SubjectIndexKey(Master(2), "191212121212"));
  EXPECT_EQ(SubjectIndexKey(Master(1), "191212121212").size(), 32u);
}

}  // namespace
}  // namespace casetrail::engine
