// Ed25519 checkpoint signing from a 32-byte seed (libsodium).
#pragma once

#include <array>
#include <cstdint>

#include "storage/log.h"

namespace casetrail::storage::internal {

class CheckpointSigner {
 public:
  explicit CheckpointSigner(const std::array<uint8_t, 32>& seed);
  ~CheckpointSigner();
  CheckpointSigner(const CheckpointSigner&) = delete;
  CheckpointSigner& operator=(const CheckpointSigner&) = delete;

  Checkpoint Sign(Position position, const Hash& hash) const;
  bool Check(const Checkpoint& c) const;  // against this signer's public key, not c.public_key
  const std::array<uint8_t, 32>& public_key() const { return public_key_; }

 private:
  std::array<uint8_t, 64> secret_key_{};
  std::array<uint8_t, 32> public_key_{};
};

// Checkpoint CF value: hash ‖ signature.
std::string EncodeCheckpointValue(const Checkpoint& c);
bool DecodeCheckpointValue(Position position, std::string_view value, Checkpoint* out);

}  // namespace casetrail::storage::internal
