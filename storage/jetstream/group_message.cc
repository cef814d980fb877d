#include "storage/jetstream/group_message.h"

#include <cstring>

#include "storage/internal/codec.h"

namespace casetrail::storage::jetstream {
namespace {

using internal::GetBigEndian64;
using internal::PutBigEndian64;

constexpr std::string_view kMagic = "ctg1";

void PutU32(std::string* out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool U32(uint32_t* v) {
    if (in_.size() < 4) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i) *v = (*v << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(4);
    return true;
  }
  bool U64(uint64_t* v) {
    if (in_.size() < 8) return false;
    *v = GetBigEndian64(in_);
    in_.remove_prefix(8);
    return true;
  }
  bool Bytes(std::string_view* out) {
    uint32_t n;
    if (!U32(&n) || in_.size() < n) return false;
    *out = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool empty() const { return in_.empty(); }

 private:
  std::string_view in_;
};

Status Bad(const std::string& what) { return DataLoss("jetstream group message: " + what); }

}  // namespace

std::string EncodeGroup(const internal::GroupPlan& plan) {
  std::string out(kMagic);
  PutU32(&out, static_cast<uint32_t>(plan.records.size()));
  for (const auto& r : plan.records) {
    PutBigEndian64(&out, r.position.value());
    PutU32(&out, static_cast<uint32_t>(r.value.size()));
    out += r.value;
  }
  PutU32(&out, static_cast<uint32_t>(plan.idempotency.size()));
  for (const auto& [key, value] : plan.idempotency) {
    PutU32(&out, static_cast<uint32_t>(key.size()));
    out += key;
    PutU32(&out, static_cast<uint32_t>(value.size()));
    out += value;
  }
  return out;
}

Result<internal::GroupPlan> DecodeGroup(std::string_view bytes, const Head& head) {
  if (bytes.substr(0, kMagic.size()) != kMagic) return Bad("unknown format");
  Reader in(bytes.substr(kMagic.size()));
  internal::GroupPlan plan;
  plan.head = head;
  uint32_t n;
  if (!in.U32(&n) || n == 0) return Bad("no records");
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t pos;
    std::string_view value;
    if (!in.U64(&pos) || !in.Bytes(&value)) return Bad("truncated record");
    if (pos != plan.head.position.value() + 1) {
      return Bad("position " + std::to_string(pos) + " does not follow " + std::to_string(plan.head.position.value()));
    }
    if (!internal::StoredHashMatches(Position(pos), value)) return Bad("hash mismatch at position " + std::to_string(pos));
    CT_ASSIGN_OR_RETURN(RecordedEvent ev, internal::DecodeStoredValue(Position(pos), value));
    if (ev.prev_hash != plan.head.hash) return Bad("chain broken at position " + std::to_string(pos));
    plan.stream_versions[ev.stream.value()] = ev.version.value();
    plan.records.push_back({Position(pos), ev.stream, ev.version, std::string(value)});
    plan.head = Head{Position(pos), ev.hash};
  }
  uint32_t m;
  if (!in.U32(&m)) return Bad("truncated idempotency keys");
  for (uint32_t i = 0; i < m; ++i) {
    std::string_view key, value;
    if (!in.Bytes(&key) || !in.Bytes(&value)) return Bad("truncated idempotency key");
    plan.idempotency.emplace_back(std::string(key), std::string(value));
  }
  if (!in.empty()) return Bad("trailing bytes");
  return plan;
}

}  // namespace casetrail::storage::jetstream
