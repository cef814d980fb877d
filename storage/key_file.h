// Key files: 32 random bytes, hex-encoded (64 characters, optional trailing newline), mode 0600.
// The master key wraps per-subject data keys; the checkpoint signing seed is either its own file
// or derived from the master key.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "storage/base/result.h"

namespace casetrail::storage {

using KeyBytes = std::array<uint8_t, 32>;

// Writes a new random key to `path`; kAlreadyExists if the file exists (keys are never replaced
// by accident).
Status WriteNewKeyFile(const std::string& path);

// kNotFound if missing; kInvalidArgument if not exactly 64 hex digits.
Result<KeyBytes> ReadKeyFile(const std::string& path);

// A sub-key for one purpose (libsodium crypto_kdf, `context` exactly 8 characters).
KeyBytes DeriveSubkey(const KeyBytes& master, uint64_t id, const char (&context)[9]);

}  // namespace casetrail::storage
