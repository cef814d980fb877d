#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "engine/sealing.h"
#include "storage/base/hex.h"
#include "storage/base/status_matchers.h"

namespace casetrail::engine {
namespace {

constexpr size_t kNonce = 24, kTag = 16;

MasterKey Master(uint8_t fill) {
  MasterKey m;
  m.bytes.fill(fill);
  return m;
}

TEST(SealingTest, InitialisesOnceAndAgain) {
  EXPECT_THAT(InitCrypto(), IsOk());
  EXPECT_THAT(InitCrypto(), IsOk());
}

TEST(SealingTest, SealedDataOpensWithItsKeyAndAssociatedData) {
  DataKey k = NewDataKey();
  std::string sealed = Seal(k, "Tolvan Tolvansson", "S-1");
  EXPECT_EQ(sealed.size(), kNonce + 17 + kTag);
  EXPECT_EQ(sealed.find("Tolvan"), std::string::npos);
  EXPECT_EQ(sealed.find("S-1"), std::string::npos) << "associated data is not stored";
  EXPECT_EQ(*Open(k, sealed, "S-1"), "Tolvan Tolvansson");
  EXPECT_EQ(*Open(k, Seal(k, "", ""), ""), "");
}

TEST(SealingTest, WrongKeyOrAssociatedDataFailsToOpen) {
  DataKey k = NewDataKey();
  std::string sealed = Seal(k, "Tolvan Tolvansson", "S-1");
  EXPECT_THAT(Open(k, sealed, "S-2"), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(Open(k, sealed, ""), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(Open(NewDataKey(), sealed, "S-1"), StatusIs(StatusCode::kDataLoss));
}

TEST(SealingTest, EveryTamperedByteFailsToOpen) {
  DataKey k = NewDataKey();
  const std::string sealed = Seal(k, "Tolvan", "S-1");
  for (size_t i = 0; i < sealed.size(); ++i) {  // nonce, ciphertext and tag alike
    std::string tampered = sealed;
    tampered[i] ^= 0x01;
    EXPECT_THAT(Open(k, tampered, "S-1"), StatusIs(StatusCode::kDataLoss)) << "byte " << i;
  }
  EXPECT_THAT(Open(k, sealed.substr(0, sealed.size() - 1), "S-1"), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(Open(k, sealed + "x", "S-1"), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(Open(k, "", "S-1"), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(Open(k, std::string(kNonce + kTag - 1, 'x'), "S-1"), StatusIs(StatusCode::kDataLoss));
}

TEST(SealingTest, NoncesAndDataKeysAreFresh) {
  DataKey k = NewDataKey();
  EXPECT_NE(Seal(k, "x", "S-1").substr(0, kNonce), Seal(k, "x", "S-1").substr(0, kNonce));
  EXPECT_NE(NewDataKey().bytes, NewDataKey().bytes);
  EXPECT_NE(NewDataKey().bytes, DataKey{}.bytes);
}

TEST(SealingTest, WrappedKeysAreBoundToMasterAndSubject) {
  DataKey k = NewDataKey();
  std::string wrapped = WrapDataKey(Master(1), SubjectId("S-1"), k);
  EXPECT_EQ(wrapped.size(), kNonce + 32 + kTag);
  EXPECT_EQ(wrapped.find(std::string(reinterpret_cast<const char*>(k.bytes.data()), 8)), std::string::npos);
  auto back = UnwrapDataKey(Master(1), SubjectId("S-1"), wrapped);
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(back->bytes, k.bytes);
  EXPECT_THAT(UnwrapDataKey(Master(1), SubjectId("S-2"), wrapped), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(UnwrapDataKey(Master(2), SubjectId("S-1"), wrapped), StatusIs(StatusCode::kDataLoss));
  wrapped[kNonce] ^= 0x01;
  EXPECT_THAT(UnwrapDataKey(Master(1), SubjectId("S-1"), wrapped), StatusIs(StatusCode::kDataLoss));
}

TEST(SealingTest, UnwrapRejectsAuthenticValuesThatAreNotKeys) {
  // Sealed under the master key with the right subject, but 31 bytes: a key must be exactly 32.
  DataKey master_as_data_key{Master(1).bytes};
  std::string short_key = Seal(master_as_data_key, std::string(31, 'k'), "S-1");
  EXPECT_THAT(UnwrapDataKey(Master(1), SubjectId("S-1"), short_key), StatusIs(StatusCode::kDataLoss));
}

TEST(SealingTest, SubjectIndexKeyIsStableKeyedAndDistinct) {
  EXPECT_EQ(SubjectIndexKey(Master(1), "191212121212"), SubjectIndexKey(Master(1), "191212121212"));
  EXPECT_NE(SubjectIndexKey(Master(1), "191212121212"), SubjectIndexKey(Master(1), "200808080014"));
  EXPECT_NE(SubjectIndexKey(Master(1), "191212121212"), SubjectIndexKey(Master(2), "191212121212"));
  EXPECT_EQ(SubjectIndexKey(Master(1), "191212121212").size(), 32u);
  EXPECT_EQ(SubjectIndexKey(Master(1), "191212121212").find("1212"), std::string::npos);
}

TEST(SealingTest, SubjectIndexKeyMatchesTheStoredDerivation) {
  // Stored index entries depend on these exact bytes. Computed independently (Python hashlib):
  //   sub = blake2b(key=master, salt=le64(1)‖0⁸, person="subjidx_"‖0⁸, digest_size=32)
  //   hmac_sha256(sub, "191212121212")
  EXPECT_EQ(ToHex(SubjectIndexKey(Master(1), "191212121212")),
            "d5ff2d4862fbde798a5d373e386d857ee2aee4045d9c266ef17e6b00499c0c46");
}

}  // namespace
}  // namespace casetrail::engine
