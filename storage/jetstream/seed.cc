// SeedJetStream (storage/jetstream/jetstream_log.h): restore into an empty stream.
#include "storage/internal/codec.h"
#include "storage/jetstream/group_message.h"
#include "storage/jetstream/jetstream_log.h"
#include "storage/jetstream/nats_util.h"

namespace casetrail::storage {

Status SeedJetStream(const JetStreamLogOptions& options, Log& source, const ProgressFn& progress) {
  using namespace jetstream;
  CT_ASSIGN_OR_RETURN(auto conn, NatsConnection::Connect(options.nats));
  const std::string subject = options.stream + ".groups";
  CT_RETURN_IF_ERROR(EnsureStream(conn->js(), options.stream, subject, options.replicas, std::chrono::seconds(20)));
  CT_ASSIGN_OR_RETURN(uint64_t last, LastSequence(conn->js(), options.stream));
  if (last != 0) return FailedPrecondition("the stream is not empty: restore only into a new stream");
  const uint64_t total = source.GetHead().position.value();
  // Every publish is fenced, so a writer that starts meanwhile makes the seeding fail, not fork.
  auto publish = [&](const std::string& data, uint64_t expected) -> Status {
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.ExpectLastSeq = expected;
    po.MaxWait = 10000;
    jsPubAck* raw = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_Publish(&raw, conn->js(), subject.c_str(), data.data(), static_cast<int>(data.size()), &po, &code);
    PubAckPtr ack(raw);
    return FromNats(s, code, "seed the stream");
  };
  CT_RETURN_IF_ERROR(publish(std::string(kGenesis), 0));
  uint64_t seq = 1;
  Head head;
  for (uint64_t from = 1; from <= total;) {
    CT_ASSIGN_OR_RETURN(auto events, source.ReadAll(Position(from), options.max_group_size));
    if (events.empty()) break;
    internal::GroupPlan plan;
    for (const auto& e : events) {
      std::string bytes = internal::EncodeRecord(e.stream, e.version, e.type, e.data);
      plan.records.push_back({e.position, e.stream, e.version, internal::MakeStoredValue(e.prev_hash, e.hash, bytes)});
    }
    std::string data = EncodeGroup(plan);
    // The same check every node makes when it applies the message: the chain continues.
    CT_ASSIGN_OR_RETURN(auto checked, DecodeGroup(data, head));
    head = checked.head;
    CT_RETURN_IF_ERROR(publish(data, seq));
    ++seq;
    from = events.back().position.value() + 1;
    if (progress) progress(events.back().position.value(), total);
  }
  return Status::Ok();
}

}  // namespace casetrail::storage
