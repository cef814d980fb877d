#include "engine/sealing.h"

#include <sodium.h>

#include <mutex>

namespace casetrail::engine {
namespace {

constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;

std::string SealRaw(const uint8_t* key, std::string_view plain, std::string_view ad) {
  InitCrypto().IgnoreError();
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
  InitCrypto().IgnoreError();
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
  if (raw.size() != 32) return DataLoss("wrapped key has a wrong length");
  DataKey k;
  std::copy(raw.begin(), raw.end(), reinterpret_cast<char*>(k.bytes.data()));
  sodium_memzero(raw.data(), raw.size());
  return k;
}

std::string Seal(const DataKey& key, std::string_view plaintext, std::string_view associated_data) {
  return SealRaw(key.bytes.data(), plaintext, associated_data);
}

Result<std::string> Open(const DataKey& key, std::string_view sealed, std::string_view associated_data) {
  return OpenRaw(key.bytes.data(), sealed, associated_data);
}

std::string SubjectIndexKey(const MasterKey& master, std::string_view number) {
  InitCrypto().IgnoreError();
  uint8_t sub[crypto_auth_hmacsha256_KEYBYTES];
  crypto_kdf_derive_from_key(sub, sizeof(sub), 1, "subjidx_", master.bytes.data());
  uint8_t mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, sub, sizeof(sub));
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const uint8_t*>(number.data()), number.size());
  crypto_auth_hmacsha256_final(&st, mac);
  sodium_memzero(sub, sizeof(sub));
  return std::string(reinterpret_cast<const char*>(mac), sizeof(mac));
}

}  // namespace casetrail::engine
