// Thin RAII over the nats.c client (libnats 3.4): one connection with its JetStream context, and
// the translation of its errors into Status (no message contents ever reach them).
#pragma once

#include <nats/nats.h>

#include <memory>
#include <string>

#include "storage/base/result.h"
#include "storage/jetstream/jetstream_log.h"

namespace casetrail::storage::jetstream {

struct MsgDeleter { void operator()(natsMsg* m) const { natsMsg_Destroy(m); } };
using MsgPtr = std::unique_ptr<natsMsg, MsgDeleter>;
struct PubAckDeleter { void operator()(jsPubAck* a) const { jsPubAck_Destroy(a); } };
using PubAckPtr = std::unique_ptr<jsPubAck, PubAckDeleter>;
struct StreamInfoDeleter { void operator()(jsStreamInfo* i) const { jsStreamInfo_Destroy(i); } };
using StreamInfoPtr = std::unique_ptr<jsStreamInfo, StreamInfoDeleter>;
struct SubDeleter { void operator()(natsSubscription* s) const { natsSubscription_Destroy(s); } };
using SubPtr = std::unique_ptr<natsSubscription, SubDeleter>;

class NatsConnection {
 public:
  static Result<std::unique_ptr<NatsConnection>> Connect(const NatsConnectOptions& options);
  ~NatsConnection();
  jsCtx* js() { return js_; }
  natsConnection* nc() { return nc_; }

 private:
  NatsConnection() = default;
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
};

// kUnavailable for everything the cluster can recover from (timeouts, no leader, no responders,
// a lost connection); other codes for refusals that will not go away by retrying.
Status FromNats(natsStatus s, jsErrCode code, const std::string& what);

// Creates the stream if missing (retrying while the cluster elects its meta leader).
Status EnsureStream(jsCtx* js, const std::string& name, const std::string& subject, int replicas,
                    std::chrono::milliseconds timeout);

// The stream's last sequence (0 when empty).
Result<uint64_t> LastSequence(jsCtx* js, const std::string& stream);

}  // namespace casetrail::storage::jetstream
