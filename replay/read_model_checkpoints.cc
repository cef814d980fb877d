#include "replay/read_model_checkpoints.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <fcntl.h>
#include <xxhash.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "replay/read_models.capnp.h"

namespace casetrail::replay {
namespace {

// XXH3-128 of the body: it finds a damaged file (a torn write, a flipped bit) at memory speed,
// where BLAKE2b took a third of a start's load time. It is no seal: the folder is the server's
// own (0700), and the checkpoint holds only what the log holds in clear.
std::array<unsigned char, 16> BodyHash(std::string_view body) {
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, XXH3_128bits(body.data(), body.size()));
  std::array<unsigned char, 16> out{};
  std::memcpy(out.data(), canonical.digest, out.size());
  return out;
}

Status WriteAll(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status(StatusCode::kUnavailable, "cannot write a read-model checkpoint");
    p += n;
    size -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

std::optional<ReadModelCheckpoints::Loaded> ReadModelCheckpoints::Load(const std::string& name, uint32_t format,
                                                                       storage::Log& log) const {
  std::ifstream in(PathOf(name), std::ios::binary | std::ios::ate);
  if (!in) return std::nullopt;
  const auto size = static_cast<size_t>(in.tellg());
  if (size == 0 || size % sizeof(capnp::word) != 0) return std::nullopt;  // bodies are whole words too
  Loaded out;
  auto& words = out.file;  // read once, then the body is decoded where it lies
  words.resize(size / sizeof(capnp::word));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(words.data()), static_cast<std::streamsize>(size))) return std::nullopt;
  try {
    capnp::ReaderOptions options;
    options.traversalLimitInWords = words.size() + 1024;  // the whole file, read once
    capnp::FlatArrayMessageReader reader(kj::arrayPtr(words.data(), words.size()), options);
    auto c = reader.getRoot<schema::ReadModelCheckpoint>();
    if (std::string_view(c.getName().cStr()) != name || c.getFormat() != format) return std::nullopt;
    const auto hash = c.getHash();
    if (hash.size() != out.hash.size() || c.getPosition() == 0) return std::nullopt;
    out.position = Position(c.getPosition());
    std::memcpy(out.hash.data(), hash.begin(), hash.size());
    const auto* end = reinterpret_cast<const char*>(reader.getEnd());
    const auto* last = reinterpret_cast<const char*>(words.data() + words.size());
    out.body = std::string_view(end, static_cast<size_t>(last - end));
    const auto body_hash = BodyHash(out.body);
    const auto stored = c.getBodyHash();
    if (stored.size() != body_hash.size() || std::memcmp(stored.begin(), body_hash.data(), body_hash.size()) != 0) {
      spdlog::warn("read-model checkpoint {} is damaged; folding from the first event", name);
      return std::nullopt;
    }
  } catch (const kj::Exception&) {
    spdlog::warn("read-model checkpoint {} does not decode; folding from the first event", name);
    return std::nullopt;
  }
  auto at = log.ReadAll(out.position, 1);
  if (!at.ok() || at->empty() || (*at)[0].position != out.position || (*at)[0].hash != out.hash) {
    spdlog::warn("read-model checkpoint {} at position {} is not of this log; folding from the first event", name,
                 out.position.value());
    return std::nullopt;
  }
  return out;
}

Position ReadModelCheckpoints::Resume(const std::string& name, uint32_t format, storage::Log& log,
                                     const std::function<bool(const Loaded&)>& decode) const {
  const auto t0 = std::chrono::steady_clock::now();
  auto loaded = Load(name, format, log);
  if (!loaded) return Position(0);
  const auto t1 = std::chrono::steady_clock::now();
  if (!decode(*loaded)) {
    spdlog::warn("read-model checkpoint {} does not decode; folding from the first event", name);
    return Position(0);
  }
  const auto seconds = [](auto d) { return std::chrono::duration<double>(d).count(); };
  spdlog::info("read model {} resumes from its checkpoint at position {} (read and checked in {:.2f} s, decoded in {:.2f} s)",
               name, loaded->position.value(), seconds(t1 - t0), seconds(std::chrono::steady_clock::now() - t1));
  return loaded->position;
}

Status ReadModelCheckpoints::Save(const std::string& name, uint32_t format, Position position,
                                  const storage::Hash& hash, std::string_view body) const {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec || ::chmod(dir_.c_str(), 0700) != 0) return Status(StatusCode::kUnavailable, "cannot create the read-models folder");
  capnp::MallocMessageBuilder m;
  auto c = m.initRoot<schema::ReadModelCheckpoint>();
  c.setName(name);
  c.setFormat(format);
  c.setPosition(position.value());
  c.setHash(kj::arrayPtr(hash.data(), hash.size()));
  const auto body_hash = BodyHash(body);
  c.setBodyHash(kj::arrayPtr(body_hash.data(), body_hash.size()));
  const auto words = capnp::messageToFlatArray(m);
  const auto bytes = words.asBytes();
  const std::string path = PathOf(name), tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status(StatusCode::kUnavailable, "cannot create a read-model checkpoint");
  Status s = WriteAll(fd, bytes.begin(), bytes.size());
  if (s.ok()) s = WriteAll(fd, body.data(), body.size());
  if (s.ok() && ::fsync(fd) != 0) s = Status(StatusCode::kUnavailable, "cannot sync a read-model checkpoint");
  ::close(fd);
  if (s.ok() && std::rename(tmp.c_str(), path.c_str()) != 0) {
    s = Status(StatusCode::kUnavailable, "cannot rename a read-model checkpoint");
  }
  if (!s.ok()) {
    std::filesystem::remove(tmp, ec);
    return s;
  }
  if (const int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);  // the rename itself survives a power cut
    ::close(dfd);
  }
  return Status::Ok();
}

Status ReadModelCheckpoints::DropAll() const {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  if (ec) return Status(StatusCode::kUnavailable, "cannot remove the read-model checkpoints");
  return Status::Ok();
}

Status ReadModelCheckpoints::SaveFolded(const std::string& name, uint32_t format, const FoldedTo& at,
                                        std::string_view body) const {
  if (at.position.value() == 0) return Status::Ok();  // nothing folded: nothing to keep
  return Save(name, format, at.position, at.hash, body);
}

}  // namespace casetrail::replay
