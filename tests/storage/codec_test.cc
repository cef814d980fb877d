// The storage codec on corrupt input (fuzzing, "Hardening"): stored bytes are not trusted.
#include "storage/internal/codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "storage/base/status_matchers.h"

namespace casetrail::storage::internal {
namespace {

// An idempotency record with the given fingerprint, positions and stored count, followed by
// `versions` encoded stream versions (which need not match the count).
std::string IdempotencyBytes(uint64_t count, int versions) {
  std::string out;
  PutBigEndian64(&out, 2);
  out += "fp";
  PutBigEndian64(&out, 7);
  PutBigEndian64(&out, 8);
  PutBigEndian64(&out, count);
  for (int i = 0; i < versions; ++i) PutBigEndian64(&out, 100 + i);
  return out;
}

TEST(IdempotencyCodecTest, RoundTrips) {
  IdempotencyRecord r{"fingerprint", {Position(7), Position(9), {StreamVersion(1), StreamVersion(4)}, false}};
  auto back = DecodeIdempotency(EncodeIdempotency(r));
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(back->fingerprint, "fingerprint");
  EXPECT_EQ(back->result.first_position, Position(7));
  EXPECT_EQ(back->result.last_position, Position(9));
  EXPECT_EQ(back->result.stream_versions, (std::vector<StreamVersion>{StreamVersion(1), StreamVersion(4)}));
  EXPECT_THAT(DecodeIdempotency(IdempotencyBytes(2, 2)), IsOk());
}

// A count whose byte length wraps (n * 8 mod 2^64 equals the bytes left) was believed and
// about 2^61 versions appended.
TEST(IdempotencyCodecTest, RefusesACountBeyondTheRemainingBytes) {
  for (auto [count, versions] : std::vector<std::pair<uint64_t, int>>{
           {(uint64_t{1} << 61) + 1, 1}, {uint64_t{1} << 61, 0}, {(uint64_t{1} << 61) + 2, 2},
           {~uint64_t{0}, 0}, {3, 2}, {1, 2}, {1, 0}}) {
    EXPECT_THAT(DecodeIdempotency(IdempotencyBytes(count, versions)), StatusIs(StatusCode::kDataLoss))
        << count << " " << versions;
  }
}

TEST(IdempotencyCodecTest, RefusesTruncatedRecords) {
  const std::string good = IdempotencyBytes(2, 2);
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_THAT(DecodeIdempotency(good.substr(0, n)), StatusIs(StatusCode::kDataLoss)) << n;
  }
  std::string long_fingerprint;
  PutBigEndian64(&long_fingerprint, ~uint64_t{0});
  EXPECT_THAT(DecodeIdempotency(long_fingerprint), StatusIs(StatusCode::kDataLoss));
}

}  // namespace
}  // namespace casetrail::storage::internal
