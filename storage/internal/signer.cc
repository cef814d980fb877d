#include "storage/internal/signer.h"

#include <sodium.h>

#include <cstring>

#include "storage/internal/codec.h"

namespace casetrail::storage::internal {

CheckpointSigner::CheckpointSigner(const std::array<uint8_t, 32>& seed) {
  if (sodium_init() < 0) std::abort();  // libsodium cannot work without a random source
  crypto_sign_seed_keypair(public_key_.data(), secret_key_.data(), seed.data());
}

CheckpointSigner::~CheckpointSigner() { sodium_memzero(secret_key_.data(), secret_key_.size()); }

Checkpoint CheckpointSigner::Sign(Position position, const Hash& hash) const {
  Checkpoint c;
  c.position = position;
  c.hash = hash;
  c.public_key = public_key_;
  std::string msg = CheckpointMessage(position, hash);
  crypto_sign_detached(c.signature.data(), nullptr, reinterpret_cast<const uint8_t*>(msg.data()),
                       msg.size(), secret_key_.data());
  return c;
}

bool CheckpointSigner::Check(const Checkpoint& c) const {
  std::string msg = CheckpointMessage(c.position, c.hash);
  return crypto_sign_verify_detached(c.signature.data(), reinterpret_cast<const uint8_t*>(msg.data()),
                                     msg.size(), public_key_.data()) == 0;
}

std::string EncodeCheckpointValue(const Checkpoint& c) {
  std::string v(reinterpret_cast<const char*>(c.hash.data()), 32);
  v.append(reinterpret_cast<const char*>(c.signature.data()), 64);
  return v;
}

bool DecodeCheckpointValue(Position position, std::string_view value, Checkpoint* out) {
  if (value.size() != 96) return false;
  out->position = position;
  std::memcpy(out->hash.data(), value.data(), 32);
  std::memcpy(out->signature.data(), value.data() + 32, 64);
  return true;
}

}  // namespace casetrail::storage::internal
