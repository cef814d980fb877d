#include "engine/sealing.h"

#include <sodium.h>

#include <algorithm>
#include <mutex>

#include "storage/base/check.h"

namespace casetrail::engine {
namespace {

constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
static_assert(sizeof(DataKey::bytes) == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(sizeof(MasterKey::bytes) == crypto_kdf_KEYBYTES);

// Nonces and keys drawn before sodium_init may not be random; without libsodium nothing can be
// sealed safely, so that is broken infrastructure, not an error a caller could handle.
void RequireCrypto() { CT_CHECK(InitCrypto().ok()); }

std::string SealRaw(const uint8_t* key, std::string_view plain, std::string_view ad) {
  RequireCrypto();
  std::string out(kNonce + plain.size() + kTag, '\0');
  auto* o = reinterpret_cast<uint8_t*>(out.data());
  randombytes_buf(o, kNonce);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(o + kNonce, &len, reinterpret_cast<const uint8_t*>(plain.data()),
                                             plain.size(), reinterpret_cast<const uint8_t*>(ad.data()), ad.size(),
                                             nullptr, o, key);
  out.resize(kNonce + len);
  return out;
}

Result<std::string> OpenRaw(const uint8_t* key, std::string_view sealed, std::string_view ad) {
  RequireCrypto();
  if (sealed.size() < kNonce + kTag) return DataLoss("sealed data is too short");
  std::string out(sealed.size() - kNonce - kTag, '\0');
  unsigned long long len = 0;
  const auto* s = reinterpret_cast<const uint8_t*>(sealed.data());
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<uint8_t*>(out.data()), &len, nullptr, s + kNonce,
                                                 sealed.size() - kNonce, reinterpret_cast<const uint8_t*>(ad.data()),
                                                 ad.size(), s, key) != 0) {
    return DataLoss("sealed data does not authenticate");
  }
  out.resize(len);
  return out;
}

}  // namespace

Status InitCrypto() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = sodium_init() >= 0; });
  return ok ? Status::Ok() : Unavailable("libsodium failed to initialise");
}

DataKey NewDataKey() {
  RequireCrypto();
  DataKey k;
  crypto_aead_xchacha20poly1305_ietf_keygen(k.bytes.data());
  return k;
}

std::string WrapDataKey(const MasterKey& master, const SubjectId& subject, const DataKey& key) {
  return SealRaw(master.bytes.data(),
                 std::string_view(reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size()),
                 subject.value());
}

Result<DataKey> UnwrapDataKey(const MasterKey& master, const SubjectId& subject, std::string_view wrapped) {
  CT_ASSIGN_OR_RETURN(std::string raw, OpenRaw(master.bytes.data(), wrapped, subject.value()));
  DataKey k;
  const bool right_size = raw.size() == k.bytes.size();
  if (right_size) std::copy(raw.begin(), raw.end(), reinterpret_cast<char*>(k.bytes.data()));
  sodium_memzero(raw.data(), raw.size());
  if (!right_size) return DataLoss("wrapped key has a wrong length");
  return k;
}

std::string Seal(const DataKey& key, std::string_view plaintext, std::string_view associated_data) {
  return SealRaw(key.bytes.data(), plaintext, associated_data);
}

Result<std::string> Open(const DataKey& key, std::string_view sealed, std::string_view associated_data) {
  return OpenRaw(key.bytes.data(), sealed, associated_data);
}

std::string SubjectIndexKey(const MasterKey& master, std::string_view number) {
  RequireCrypto();
  // A separate sub-key keeps the index hash unrelated to anything else the master key protects.
  // Context and id are part of the stored index: changing them orphans every entry.
  uint8_t sub[crypto_auth_hmacsha256_KEYBYTES];
  crypto_kdf_derive_from_key(sub, sizeof(sub), 1, "subjidx_", master.bytes.data());
  uint8_t mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const uint8_t*>(number.data()), number.size(), sub);
  sodium_memzero(sub, sizeof(sub));
  return std::string(reinterpret_cast<const char*>(mac), sizeof(mac));
}

}  // namespace casetrail::engine
