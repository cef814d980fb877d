#include "storage/jetstream/lease.h"

#include "storage/jetstream/nats_util.h"

namespace casetrail::storage::jetstream {
namespace {
constexpr const char* kKey = "writer";
}

Lease::Lease(jsCtx* js, kvStore* kv, std::string bucket, std::string node_id, std::string advertise,
             std::chrono::milliseconds ttl, bool candidate)
    : js_(js), kv_(kv), bucket_(std::move(bucket)), subject_("$KV." + bucket_ + "." + kKey),
      node_id_(std::move(node_id)), advertise_(std::move(advertise)), ttl_(ttl), candidate_(candidate) {}

// Value: "held" or "released", then the node id and its address, separated by newlines.
Status Lease::Write(bool held, uint64_t expected_rev, uint64_t* new_rev) {
  std::string value = std::string(held ? "held" : "released") + "\n" + node_id_ + "\n" + advertise_;
  if (expected_rev == 0) {
    // Only the very first write of the key; later ones are fenced stream-wide.
    return FromNats(kvStore_Create(new_rev, kv_, kKey, value.data(), static_cast<int>(value.size())),
                    static_cast<jsErrCode>(0), "create lease");
  }
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.ExpectLastSeq = expected_rev;
  po.MaxWait = 2000;
  jsPubAck* ack = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_Publish(&ack, js_, subject_.c_str(), value.data(), static_cast<int>(value.size()), &po, &code);
  PubAckPtr guard(ack);
  CT_RETURN_IF_ERROR(FromNats(s, code, "write lease"));
  *new_rev = ack->Sequence;
  return Status::Ok();
}

void Lease::Tick() {
  const auto now = std::chrono::steady_clock::now();
  bool holder;
  uint64_t rev;
  {
    std::lock_guard lock(mu_);
    holder = holder_;
    rev = rev_;
  }
  if (holder) {
    uint64_t new_rev = 0;
    Status s = Write(true, rev, &new_rev);
    std::unique_lock lock(mu_);
    if (!holder_) return;  // abandoned meanwhile
    if (s.ok()) {
      rev_ = new_rev;
      valid_until_ = now + ttl_ * 3 / 4;
      last_error_.clear();
      return;
    }
    if (s.code() != StatusCode::kAborted) {
      last_error_ = std::string(s.message());
      return;
    }
    // Someone took it while we could not renew: learn who, below.
    holder_ = false;
    observed_rev_ = 0;
    last_error_ = "lease lost";
  }

  kvEntry* entry = nullptr;
  natsStatus gs = kvStore_Get(&entry, kv_, kKey);
  uint64_t current = 0;
  std::string value;
  if (gs == NATS_OK) {
    current = kvEntry_Revision(entry);
    value.assign(static_cast<const char*>(kvEntry_Value(entry)), kvEntry_ValueLen(entry));
    kvEntry_Destroy(entry);
  } else if (gs != NATS_NOT_FOUND) {
    std::lock_guard lock(mu_);
    last_error_ = std::string("read lease: ") + natsStatus_GetText(gs);
    return;
  }
  bool takeable;
  {
    std::lock_guard lock(mu_);
    if (current != observed_rev_ || current == 0) {
      observed_rev_ = current;
      observed_at_ = now;
      size_t a = value.find('\n'), b = value.find('\n', a == std::string::npos ? a : a + 1);
      holder_released_ = current == 0 || value.rfind("released", 0) == 0 || a == std::string::npos ||
                         b == std::string::npos;
      holder_id_ = holder_released_ ? "" : value.substr(a + 1, b - a - 1);
      holder_address_ = holder_released_ ? "" : value.substr(b + 1);
    }
    takeable = holder_released_ || holder_id_ == node_id_ || now - observed_at_ >= ttl_;
  }
  if (!candidate_ || !takeable) return;
  uint64_t new_rev = 0;
  Status s = Write(true, current, &new_rev);
  std::lock_guard lock(mu_);
  if (s.ok()) {
    holder_ = true;
    rev_ = new_rev;
    valid_until_ = now + ttl_ * 3 / 4;
    observed_rev_ = new_rev;
    holder_id_ = node_id_;
    holder_address_ = advertise_;
    holder_released_ = false;
    last_error_.clear();
  } else if (s.code() != StatusCode::kAborted) {
    last_error_ = std::string(s.message());
  }
}

void Lease::Release() {
  uint64_t rev;
  {
    std::lock_guard lock(mu_);
    if (!holder_) return;
    holder_ = false;
    rev = rev_;
  }
  uint64_t ignored = 0;
  Write(false, rev, &ignored).IgnoreError();  // best effort: it lapses after a ttl anyway
}

void Lease::Abandon() {
  std::lock_guard lock(mu_);
  holder_ = false;
  observed_rev_ = 0;  // re-read the holder on the next round
}

bool Lease::Held() {
  std::lock_guard lock(mu_);
  return holder_ && std::chrono::steady_clock::now() < valid_until_;
}

std::string Lease::HolderAddress() {
  std::lock_guard lock(mu_);
  return holder_address_;
}

std::string Lease::HolderId() {
  std::lock_guard lock(mu_);
  return holder_released_ ? "" : holder_id_;
}

bool Lease::OtherHolderKnown() {
  std::lock_guard lock(mu_);
  return !holder_released_ && holder_id_ != node_id_;
}

std::string Lease::last_error() {
  std::lock_guard lock(mu_);
  return last_error_;
}

}  // namespace casetrail::storage::jetstream
