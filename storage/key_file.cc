#include "storage/key_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "storage/base/hex.h"

namespace casetrail::storage {

Status WriteNewKeyFile(const std::string& path) {
  if (sodium_init() < 0) return Unavailable("libsodium failed to initialise");
  KeyBytes key;
  randombytes_buf(key.data(), key.size());
  std::string hex = ToHex(std::string_view(reinterpret_cast<const char*>(key.data()), key.size())) + "\n";
  sodium_memzero(key.data(), key.size());
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return AlreadyExists("key file already exists");
    return Unavailable("cannot create key file");
  }
  bool ok = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
  ::close(fd);
  sodium_memzero(hex.data(), hex.size());
  return ok ? Status::Ok() : Unavailable("cannot write key file");
}

Result<KeyBytes> ReadKeyFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("key file not found");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  auto bytes = FromHex(text);
  sodium_memzero(text.data(), text.size());
  if (!bytes || bytes->size() != 32) return InvalidArgument("key file must hold 64 hexadecimal digits");
  KeyBytes key;
  std::copy(bytes->begin(), bytes->end(), reinterpret_cast<char*>(key.data()));
  sodium_memzero(bytes->data(), bytes->size());
  return key;
}

KeyBytes DeriveSubkey(const KeyBytes& master, uint64_t id, const char (&context)[9]) {
  KeyBytes out;
  crypto_kdf_derive_from_key(out.data(), out.size(), id, context, master.data());
  return out;
}

}  // namespace casetrail::storage
