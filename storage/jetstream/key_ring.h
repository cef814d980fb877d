// KeyRing: per-person keys shared between casetrail nodes through JetStream, and still erasable,
// although nothing written to JetStream can be relied on to disappear (docs/gdpr.md §JetStream).
//
// Person keys reach JetStream only wrapped (XChaCha20-Poly1305) under a key-encryption key, the
// KEK, which never leaves the nodes' local key stores (storage/key_store.h). Erasing a person
// re-wraps every other person's key under KEK(n+1) = BLAKE2b(key = KEK(n), "casetrail-kek-next")
// in one message, and every node, as it applies that message, stores KEK(n+1) and destroys KEK(n)
// with the key store's Shred, which purges it from its files. The erased key then exists only
// wrapped under KEKs that no longer exist anywhere; KEK(n+1) cannot be turned back into KEK(n).
// A node that was down derives the new KEK from its old one when it catches up; a new node gets
// the current KEK from a peer over an authenticated channel (ExportKek/ImportKek), never through
// JetStream.
//
// Stream "<name>" (R3, file storage), subject "<name>.keys"; messages:
//   'P' ‖ u64be epoch ‖ u32be len ‖ subject ‖ 24-byte nonce ‖ sealed key          (one key put)
//   'R' ‖ u64be epoch ‖ u32be n ‖ n × (u32be len ‖ subject ‖ nonce ‖ sealed key)  (rotation)
// The subject id (never personal data) and the epoch are the AEAD's additional data. One node
// writes (the log's writer); every publish is fenced with the stream-wide expected last sequence.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "storage/jetstream/jetstream_log.h"
#include "storage/key_file.h"
#include "storage/key_store.h"

namespace casetrail::storage {

struct KeyRingOptions {
  NatsConnectOptions nats;
  std::string stream = "CASETRAIL_KEYS";
  int replicas = 3;
  std::string local_path;  // this node's local key store, holding only the current KEK
};

class KeyRing {
 public:
  // Opens the local store. A node whose store holds no KEK needs `kek`: the first node's fresh
  // random one, or the current one received from a peer (epoch and bytes, see ExportKek).
  static Result<std::unique_ptr<KeyRing>> Open(const KeyRingOptions& options,
                                               std::optional<std::pair<uint64_t, KeyBytes>> kek = std::nullopt);
  ~KeyRing();

  // Writer: wraps `key` under the current KEK and publishes it.
  Status Put(const std::string& subject, const KeyBytes& key);
  // Writer: erases `subject`: publishes the rotation and destroys the old KEK locally.
  Status Erase(const std::string& subject);
  // Applies everything the stream holds that this node has not applied.
  Status CatchUp();
  // The person key, unwrapped (kNotFound for an unknown or erased subject).
  Result<KeyBytes> Get(const std::string& subject);
  uint64_t epoch();
  // For a new node, over an authenticated channel only.
  std::pair<uint64_t, KeyBytes> ExportKek();

 private:
  struct Wrapped {
    std::string nonce, sealed;
  };
  KeyRing(const KeyRingOptions& options);
  Status Publish(const std::string& data, uint64_t* seq);
  Status Apply(uint64_t seq, const std::string& data);
  Status StoreKek(uint64_t epoch, const KeyBytes& kek);

  KeyRingOptions options_;
  std::string subject_;
  struct Conn;
  std::unique_ptr<Conn> conn_;
  std::unique_ptr<KeyStore> local_;
  std::mutex mu_;
  uint64_t applied_ = 0;             // last stream sequence applied
  uint64_t epoch_ = 0;
  KeyBytes kek_{};                   // in memory, as the local store holds it
  std::map<std::string, Wrapped> wrapped_;  // subject -> key wrapped under kek_
};

}  // namespace casetrail::storage
