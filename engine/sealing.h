// Sealing of personal data with libsodium: XChaCha20-Poly1305 (IETF) under per-subject data keys,
// which are themselves wrapped by the master key, and the keyed hash that indexes subjects by
// personal number without storing the number.
//
// Every function initialises libsodium itself and aborts if it cannot (nothing can be sealed
// safely without it); main() should call InitCrypto() first to report that as kUnavailable.
// Wire formats (nonce ‖ ciphertext ‖ tag, the index sub-key) are stored: changing them makes
// existing data unreadable.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/base/ids.h"
#include "storage/base/result.h"

namespace casetrail::engine {

struct MasterKey {
  std::array<uint8_t, 32> bytes{};
};
struct DataKey {
  std::array<uint8_t, 32> bytes{};
};

// Initialises libsodium once. kUnavailable if it cannot.
Status InitCrypto();

DataKey NewDataKey();
// nonce ‖ ciphertext, with the subject id as associated data (a key cannot be moved to another
// subject).
std::string WrapDataKey(const MasterKey& master, const SubjectId& subject, const DataKey& key);
// kDataLoss if the wrapped key does not authenticate.
Result<DataKey> UnwrapDataKey(const MasterKey& master, const SubjectId& subject, std::string_view wrapped);

// nonce ‖ ciphertext; `associated_data` is authenticated, not stored.
std::string Seal(const DataKey& key, std::string_view plaintext, std::string_view associated_data);
// kDataLoss if the sealed bytes or the associated data were altered.
Result<std::string> Open(const DataKey& key, std::string_view sealed, std::string_view associated_data);

// HMAC-SHA-256 of the canonical number under a sub-key of the master key (32 raw bytes), derived
// with crypto_kdf_derive_from_key(context "subjidx_", id 1). Deterministic, so it can be looked up.
std::string SubjectIndexKey(const MasterKey& master, std::string_view canonical_personal_number);

}  // namespace casetrail::engine
