#include "storage/jetstream/key_ring.h"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "storage/base/hex.h"
#include "storage/internal/codec.h"
#include "storage/jetstream/nats_util.h"

namespace casetrail::storage {
namespace {

using internal::GetBigEndian64;
using internal::PutBigEndian64;
constexpr const char* kKekKey = "kek";
constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr char kExportPrefix[] = "casetrail-kek-v1:";

using Entries = std::vector<std::pair<std::string, std::string>>;

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
void PutBytes(std::string* out, const std::string& s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  *out += s;
}
bool GetBytes(std::string_view* in, std::string* s) {
  uint32_t n;
  if (!GetU32(in, &n) || in->size() < n) return false;
  s->assign(in->substr(0, n));
  in->remove_prefix(n);
  return true;
}

std::string EncodeBatch(const Entries& puts, const std::vector<std::string>& deletes) {
  std::string out;
  PutU32(&out, static_cast<uint32_t>(puts.size()));
  for (const auto& [k, v] : puts) PutBytes(&out, k), PutBytes(&out, v);
  PutU32(&out, static_cast<uint32_t>(deletes.size()));
  for (const auto& k : deletes) PutBytes(&out, k);
  return out;
}

bool DecodeBatch(std::string_view in, Entries* puts, std::vector<std::string>* deletes) {
  uint32_t n;
  if (!GetU32(&in, &n)) return false;
  for (uint32_t i = 0; i < n; ++i) {
    std::string k, v;
    if (!GetBytes(&in, &k) || !GetBytes(&in, &v)) return false;
    puts->emplace_back(std::move(k), std::move(v));
  }
  if (!GetU32(&in, &n)) return false;
  for (uint32_t i = 0; i < n; ++i) {
    std::string k;
    if (!GetBytes(&in, &k)) return false;
    deletes->push_back(std::move(k));
  }
  return in.empty();
}

KeyBytes NextKek(const KeyBytes& kek) {
  static constexpr char kContext[] = "casetrail-kek-next";
  KeyBytes next;
  crypto_generichash(next.data(), next.size(), reinterpret_cast<const unsigned char*>(kContext), sizeof(kContext) - 1,
                     kek.data(), kek.size());
  return next;
}

// Names KEK(0) in the ring's first message without revealing it: a second node that created a
// ring at the same moment finds it holds another KEK.
std::string KekCheck(const KeyBytes& kek) {
  static constexpr char kContext[] = "casetrail-kek-check";
  std::string out(32, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                     reinterpret_cast<const unsigned char*>(kContext), sizeof(kContext) - 1, kek.data(), kek.size());
  return out;
}

std::string Header(char kind, uint64_t epoch) {
  std::string h(1, kind);
  PutBigEndian64(&h, epoch);
  return h;
}

// nonce ‖ ciphertext, with `ad` authenticated.
std::string SealWith(const KeyBytes& key, const std::string& ad, const std::string& plain) {
  std::string out(kNonce + plain.size() + kTag, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, kNonce);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + kNonce, &len, reinterpret_cast<const unsigned char*>(plain.data()),
                                             plain.size(), reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
                                             nullptr, nonce, key.data());
  return out;
}

std::optional<std::string> OpenWith(const KeyBytes& key, const std::string& ad, std::string_view sealed) {
  if (sealed.size() < kNonce + kTag) return std::nullopt;
  std::string plain(sealed.size() - kNonce - kTag, '\0');
  unsigned long long len = 0;
  const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data());
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(plain.data()), &len, nullptr,
                                                 nonce + kNonce, sealed.size() - kNonce,
                                                 reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nonce,
                                                 key.data()) != 0) {
    return std::nullopt;
  }
  return plain;
}

Result<std::pair<Kek, uint64_t>> ParseLocalKek(const std::string& stored) {
  if (stored.size() != 48) return DataLoss("the local KEK entry is malformed");
  Kek kek;
  kek.first = GetBigEndian64(stored);
  std::memcpy(kek.second.data(), stored.data() + 8, 32);
  return std::make_pair(kek, GetBigEndian64(std::string_view(stored).substr(40)));
}

}  // namespace

struct KeyRing::Conn {
  std::unique_ptr<jetstream::NatsConnection> nats;
};

KeyRing::KeyRing(const KeyRingOptions& options)
    : options_(options), subject_(options.stream + ".keys"), conn_(std::make_unique<Conn>()) {}

KeyRing::~KeyRing() {
  {
    std::lock_guard lock(follow_mu_);
    stopping_ = true;
  }
  follow_cv_.notify_all();
  if (follower_.joinable()) follower_.join();
  sodium_memzero(kek_.data(), kek_.size());
}

Result<std::unique_ptr<KeyRing>> KeyRing::Open(const KeyRingOptions& options, std::optional<Kek> kek) {
  if (sodium_init() < 0) return Internal("libsodium failed to initialise");
  auto ring = std::unique_ptr<KeyRing>(new KeyRing(options));
  CT_ASSIGN_OR_RETURN(ring->conn_->nats, jetstream::NatsConnection::Connect(options.nats));
  CT_RETURN_IF_ERROR(jetstream::EnsureStream(ring->conn_->nats->js(), options.stream, ring->subject_, options.replicas,
                                             std::chrono::seconds(20)));
  CT_ASSIGN_OR_RETURN(ring->local_, OpenKeyStore(options.local_path));
  auto stored = ring->local_->Get(kKekKey);
  if (stored.ok()) {
    CT_ASSIGN_OR_RETURN(auto local, ParseLocalKek(*stored));
    if (kek && (kek->first != local.first.first || kek->second != local.first.second)) {
      return AlreadyExists("this node already holds a KEK");
    }
    ring->epoch_ = local.first.first;
    ring->kek_ = local.first.second;
    // Everything before the last rotation applied is superseded by it: read from there.
    ring->applied_ = local.second > 0 ? local.second - 1 : 0;
  } else if (stored.status().code() != StatusCode::kNotFound) {
    return stored.status();
  } else if (kek) {
    CT_RETURN_IF_ERROR(ring->StoreKek(kek->first, kek->second, 0));
  } else {
    CT_ASSIGN_OR_RETURN(uint64_t last, jetstream::LastSequence(ring->conn_->nats->js(), options.stream));
    if (last > 0) {
      return FailedPrecondition("this node has no key-encryption key (KEK) and the key ring " + options.stream +
                                " is not empty: on a running node run `casetrail kek export --data DIR …` and give its "
                                "output to `casetrail kek import` here (docs/operations.md §16.4)");
    }
    CT_RETURN_IF_ERROR(ring->CreateRing());
  }
  CT_RETURN_IF_ERROR(ring->CatchUp());
  if (options.follow_interval.count() > 0) ring->follower_ = std::thread([r = ring.get()] { r->Follow(); });
  return ring;
}

// A fresh random KEK(0) and the ring's first message; of two nodes creating it at once, the one
// whose message the stream kept wins and the other gives its KEK up.
Status KeyRing::CreateRing() {
  KeyBytes kek;
  randombytes_buf(kek.data(), kek.size());
  CT_RETURN_IF_ERROR(StoreKek(0, kek, 0));
  sodium_memzero(kek.data(), kek.size());
  const std::string msg = Header('G', 0) + KekCheck(kek_);
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MsgId = "kek-genesis";  // racing creations are one message
  jsPubAck* raw = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_Publish(&raw, conn_->nats->js(), subject_.c_str(), msg.data(), static_cast<int>(msg.size()), &po, &code);
  jetstream::PubAckPtr ack(raw);
  Status st = jetstream::FromNats(s, code, "create key ring");
  if (st.ok()) {
    std::lock_guard lock(write_mu_);
    st = CatchUpLocked();  // applies the first message, which names the KEK that won
  }
  if (!st.ok()) {
    local_->Shred({kKekKey}).IgnoreError();
    return st;
  }
  return Status::Ok();
}

Status KeyRing::StoreKek(uint64_t epoch, const KeyBytes& kek, uint64_t from) {
  std::string v;
  PutBigEndian64(&v, epoch);
  v.append(reinterpret_cast<const char*>(kek.data()), kek.size());
  PutBigEndian64(&v, from);
  Status s = local_->Put(kKekKey, v);
  sodium_memzero(v.data(), v.size());
  CT_RETURN_IF_ERROR(s);
  std::unique_lock lock(state_mu_);
  epoch_ = epoch;
  kek_ = kek;
  return Status::Ok();
}

Status KeyRing::Publish(const std::string& data, uint64_t* seq) {
  // A retry after a lost acknowledgement is answered as a duplicate of the first publish.
  unsigned char id_bytes[16];
  randombytes_buf(id_bytes, sizeof(id_bytes));
  const std::string msg_id = "key-" + ToHex(std::string_view(reinterpret_cast<const char*>(id_bytes), sizeof(id_bytes)));
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

// Caller holds write_mu_. `make` builds the message from the current state; after a fence refusal
// (another node wrote since) the ring catches up and builds it again, once.
Status KeyRing::PublishAndApply(const std::function<std::string()>& make) {
  for (int attempt = 0;; ++attempt) {
    const std::string msg = make();
    uint64_t seq = 0;
    Status st = Publish(msg, &seq);
    if (st.ok()) return Apply(seq, msg);
    if (st.code() != StatusCode::kAborted || attempt > 0) return st;
    CT_RETURN_IF_ERROR(CatchUpLocked());
    if (options_.may_write) CT_RETURN_IF_ERROR(options_.may_write());
  }
}

Status KeyRing::Write(const Entries& puts, const std::vector<std::string>& deletes) {
  if (options_.may_write) CT_RETURN_IF_ERROR(options_.may_write());
  std::lock_guard lock(write_mu_);
  const std::string batch = EncodeBatch(puts, deletes);
  return PublishAndApply([&] {
    const std::string header = Header('W', epoch_);
    return header + SealWith(kek_, header + options_.stream, batch);
  });
}

Status KeyRing::Shred(const std::vector<std::string>& keys) {
  if (options_.may_write) CT_RETURN_IF_ERROR(options_.may_write());
  std::lock_guard lock(write_mu_);
  return PublishAndApply([&] {
    Entries rest;
    for (const auto& [k, v] : entries_) {
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) rest.emplace_back(k, v);
    }
    KeyBytes next = NextKek(kek_);
    const std::string header = Header('R', epoch_ + 1);
    std::string msg = header + SealWith(next, header + options_.stream, EncodeBatch(rest, {}));
    sodium_memzero(next.data(), next.size());
    return msg;
  });
}

// Caller holds write_mu_.
Status KeyRing::Apply(uint64_t seq, const std::string& data) {
  if (seq <= applied_) return Status::Ok();
  if (data.size() < 9) return DataLoss("malformed key-ring message");
  const char kind = data[0];
  const uint64_t epoch = GetBigEndian64(std::string_view(data).substr(1));
  const std::string header = data.substr(0, 9);
  const std::string_view body = std::string_view(data).substr(9);
  if (kind == 'G') {
    if (epoch_ == 0 && body != KekCheck(kek_)) {
      return FailedPrecondition("this node's KEK is not the key ring's: another node created the ring; import its KEK");
    }
  } else if (kind == 'W') {
    // A write under an older epoch was superseded by the rotation that followed it.
    if (epoch > epoch_) return DataLoss("a key-ring write is ahead of this node's KEK");
    if (epoch == epoch_) {
      auto plain = OpenWith(kek_, header + options_.stream, body);
      Entries puts;
      std::vector<std::string> deletes;
      if (!plain) return DataLoss("a key-ring write does not open under this node's KEK");
      if (!DecodeBatch(*plain, &puts, &deletes)) return DataLoss("malformed key-ring write");
      sodium_memzero(plain->data(), plain->size());
      std::unique_lock lock(state_mu_);
      for (const auto& k : deletes) entries_.erase(k);
      for (auto& [k, v] : puts) entries_[k] = std::move(v);
    }
  } else if (kind == 'R') {
    if (epoch > epoch_ + 1) return DataLoss("a key rotation skipped an epoch");
    if (epoch >= epoch_) {
      // At the node's own epoch (its KEK came from a peer) the rotation only brings the entries.
      KeyBytes kek = epoch == epoch_ ? kek_ : NextKek(kek_);
      auto plain = OpenWith(kek, header + options_.stream, body);
      Entries all;
      std::vector<std::string> none;
      if (!plain) return DataLoss("a key rotation does not open under this node's KEK");
      if (!DecodeBatch(*plain, &all, &none)) return DataLoss("malformed key rotation");
      sodium_memzero(plain->data(), plain->size());
      // The new KEK is stored before the old one is destroyed: a crash between leaves a node that
      // still derives the same next KEK. The purge removes the overwritten KEK from the files.
      const bool rotated = epoch > epoch_;
      Status stored = StoreKek(epoch, kek, seq);
      sodium_memzero(kek.data(), kek.size());
      CT_RETURN_IF_ERROR(stored);
      if (rotated) CT_RETURN_IF_ERROR(local_->Shred({}));
      std::unique_lock lock(state_mu_);
      entries_.clear();
      for (auto& [k, v] : all) entries_[k] = std::move(v);
    }
  } else {
    return DataLoss("unknown key-ring message");
  }
  applied_ = seq;
  return Status::Ok();
}

Status KeyRing::CatchUp() {
  std::lock_guard lock(write_mu_);
  return CatchUpLocked();
}

Status KeyRing::CatchUpLocked() {
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

void KeyRing::Follow() {
  std::unique_lock lock(follow_mu_);
  while (!follow_cv_.wait_for(lock, options_.follow_interval, [this] { return stopping_; })) {
    lock.unlock();
    CatchUp().IgnoreError();  // the next round, or a Get, tries again
    lock.lock();
  }
}

Result<std::vector<std::pair<std::string, std::string>>> KeyRing::List(const std::string& prefix) {
  std::shared_lock lock(state_mu_);
  Entries out;
  for (auto it = entries_.lower_bound(prefix); it != entries_.end() && it->first.starts_with(prefix); ++it) {
    out.emplace_back(it->first, it->second);
  }
  return out;
}

Result<std::string> KeyRing::Get(const std::string& key) {
  {
    std::shared_lock lock(state_mu_);
    if (auto it = entries_.find(key); it != entries_.end()) return it->second;
  }
  // Written by another node since the last round of the follower? Ask the stream before saying no.
  CT_RETURN_IF_ERROR(CatchUp());
  std::shared_lock lock(state_mu_);
  if (auto it = entries_.find(key); it != entries_.end()) return it->second;
  return NotFound("no such key-store entry");
}

Status KeyRing::Backup(const std::string& dir) {
  if (std::filesystem::exists(dir)) return AlreadyExists("backup directory already exists");
  Entries all;
  {
    std::shared_lock lock(state_mu_);
    all.assign(entries_.begin(), entries_.end());
  }
  CT_ASSIGN_OR_RETURN(auto image, OpenKeyStore(dir));
  return image->PutAll(all);
}

uint64_t KeyRing::epoch() {
  std::shared_lock lock(state_mu_);
  return epoch_;
}

Kek KeyRing::ExportKek() {
  std::shared_lock lock(state_mu_);
  return {epoch_, kek_};
}

Result<Kek> ReadLocalKek(const std::string& local_path) {
  CT_ASSIGN_OR_RETURN(std::string stored, ReadKeyStoreEntry(local_path, kKekKey));
  CT_ASSIGN_OR_RETURN(auto local, ParseLocalKek(stored));
  sodium_memzero(stored.data(), stored.size());
  return local.first;
}

std::string SealKekExport(const KeyBytes& master, const std::string& stream, const Kek& kek) {
  KeyBytes key = DeriveSubkey(master, 1, "kekxport");
  std::string plain;
  PutBigEndian64(&plain, kek.first);
  plain.append(reinterpret_cast<const char*>(kek.second.data()), kek.second.size());
  const std::string sealed = SealWith(key, kExportPrefix + stream, plain);
  sodium_memzero(plain.data(), plain.size());
  sodium_memzero(key.data(), key.size());
  return kExportPrefix + ToHex(sealed);
}

Result<Kek> OpenKekExport(const KeyBytes& master, const std::string& stream, const std::string& text) {
  std::string t = text;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
  if (t.rfind(kExportPrefix, 0) != 0) return InvalidArgument("not an exported KEK (casetrail kek export)");
  auto sealed = FromHex(std::string_view(t).substr(sizeof(kExportPrefix) - 1));
  if (!sealed) return InvalidArgument("the exported KEK is malformed");
  KeyBytes key = DeriveSubkey(master, 1, "kekxport");
  auto plain = OpenWith(key, kExportPrefix + stream, *sealed);
  sodium_memzero(key.data(), key.size());
  if (!plain || plain->size() != 40) {
    return PermissionDenied("the exported KEK does not open: another master key, or another key ring");
  }
  Kek kek;
  kek.first = GetBigEndian64(*plain);
  std::memcpy(kek.second.data(), plain->data() + 8, 32);
  sodium_memzero(plain->data(), plain->size());
  return kek;
}

}  // namespace casetrail::storage
