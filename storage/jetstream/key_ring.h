// KeyRing: the key store (storage/key_store.h: per-subject data keys and the subject index) shared
// between casetrail nodes through JetStream, and still erasable, although nothing written to
// JetStream can be relied on to disappear (docs/gdpr.md §9, docs/operations.md §16.4).
//
// Entries (names and values) reach JetStream only sealed (XChaCha20-Poly1305) under a
// key-encryption key, the KEK, which never leaves the nodes' local stores (DATA/kek, a RocksDB
// key store holding nothing else). Shred publishes the remaining entries re-sealed under
// KEK(n+1) = BLAKE2b(key = KEK(n), "casetrail-kek-next") in one message, and every node, as it
// applies that message, stores KEK(n+1) and destroys KEK(n) with the local store's Shred, which
// purges it from its files. A shredded entry then exists only sealed under KEKs that no longer
// exist anywhere; KEK(n+1) cannot be turned back into KEK(n). A node that was down derives the
// new KEK from its old one when it catches up; a new node gets the current KEK from a peer over an
// authenticated channel (SealKekExport / OpenKekExport: `casetrail kek export | kek import`),
// never through JetStream.
//
// Stream "<name>" (R3, file storage), subject "<name>.keys"; messages:
//   'G' ‖ u64be 0     ‖ BLAKE2b(key = KEK(0), "casetrail-kek-check")   (the ring's creation)
//   'W' ‖ u64be epoch ‖ 24-byte nonce ‖ sealed batch   (puts and deletes, as KeyStore::Write)
//   'R' ‖ u64be epoch ‖ 24-byte nonce ‖ sealed batch   (rotation: every entry, under KEK(epoch))
// batch = u32be n ‖ n × (u32be len ‖ name ‖ u32be len ‖ value) ‖ u32be m ‖ m × (u32be len ‖ name);
// the additional data is kind ‖ epoch ‖ stream name. Every node holds the entries in memory,
// rebuilt from the stream at start (from its last rotation on).
//
// Writing: only the log's writer writes (options.may_write); every publish is fenced with the
// stream-wide expected last sequence, and a refused publish catches up and is tried once more.
// Reading: a follower thread catches up every follow_interval (so a rotation reaches every running
// node, and its old KEK is destroyed, within about that), and Get catches up before it answers
// kNotFound.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>

#include "storage/jetstream/jetstream_log.h"
#include "storage/key_file.h"
#include "storage/key_store.h"

namespace casetrail::storage {

struct KeyRingOptions {
  NatsConnectOptions nats;
  std::string stream = "CASETRAIL_KEYS";
  int replicas = 3;
  std::string local_path;  // this node's local store, holding only the current KEK
  // Ok when this node may write now (it is the log's writer), else the status writes answer.
  // Empty: every write is allowed (tests of the ring alone).
  std::function<Status()> may_write;
  // How often the follower thread catches up; zero: no follower (CatchUp by hand).
  std::chrono::milliseconds follow_interval{250};
};

using Kek = std::pair<uint64_t, KeyBytes>;  // epoch, key

class KeyRing final : public KeyStore {
 public:
  // Opens the local store and catches up. A node whose local store holds no KEK needs `kek` (the
  // current one, received from a peer), except on an empty stream, where it creates the ring with
  // a fresh random KEK. A stream with messages and no KEK is kFailedPrecondition.
  static Result<std::unique_ptr<KeyRing>> Open(const KeyRingOptions& options, std::optional<Kek> kek = std::nullopt);
  ~KeyRing() override;

  // KeyStore. Writes and Shred publish (writer only) and are applied locally before they return.
  Status Put(const std::string& key, const std::string& value) override { return Write({{key, value}}, {}); }
  Status Write(const std::vector<std::pair<std::string, std::string>>& puts,
               const std::vector<std::string>& deletes) override;
  Status Delete(const std::string& key) override { return Write({}, {key}); }
  Result<std::vector<std::pair<std::string, std::string>>> List(const std::string& prefix) override;
  Result<std::string> Get(const std::string& key) override;
  // Rotates the KEK (even when no key is present: entries deleted earlier under the current KEK
  // become unreadable too).
  Status Shred(const std::vector<std::string>& keys) override;
  // A RocksDB key store image of the entries (as a RocksDB node's DATA/keys would be).
  Status Backup(const std::string& dir) override;

  // Applies everything the stream holds that this node has not applied.
  Status CatchUp();
  uint64_t epoch();
  // For a new node, over an authenticated channel only.
  Kek ExportKek();

 private:
  explicit KeyRing(const KeyRingOptions& options);
  Status CreateRing();
  Status Publish(const std::string& data, uint64_t* seq);
  Status PublishAndApply(const std::function<std::string()>& make);
  Status CatchUpLocked();
  Status Apply(uint64_t seq, const std::string& data);
  Status StoreKek(uint64_t epoch, const KeyBytes& kek, uint64_t from);
  void Follow();

  KeyRingOptions options_;
  std::string subject_;
  struct Conn;
  std::unique_ptr<Conn> conn_;
  std::unique_ptr<KeyStore> local_;

  std::mutex write_mu_;      // serialises publishing, applying and catching up
  uint64_t applied_ = 0;     // last stream sequence applied (write_mu_)
  std::shared_mutex state_mu_;  // the fields below: written under both mutexes, read under either
  uint64_t epoch_ = 0;
  KeyBytes kek_{};           // in memory, as the local store holds it
  std::map<std::string, std::string> entries_;

  std::mutex follow_mu_;
  std::condition_variable follow_cv_;
  bool stopping_ = false;
  std::thread follower_;
};

// The KEK in a local store, read without opening it for writing (a running node holds it open).
Result<Kek> ReadLocalKek(const std::string& local_path);

// An exported KEK, as text: sealed under a key derived from the master key, bound to the ring's
// stream name. Only holders of the master key can open it, or make one that opens.
std::string SealKekExport(const KeyBytes& master, const std::string& stream, const Kek& kek);
Result<Kek> OpenKekExport(const KeyBytes& master, const std::string& stream, const std::string& text);

}  // namespace casetrail::storage
