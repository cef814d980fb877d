// Lower-case hexadecimal encoding of bytes, for hashes, keys and signatures.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace casetrail {

std::string ToHex(std::string_view bytes);
// Returns nullopt unless `hex` has even length and only hex digits (either case).
std::optional<std::string> FromHex(std::string_view hex);

}  // namespace casetrail
