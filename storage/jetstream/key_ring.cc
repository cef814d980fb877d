#include "storage/jetstream/key_ring.h"

#include <sodium.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "storage/internal/codec.h"
#include "storage/jetstream/nats_util.h"

namespace casetrail::storage {
namespace {

using internal::GetBigEndian64;
using internal::PutBigEndian64;
constexpr const char* kKekKey = "kek";
constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;

void PutU32(std::string* out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
bool GetU32(std::string_view* in, uint32_t* v) {
  if (in->size() < 4) return false;
  *v = 0;
  for (int i = 0; i < 4; ++i) *v = (*v << 8) | static_cast<uint8_t>((*in)[i]);
  in->remove_prefix(4);
  return true;
}

KeyBytes NextKek(const KeyBytes& kek) {
  static constexpr char kContext[] = "casetrail-kek-next";
  KeyBytes next;
  crypto_generichash(next.data(), next.size(), reinterpret_cast<const unsigned char*>(kContext), sizeof(kContext) - 1,
                     kek.data(), kek.size());
  return next;
}

std::string AdOf(const std::string& subject, uint64_t epoch) {
  std::string ad = subject;
  PutBigEndian64(&ad, epoch);
  return ad;
}

std::pair<std::string, std::string> Wrap(const KeyBytes& kek, uint64_t epoch, const std::string& subject,
                                         const KeyBytes& key) {
  std::string nonce(kNonce, '\0');
  randombytes_buf(nonce.data(), nonce.size());
  std::string sealed(key.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long len = 0;
  const std::string ad = AdOf(subject, epoch);
  crypto_aead_xchacha20poly1305_ietf_encrypt(reinterpret_cast<unsigned char*>(sealed.data()), &len, key.data(), key.size(),
                                             reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr,
                                             reinterpret_cast<const unsigned char*>(nonce.data()), kek.data());
  return {nonce, sealed};
}

std::optional<KeyBytes> Unwrap(const KeyBytes& kek, uint64_t epoch, const std::string& subject, const std::string& nonce,
                               const std::string& sealed) {
  KeyBytes key;
  if (nonce.size() != kNonce || sealed.size() != key.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES) return std::nullopt;
  unsigned long long len = 0;
  const std::string ad = AdOf(subject, epoch);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(key.data(), &len, nullptr,
                                                 reinterpret_cast<const unsigned char*>(sealed.data()), sealed.size(),
                                                 reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
                                                 reinterpret_cast<const unsigned char*>(nonce.data()), kek.data()) != 0) {
    return std::nullopt;
  }
  return key;
}

void PutEntry(std::string* out, const std::string& subject, const std::string& nonce, const std::string& sealed) {
  PutU32(out, static_cast<uint32_t>(subject.size()));
  *out += subject;
  *out += nonce;
  *out += sealed;
}

bool GetEntry(std::string_view* in, std::string* subject, std::string* nonce, std::string* sealed) {
  uint32_t n;
  const size_t sealed_len = 32 + crypto_aead_xchacha20poly1305_ietf_ABYTES;
  if (!GetU32(in, &n) || in->size() < n + kNonce + sealed_len) return false;
  subject->assign(in->substr(0, n));
  nonce->assign(in->substr(n, kNonce));
  sealed->assign(in->substr(n + kNonce, sealed_len));
  in->remove_prefix(n + kNonce + sealed_len);
  return true;
}

}  // namespace

struct KeyRing::Conn {
  std::unique_ptr<jetstream::NatsConnection> nats;
};

KeyRing::KeyRing(const KeyRingOptions& options)
    : options_(options), subject_(options.stream + ".keys"), conn_(std::make_unique<Conn>()) {}

KeyRing::~KeyRing() { sodium_memzero(kek_.data(), kek_.size()); }

Result<std::unique_ptr<KeyRing>> KeyRing::Open(const KeyRingOptions& options,
                                               std::optional<std::pair<uint64_t, KeyBytes>> kek) {
  if (sodium_init() < 0) return Internal("libsodium failed to initialise");
  auto ring = std::unique_ptr<KeyRing>(new KeyRing(options));
  CT_ASSIGN_OR_RETURN(ring->conn_->nats, jetstream::NatsConnection::Connect(options.nats));
  CT_RETURN_IF_ERROR(jetstream::EnsureStream(ring->conn_->nats->js(), options.stream, ring->subject_, options.replicas,
                                             std::chrono::seconds(20)));
  CT_ASSIGN_OR_RETURN(ring->local_, OpenKeyStore(options.local_path));
  auto stored = ring->local_->Get(kKekKey);
  if (stored.ok()) {
    if (stored->size() != 40) return DataLoss("the local KEK entry is malformed");
    ring->epoch_ = GetBigEndian64(*stored);
    std::memcpy(ring->kek_.data(), stored->data() + 8, 32);
  } else if (stored.status().code() == StatusCode::kNotFound) {
    if (!kek) return FailedPrecondition("this node has no KEK: give it the current one from a peer");
    CT_RETURN_IF_ERROR(ring->StoreKek(kek->first, kek->second));
  } else {
    return stored.status();
  }
  CT_RETURN_IF_ERROR(ring->CatchUp());
  return ring;
}

Status KeyRing::StoreKek(uint64_t epoch, const KeyBytes& kek) {
  std::string v;
  PutBigEndian64(&v, epoch);
  v.append(reinterpret_cast<const char*>(kek.data()), kek.size());
  CT_RETURN_IF_ERROR(local_->Put(kKekKey, v));
  sodium_memzero(v.data(), v.size());
  epoch_ = epoch;
  kek_ = kek;
  return Status::Ok();
}

Status KeyRing::Publish(const std::string& data, uint64_t* seq) {
  // A retry after a lost acknowledgement is answered as a duplicate of the first publish.
  unsigned char id_bytes[16];
  randombytes_buf(id_bytes, sizeof(id_bytes));
  std::string msg_id = "key-";
  for (unsigned char b : id_bytes) msg_id += "0123456789abcdef"[b >> 4], msg_id += "0123456789abcdef"[b & 15];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  for (;;) {
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = msg_id.c_str();
    po.ExpectLastSeq = applied_;  // 0 (no check) only for the stream's first message
    po.MaxWait = 1000;
    jsPubAck* raw = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_Publish(&raw, conn_->nats->js(), subject_.c_str(), data.data(), static_cast<int>(data.size()), &po, &code);
    jetstream::PubAckPtr ack(raw);
    Status st = jetstream::FromNats(s, code, "publish key");
    if (st.ok()) {
      *seq = ack->Sequence;
      return Status::Ok();
    }
    // Retry only while the cluster elects a leader; a fence refusal means another node wrote.
    if (st.code() != StatusCode::kUnavailable || std::chrono::steady_clock::now() > deadline) return st;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Status KeyRing::Put(const std::string& subject, const KeyBytes& key) {
  std::lock_guard lock(mu_);
  auto [nonce, sealed] = Wrap(kek_, epoch_, subject, key);
  std::string msg = "P";
  PutBigEndian64(&msg, epoch_);
  PutEntry(&msg, subject, nonce, sealed);
  uint64_t seq = 0;
  CT_RETURN_IF_ERROR(Publish(msg, &seq));
  return Apply(seq, msg);
}

Status KeyRing::Erase(const std::string& subject) {
  std::lock_guard lock(mu_);
  if (!wrapped_.count(subject)) return NotFound("no key for this subject");
  const KeyBytes next = NextKek(kek_);
  std::string msg = "R";
  PutBigEndian64(&msg, epoch_ + 1);
  PutU32(&msg, static_cast<uint32_t>(wrapped_.size() - 1));
  for (const auto& [s, w] : wrapped_) {
    if (s == subject) continue;
    auto key = Unwrap(kek_, epoch_, s, w.nonce, w.sealed);
    if (!key) return DataLoss("a stored person key does not open under the current KEK");
    auto [nonce, sealed] = Wrap(next, epoch_ + 1, s, *key);
    sodium_memzero(key->data(), key->size());
    PutEntry(&msg, s, nonce, sealed);
  }
  uint64_t seq = 0;
  CT_RETURN_IF_ERROR(Publish(msg, &seq));
  return Apply(seq, msg);
}

// Caller holds mu_.
Status KeyRing::Apply(uint64_t seq, const std::string& data) {
  if (seq <= applied_) return Status::Ok();
  std::string_view in(data);
  if (in.size() < 9) return DataLoss("malformed key message");
  const char kind = in[0];
  const uint64_t epoch = GetBigEndian64(in.substr(1));
  in.remove_prefix(9);
  if (kind == 'P') {
    Wrapped w;
    std::string subject;
    if (!GetEntry(&in, &subject, &w.nonce, &w.sealed)) return DataLoss("malformed key message");
    if (epoch == epoch_) wrapped_[subject] = std::move(w);
    // A put under an older epoch was re-wrapped by the rotation that followed it, or erased.
  } else if (kind == 'R') {
    if (epoch < epoch_) {
      applied_ = seq;
      return Status::Ok();  // this node already holds a later KEK (it came from a peer)
    }
    if (epoch > epoch_ + 1) return DataLoss("a key rotation skipped an epoch");
    uint32_t n;
    if (!GetU32(&in, &n)) return DataLoss("malformed key rotation");
    std::map<std::string, Wrapped> next;
    for (uint32_t i = 0; i < n; ++i) {
      Wrapped w;
      std::string subject;
      if (!GetEntry(&in, &subject, &w.nonce, &w.sealed)) return DataLoss("malformed key rotation");
      next[subject] = std::move(w);
    }
    // The new KEK is stored before the old one is destroyed: a crash between leaves a node that
    // still derives the same next KEK.
    // At the node's own epoch (its KEK came from a peer) the rotation only brings the keys.
    if (epoch == epoch_ + 1) {
      KeyBytes old = kek_;
      CT_RETURN_IF_ERROR(StoreKek(epoch, NextKek(old)));
      sodium_memzero(old.data(), old.size());
      CT_RETURN_IF_ERROR(local_->Shred({}));  // purge the overwritten KEK from the store's files
    }
    wrapped_ = std::move(next);
  } else {
    return DataLoss("unknown key message");
  }
  applied_ = seq;
  return Status::Ok();
}

Status KeyRing::CatchUp() {
  std::lock_guard lock(mu_);
  CT_ASSIGN_OR_RETURN(uint64_t last, jetstream::LastSequence(conn_->nats->js(), options_.stream));
  for (uint64_t seq = applied_ + 1; seq <= last; ++seq) {
    natsMsg* raw = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_GetMsg(&raw, conn_->nats->js(), options_.stream.c_str(), seq, nullptr, &code);
    CT_RETURN_IF_ERROR(jetstream::FromNats(s, code, "read key stream"));
    jetstream::MsgPtr msg(raw);
    CT_RETURN_IF_ERROR(Apply(seq, std::string(natsMsg_GetData(raw), natsMsg_GetDataLength(raw))));
  }
  return Status::Ok();
}

Result<KeyBytes> KeyRing::Get(const std::string& subject) {
  std::lock_guard lock(mu_);
  auto it = wrapped_.find(subject);
  if (it == wrapped_.end()) return NotFound("no key for this subject");
  auto key = Unwrap(kek_, epoch_, subject, it->second.nonce, it->second.sealed);
  if (!key) return DataLoss("a person key does not open under the current KEK");
  return *key;
}

uint64_t KeyRing::epoch() {
  std::lock_guard lock(mu_);
  return epoch_;
}

std::pair<uint64_t, KeyBytes> KeyRing::ExportKek() {
  std::lock_guard lock(mu_);
  return {epoch_, kek_};
}

}  // namespace casetrail::storage
