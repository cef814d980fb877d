#include "storage/jetstream/forwarding.h"

#include "storage/internal/codec.h"

namespace casetrail::storage::jetstream {
namespace {

void PutU32(std::string* out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutStr(std::string* out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}

struct Reader {
  std::string_view in;
  bool ok = true;
  uint32_t U32() {
    if (in.size() < 4) return ok = false, 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
    in.remove_prefix(4);
    return v;
  }
  uint64_t U64() {
    if (in.size() < 8) return ok = false, 0;
    uint64_t v = internal::GetBigEndian64(in);
    in.remove_prefix(8);
    return v;
  }
  uint8_t U8() {
    if (in.empty()) return ok = false, 0;
    uint8_t v = static_cast<uint8_t>(in[0]);
    in.remove_prefix(1);
    return v;
  }
  std::string Str() {
    uint32_t n = U32();
    if (!ok || in.size() < n) return ok = false, std::string();
    std::string s(in.substr(0, n));
    in.remove_prefix(n);
    return s;
  }
  // A count that cannot exceed what is left (each item takes at least `min` bytes).
  uint32_t Count(size_t min) {
    uint32_t n = U32();
    if (n > in.size() / min) ok = false;
    return ok ? n : 0;
  }
};

}  // namespace

std::string EncodeAppendRequest(const AppendRequest& r) {
  std::string out;
  PutU32(&out, static_cast<uint32_t>(r.writes.size()));
  for (const auto& w : r.writes) {
    PutStr(&out, w.stream.value());
    out.push_back(static_cast<char>(w.expected.kind));
    internal::PutBigEndian64(&out, w.expected.version.value());
    PutU32(&out, static_cast<uint32_t>(w.events.size()));
    for (const auto& e : w.events) PutStr(&out, e.type), PutStr(&out, e.data);
  }
  PutU32(&out, static_cast<uint32_t>(r.conditions.size()));
  for (const auto& c : r.conditions) {
    PutStr(&out, c.stream.value());
    internal::PutBigEndian64(&out, c.version.value());
  }
  PutStr(&out, r.idempotency_key);
  PutStr(&out, r.idempotency_fingerprint);
  out.push_back(r.sync ? 1 : 0);
  return out;
}

Result<AppendRequest> DecodeAppendRequest(std::string_view data) {
  Reader in{data};
  AppendRequest r;
  const uint32_t writes = in.Count(17);
  for (uint32_t i = 0; i < writes && in.ok; ++i) {
    StreamWrite w;
    w.stream = StreamId(in.Str());
    const uint8_t kind = in.U8();
    if (kind > static_cast<uint8_t>(ExpectedVersion::Kind::kExact)) in.ok = false;
    w.expected.kind = static_cast<ExpectedVersion::Kind>(kind);
    w.expected.version = StreamVersion(in.U64());
    const uint32_t events = in.Count(8);
    for (uint32_t j = 0; j < events && in.ok; ++j) {
      EventToAppend e;
      e.type = in.Str();
      e.data = in.Str();
      w.events.push_back(std::move(e));
    }
    r.writes.push_back(std::move(w));
  }
  const uint32_t conditions = in.Count(12);
  for (uint32_t i = 0; i < conditions && in.ok; ++i) {
    StreamCondition c;
    c.stream = StreamId(in.Str());
    c.version = StreamVersion(in.U64());
    r.conditions.push_back(std::move(c));
  }
  r.idempotency_key = in.Str();
  r.idempotency_fingerprint = in.Str();
  r.sync = in.U8() != 0;
  if (!in.ok || !in.in.empty()) return InvalidArgument("malformed forwarded append");
  return r;
}

std::string EncodeAppendAnswer(const Result<AppendResult>& answer) {
  std::string out;
  if (answer.ok()) {
    out.push_back(1);
    internal::PutBigEndian64(&out, answer->first_position.value());
    internal::PutBigEndian64(&out, answer->last_position.value());
    PutU32(&out, static_cast<uint32_t>(answer->stream_versions.size()));
    for (const auto& v : answer->stream_versions) internal::PutBigEndian64(&out, v.value());
    out.push_back(answer->deduplicated ? 1 : 0);
    return out;
  }
  const Status& s = answer.status();
  out.push_back(0);
  PutU32(&out, static_cast<uint32_t>(s.code()));
  PutStr(&out, s.message());
  PutU32(&out, static_cast<uint32_t>(s.context().size()));
  for (const auto& [k, v] : s.context()) PutStr(&out, k), PutStr(&out, v);
  return out;
}

Result<AppendResult> DecodeAppendAnswer(std::string_view data) {
  Reader in{data};
  if (in.U8() == 1) {
    AppendResult r;
    r.first_position = Position(in.U64());
    r.last_position = Position(in.U64());
    const uint32_t n = in.Count(8);
    for (uint32_t i = 0; i < n && in.ok; ++i) r.stream_versions.emplace_back(in.U64());
    r.deduplicated = in.U8() != 0;
    if (!in.ok || !in.in.empty()) return Unavailable("malformed answer from the writer");
    return r;
  }
  const uint32_t code = in.U32();
  Status s(static_cast<StatusCode>(code), in.Str());
  const uint32_t k = in.Count(8);
  for (uint32_t i = 0; i < k && in.ok; ++i) {
    std::string key = in.Str();
    s.With(std::move(key), in.Str());
  }
  if (!in.ok || code == 0 || code > static_cast<uint32_t>(StatusCode::kInternal)) {
    return Unavailable("malformed answer from the writer");
  }
  return s;
}

}  // namespace casetrail::storage::jetstream
