// The writer lease: one key in a replicated KV bucket ("<stream>_LEASE"). The holder renews it
// every lease_ttl/4; a contender that sees the same revision for a whole lease_ttl (on its own
// monotonic clock, so no clocks need to agree) takes it. Every write to the key is fenced with the
// bucket stream's expected last sequence (stream-wide: the per-subject check is not safe on
// nats-server 2.9.10 R3), so of two contenders one wins. The holder trusts its lease only until
// 3/4 of a ttl after it sent the renewal that was acknowledged, which is before any contender can
// have waited a full ttl from seeing that renewal. The lease gives liveness; safety comes from the
// log's own fencing (jetstream_log.cc), which holds even when two nodes believe they hold it.
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <mutex>
#include <string>

#include "storage/base/status.h"

namespace casetrail::storage::jetstream {

class Lease {
 public:
  Lease(jsCtx* js, kvStore* kv, std::string bucket, std::string node_id, std::string advertise,
        std::chrono::milliseconds ttl, bool candidate);

  // One round: renews a held lease, or watches the holder and takes the lease once it lapsed.
  void Tick();
  // Gives the lease up so another node can take it at once (on close).
  void Release();
  // Forgets the lease without writing (another node wrote the log: it holds the lease).
  void Abandon();

  bool Held();
  std::string HolderAddress();  // the holder's advertised address, "" if none is known
  std::string HolderId();       // the holder's node id, "" if none is known or it released
  bool OtherHolderKnown();      // another node held the lease when last seen
  std::string last_error();

 private:
  Status Write(bool held, uint64_t expected_rev, uint64_t* new_rev);

  jsCtx* js_;
  kvStore* kv_;
  const std::string bucket_, subject_, node_id_, advertise_;
  const std::chrono::milliseconds ttl_;
  const bool candidate_;

  std::mutex mu_;
  bool holder_ = false;
  uint64_t rev_ = 0;  // revision of our last write while holder
  std::chrono::steady_clock::time_point valid_until_{};
  uint64_t observed_rev_ = 0;
  std::chrono::steady_clock::time_point observed_at_{};
  std::string holder_id_, holder_address_;
  bool holder_released_ = true;
  std::string last_error_;
};

}  // namespace casetrail::storage::jetstream
