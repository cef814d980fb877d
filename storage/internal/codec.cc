#include "storage/internal/codec.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <sodium.h>

#include <cstring>
#include <vector>

#include "storage/record.capnp.h"

namespace casetrail::storage::internal {

void PutBigEndian64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}

uint64_t GetBigEndian64(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

std::string PositionKey(Position p) {
  std::string k;
  PutBigEndian64(&k, p.value());
  return k;
}

std::string StreamIndexPrefix(const StreamId& s) {
  std::string k = s.value();
  k.push_back('\0');
  return k;
}

std::string StreamIndexKey(const StreamId& s, StreamVersion v) {
  std::string k = StreamIndexPrefix(s);
  PutBigEndian64(&k, v.value());
  return k;
}

std::string EncodeRecord(const StreamId& stream, StreamVersion version, std::string_view type,
                         std::string_view data) {
  capnp::MallocMessageBuilder message;
  auto rec = message.initRoot<schema::StoredRecord>();
  rec.setStream(capnp::Text::Reader(stream.value().data(), stream.value().size()));
  rec.setVersion(version.value());
  rec.setType(capnp::Text::Reader(type.data(), type.size()));
  rec.setData(capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(data.data()), data.size()));
  kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

Hash ChainHash(const Hash& prev_hash, Position position, std::string_view record_bytes) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 32);
  crypto_generichash_update(&state, prev_hash.data(), prev_hash.size());
  std::string pos;
  PutBigEndian64(&pos, position.value());
  crypto_generichash_update(&state, reinterpret_cast<const uint8_t*>(pos.data()), pos.size());
  crypto_generichash_update(&state, reinterpret_cast<const uint8_t*>(record_bytes.data()),
                            record_bytes.size());
  Hash out;
  crypto_generichash_final(&state, out.data(), out.size());
  return out;
}

std::string MakeStoredValue(const Hash& prev_hash, const Hash& hash, std::string_view record_bytes) {
  std::string v;
  v.reserve(64 + record_bytes.size());
  v.append(reinterpret_cast<const char*>(prev_hash.data()), 32);
  v.append(reinterpret_cast<const char*>(hash.data()), 32);
  v.append(record_bytes);
  return v;
}

Result<RecordedEvent> DecodeStoredValue(Position position, std::string_view value) {
  if (value.size() < 64 + 8 || (value.size() - 64) % sizeof(capnp::word) != 0) {
    return DataLoss("stored record has an invalid length").With("position", std::to_string(position.value()));
  }
  RecordedEvent ev;
  ev.position = position;
  std::memcpy(ev.prev_hash.data(), value.data(), 32);
  std::memcpy(ev.hash.data(), value.data() + 32, 32);
  // Cap'n Proto 0.9 reads only from word-aligned memory; RocksDB values carry no alignment, so
  // an unaligned one is copied (into a buffer reused by this thread: a scan decodes millions).
  const size_t n_words = (value.size() - 64) / sizeof(capnp::word);
  const char* body = value.data() + 64;
  const capnp::word* words = reinterpret_cast<const capnp::word*>(body);
  // uint64_t, not capnp::word: under clang capnp::word is not movable, so a vector of it does
  // not compile (the fuzz build); the two have the same size and alignment.
  static_assert(sizeof(uint64_t) == sizeof(capnp::word) && alignof(uint64_t) >= alignof(capnp::word));
  thread_local std::vector<uint64_t> aligned;
  if (reinterpret_cast<uintptr_t>(body) % alignof(capnp::word) != 0) {
    aligned.resize(n_words);
    std::memcpy(aligned.data(), body, value.size() - 64);
    words = reinterpret_cast<const capnp::word*>(aligned.data());
  }
  try {
    capnp::FlatArrayMessageReader reader(kj::arrayPtr(words, n_words));
    auto rec = reader.getRoot<schema::StoredRecord>();
    ev.stream = StreamId(std::string(rec.getStream().cStr(), rec.getStream().size()));
    ev.version = StreamVersion(rec.getVersion());
    ev.type = std::string(rec.getType().cStr(), rec.getType().size());
    auto d = rec.getData();
    ev.data.assign(reinterpret_cast<const char*>(d.begin()), d.size());
  } catch (const kj::Exception&) {
    return DataLoss("stored record is not a valid message").With("position", std::to_string(position.value()));
  }
  return ev;
}

bool StoredHashMatches(Position position, std::string_view value) {
  if (value.size() < 64) return false;
  Hash prev;
  std::memcpy(prev.data(), value.data(), 32);
  Hash h = ChainHash(prev, position, value.substr(64));
  return std::memcmp(h.data(), value.data() + 32, 32) == 0;
}

std::string CheckpointMessage(Position position, const Hash& hash) {
  std::string m = "ckpt-v1";
  PutBigEndian64(&m, position.value());
  m.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  return m;
}

std::string EncodeIdempotency(const IdempotencyRecord& r) {
  std::string out;
  PutBigEndian64(&out, r.fingerprint.size());
  out += r.fingerprint;
  PutBigEndian64(&out, r.result.first_position.value());
  PutBigEndian64(&out, r.result.last_position.value());
  PutBigEndian64(&out, r.result.stream_versions.size());
  for (const auto& v : r.result.stream_versions) PutBigEndian64(&out, v.value());
  return out;
}

Result<IdempotencyRecord> DecodeIdempotency(std::string_view in) {
  auto take = [&in](uint64_t* v) {
    if (in.size() < 8) return false;
    *v = GetBigEndian64(in);
    in.remove_prefix(8);
    return true;
  };
  IdempotencyRecord r;
  uint64_t len = 0, first = 0, last = 0, n = 0;
  if (!take(&len) || in.size() < len) return DataLoss("corrupt idempotency record");
  r.fingerprint.assign(in.substr(0, len));
  in.remove_prefix(len);
  // The stored count is checked against the bytes left before anything is allocated: n * 8 wraps.
  if (!take(&first) || !take(&last) || !take(&n) || in.size() % 8 != 0 || n != in.size() / 8) {
    return DataLoss("corrupt idempotency record");
  }
  r.result.first_position = Position(first);
  r.result.last_position = Position(last);
  r.result.stream_versions.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t v = 0;
    take(&v);
    r.result.stream_versions.emplace_back(v);
  }
  return r;
}

Status ValidateStreamId(const StreamId& s) {
  const std::string& v = s.value();
  if (v.empty() || v.size() > 200 || v.find('\0') != std::string::npos) {
    return InvalidArgument("stream id must be 1 to 200 bytes without NUL");
  }
  return Status::Ok();
}

}  // namespace casetrail::storage::internal
