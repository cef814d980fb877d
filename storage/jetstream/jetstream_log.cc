// JetStreamLog: see storage/jetstream/jetstream_log.h. Three threads: the writer (group commit:
// plan against the local index, publish one fenced message, apply it locally), the applier (an
// ordered consumer of the stream that applies every message it has not applied yet) and the lease
// keeper (renews or takes the lease, catches this node up before it starts writing).
// The index is written without fsync: the stream is the durable copy. A crash of the node may lose
// the index's last batches, never part of one (the applied sequence is in the same batch), and the
// applier fetches them again.
#include "storage/jetstream/jetstream_log.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <random>
#include <sstream>
#include <thread>

#include "storage/base/hex.h"
#include "storage/internal/append_planner.h"
#include "storage/internal/codec.h"
#include "storage/internal/rocksdb_log.h"
#include "storage/jetstream/forwarding.h"
#include "storage/jetstream/group_message.h"
#include "storage/jetstream/lease.h"
#include "storage/jetstream/nats_util.h"

namespace casetrail::storage {

std::vector<std::string> ParseNatsServers(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item.empty()) continue;
    if (item.find("://") == std::string::npos) item = "nats://" + item;
    out.push_back(item);
  }
  return out;
}

namespace jetstream {
namespace {

constexpr const char* kSeqKey = "jetstream_seq";
constexpr const char* kStreamKey = "jetstream_stream";

std::string U64(uint64_t v) {
  std::string s;
  internal::PutBigEndian64(&s, v);
  return s;
}

std::string RandomHex() {
  std::random_device rd;
  std::ostringstream out;
  out << std::hex << rd() << rd();
  return out.str();
}

class JsLog final : public JetStreamLog {
 public:
  static Result<std::unique_ptr<JetStreamLog>> Open(const JetStreamLogOptions& options);
  ~JsLog() override;

  Result<AppendResult> Append(const AppendRequest& request) override;
  Result<std::vector<RecordedEvent>> ReadStream(const StreamId& stream, StreamVersion from, Direction direction,
                                                size_t max_count) override {
    return index_->ReadStream(stream, from, direction, max_count);
  }
  Result<std::vector<RecordedEvent>> ReadAll(Position from, size_t max_count) override {
    return index_->ReadAll(from, max_count);
  }
  Result<std::optional<AppendResult>> LookupIdempotency(const std::string& key, const std::string& fingerprint) override {
    return index_->LookupIdempotency(key, fingerprint);
  }
  Result<StreamVersion> CurrentVersion(const StreamId& stream) override { return index_->CurrentVersion(stream); }
  Head GetHead() override { return index_->GetHead(); }
  std::unique_ptr<Subscription> Subscribe(Position from, EventHandler handler) override {
    return index_->Subscribe(from, std::move(handler));
  }
  Status PutSnapshot(const StreamId& stream, StreamVersion version, std::string data) override {
    return index_->PutSnapshot(stream, version, std::move(data));
  }
  Result<std::optional<Snapshot>> LatestSnapshot(const StreamId& stream, StreamVersion at_most) override {
    return index_->LatestSnapshot(stream, at_most);
  }
  Status WriteCheckpoint() override { return index_->WriteCheckpoint(); }
  Result<std::optional<Checkpoint>> LatestCheckpoint() override { return index_->LatestCheckpoint(); }
  Result<VerifyReport> Verify(const ProgressFn& progress) override { return index_->Verify(progress); }
  Result<VerifyReport> VerifyRecords(const std::vector<Position>& positions) override {
    return index_->VerifyRecords(positions);
  }
  // The image is a RocksDB log (the local index holds every record): restore opens it as one.
  Status Backup(const std::string& dir) override { return index_->Backup(dir); }
  LogStats Stats() override {
    std::lock_guard lock(stats_mu_);
    return stats_;
  }
  JetStreamStatus GetStatus() override;
  Status CatchUp(std::chrono::milliseconds timeout) override;
  Status AwaitWriter() override;

 private:
  struct Pending {
    const AppendRequest* request;
    std::promise<Result<AppendResult>> done;
  };

  JsLog(const JetStreamLogOptions& options, std::unique_ptr<internal::RocksLog> index,
        std::unique_ptr<NatsConnection> conn, kvStore* kv, uint64_t applied);

  Result<AppendResult> AppendHere(const AppendRequest& request);
  Result<AppendResult> Forward(const AppendRequest& request, const std::string& writer_id);
  static void OnForwarded(natsConnection* nc, natsSubscription* sub, natsMsg* msg, void* closure);
  void WriterLoop();
  void CommitGroup(std::vector<Pending*>& group);
  void ApplierLoop();
  void LeaseLoop();
  Status ApplyMessage(uint64_t seq, std::string_view data);
  Status WaitApplied(uint64_t seq, std::chrono::milliseconds timeout);
  void StepDown(const std::string& why);
  bool IsWriter();
  bool LeaseHeld();
  Status NotWriter();
  void SetError(std::string e);

  const JetStreamLogOptions options_;
  const std::string subject_;
  std::unique_ptr<internal::RocksLog> index_;
  std::unique_ptr<NatsConnection> conn_;
  kvStore* kv_;
  std::unique_ptr<Lease> lease_;
  const std::string incarnation_ = RandomHex();
  uint64_t msg_counter_ = 0;  // writer thread only

  // Guards applied_ and every write to index_ (the writer's own and the applier's).
  std::mutex apply_mu_;
  std::condition_variable applied_cv_;
  uint64_t applied_;
  std::atomic<bool> closing_{false};  // wakes waiters for the applier when closing
  std::atomic<uint64_t> applied_seen_{0};  // applied_, for GetStatus without waiting on a publish

  std::mutex state_mu_;
  std::condition_variable state_cv_;
  bool writer_ = false;     // guarded by state_mu_: holds the lease and is caught up
  bool stopping_ = false;   // guarded by state_mu_
  uint64_t step_downs_ = 0; // guarded by state_mu_
  std::string last_error_;  // guarded by state_mu_

  std::mutex stats_mu_;
  LogStats stats_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Pending*> queue_;
  bool queue_closed_ = false;

  std::thread applier_, lease_thread_, writer_thread_;
  natsSubscription* forwarded_ = nullptr;  // appends other nodes forward to this one
};

Result<std::unique_ptr<JetStreamLog>> JsLog::Open(const JetStreamLogOptions& options) {
  if (options.node_id.empty()) return InvalidArgument("a JetStream log needs a node id");
  CT_ASSIGN_OR_RETURN(auto conn, NatsConnection::Connect(options.nats));
  const std::string subject = options.stream + ".groups";
  CT_RETURN_IF_ERROR(EnsureStream(conn->js(), options.stream, subject, options.replicas, std::chrono::seconds(20)));
  const std::string bucket = options.stream + "_LEASE";
  kvStore* kv = nullptr;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    natsStatus s = js_KeyValue(&kv, conn->js(), bucket.c_str());
    if (s == NATS_NOT_FOUND) {
      kvConfig cfg;
      kvConfig_Init(&cfg);
      cfg.Bucket = bucket.c_str();
      cfg.History = 1;
      cfg.Replicas = options.replicas;
      cfg.StorageType = js_FileStorage;
      s = js_CreateKeyValue(&kv, conn->js(), &cfg);
    }
    if (s == NATS_OK) break;
    if (std::chrono::steady_clock::now() > deadline) return FromNats(s, static_cast<jsErrCode>(0), "lease bucket");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  CT_ASSIGN_OR_RETURN(auto index, internal::RocksLog::Open(options.index));
  uint64_t applied = 0;
  auto seq = index->ReadMeta(kSeqKey);
  auto stream_name = index->ReadMeta(kStreamKey);
  Status checked = !seq.ok() ? seq.status() : !stream_name.ok() ? stream_name.status() : Status::Ok();
  if (checked.ok() && *seq) applied = internal::GetBigEndian64(**seq);
  if (checked.ok() && *stream_name && **stream_name != options.stream) {
    checked = FailedPrecondition("the local index follows another stream");
  }
  if (checked.ok() && !*stream_name && index->GetHead().position.value() != 0) {
    checked = FailedPrecondition("the local index holds records that did not come from a stream");
  }
  if (checked.ok()) {
    auto last = LastSequence(conn->js(), options.stream);
    if (!last.ok()) checked = last.status();
    else if (*last < applied) {
      checked = FailedPrecondition("the local index is ahead of the stream (applied sequence " + std::to_string(applied) +
                                   ", stream at " + std::to_string(*last) + "): delete the index to rebuild it");
    }
  }
  if (!checked.ok()) {
    kvStore_Destroy(kv);
    return checked;
  }
  return std::unique_ptr<JetStreamLog>(new JsLog(options, std::move(index), std::move(conn), kv, applied));
}

JsLog::JsLog(const JetStreamLogOptions& options, std::unique_ptr<internal::RocksLog> index,
             std::unique_ptr<NatsConnection> conn, kvStore* kv, uint64_t applied)
    : options_(options), subject_(options.stream + ".groups"), index_(std::move(index)),
      conn_(std::move(conn)), kv_(kv), applied_(applied), applied_seen_(applied) {
  lease_ = std::make_unique<Lease>(conn_->js(), kv_, options.stream + "_LEASE", options.node_id, options.advertise,
                                   options.lease_ttl, options.writer_candidate);
  applier_ = std::thread([this] { ApplierLoop(); });
  lease_thread_ = std::thread([this] { LeaseLoop(); });
  writer_thread_ = std::thread([this] { WriterLoop(); });
  const std::string forward_subject = options.stream + ".append." + options.node_id;
  if (natsConnection_Subscribe(&forwarded_, conn_->nc(), forward_subject.c_str(), &JsLog::OnForwarded, this) != NATS_OK) {
    forwarded_ = nullptr;
    SetError("cannot answer forwarded appends");
  }
}

JsLog::~JsLog() {
  if (forwarded_) {
    // No forwarded append is still being answered once this returns.
    natsSubscription_Drain(forwarded_);
    natsSubscription_WaitForDrainCompletion(forwarded_, 10000);
    natsSubscription_Destroy(forwarded_);
  }
  {
    std::lock_guard lock(state_mu_);
    stopping_ = true;
  }
  state_cv_.notify_all();
  {
    std::lock_guard lock(apply_mu_);
    closing_ = true;
  }
  applied_cv_.notify_all();
  lease_thread_.join();
  {
    std::lock_guard lock(queue_mu_);
    queue_closed_ = true;
  }
  queue_cv_.notify_all();
  writer_thread_.join();
  lease_->Release();
  applier_.join();
  applied_cv_.notify_all();
  kvStore_Destroy(kv_);
  conn_.reset();
  index_.reset();
}

// ---- state ---------------------------------------------------------------------------------------

void JsLog::SetError(std::string e) {
  std::lock_guard lock(state_mu_);
  last_error_ = std::move(e);
}

bool JsLog::IsWriter() {
  {
    std::lock_guard lock(state_mu_);
    if (!writer_) return false;
  }
  return LeaseHeld();
}

bool JsLog::LeaseHeld() { return options_.TEST_write_without_lease || lease_->Held(); }

Status JsLog::NotWriter() {
  Status s = Unavailable("this node is not the log's writer");
  std::string writer = lease_->HolderAddress();
  if (!writer.empty()) s.With("writer", writer);
  return s;
}

void JsLog::StepDown(const std::string& why) {
  lease_->Abandon();
  std::lock_guard lock(state_mu_);
  if (writer_) step_downs_++;
  writer_ = false;
  last_error_ = why;
}

JetStreamStatus JsLog::GetStatus() {
  JetStreamStatus st;
  st.applied_sequence = applied_seen_.load();
  st.writer = IsWriter();
  st.writer_address = lease_->HolderAddress();
  std::lock_guard lock(state_mu_);
  st.step_downs = step_downs_;
  st.last_error = last_error_.empty() ? lease_->last_error() : last_error_;
  return st;
}

// ---- applying the stream ---------------------------------------------------------------------------

Status JsLog::ApplyMessage(uint64_t seq, std::string_view data) {
  std::lock_guard lock(apply_mu_);
  if (seq <= applied_) return Status::Ok();  // this node wrote it, or a resubscription repeats it
  if (seq != applied_ + 1) {
    return DataLoss("the stream skipped from sequence " + std::to_string(applied_) + " to " + std::to_string(seq));
  }
  internal::GroupPlan plan;
  if (data == kGenesis) {
    plan.head = index_->GetHead();
  } else {
    CT_ASSIGN_OR_RETURN(plan, DecodeGroup(data, index_->GetHead()));
  }
  CT_RETURN_IF_ERROR(index_->ApplyPlan(plan, {{kSeqKey, U64(seq)}, {kStreamKey, options_.stream}}, /*sync=*/false));
  applied_ = seq;
  applied_seen_ = seq;
  applied_cv_.notify_all();
  return Status::Ok();
}

void JsLog::ApplierLoop() {
  auto stopping = [this] {
    std::lock_guard lock(state_mu_);
    return stopping_;
  };
  while (!stopping()) {
    uint64_t from;
    {
      std::lock_guard lock(apply_mu_);
      from = applied_ + 1;
    }
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = options_.stream.c_str();
    so.Ordered = true;
    so.Config.DeliverPolicy = js_DeliverByStartSequence;
    so.Config.OptStartSeq = from;
    natsSubscription* raw = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_SubscribeSync(&raw, conn_->js(), subject_.c_str(), nullptr, &so, &code);
    if (s != NATS_OK) {
      SetError(std::string(FromNats(s, code, "follow stream").message()));
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    SubPtr sub(raw);
    natsSubscription_SetPendingLimits(raw, 1 << 20, 512 << 20);
    while (!stopping()) {
      natsMsg* m = nullptr;
      s = natsSubscription_NextMsg(&m, raw, 200);
      if (s == NATS_TIMEOUT) continue;
      if (s != NATS_OK) {
        SetError(std::string("follow stream: ") + natsStatus_GetText(s));
        break;  // resubscribe from the last applied sequence
      }
      MsgPtr msg(m);
      jsMsgMetaData* meta = nullptr;
      if (natsMsg_GetMetaData(&meta, m) != NATS_OK) continue;  // not a stream message
      const uint64_t seq = meta->Sequence.Stream;
      jsMsgMetaData_Destroy(meta);
      Status st = ApplyMessage(seq, std::string_view(natsMsg_GetData(m), natsMsg_GetDataLength(m)));
      if (!st.ok()) {
        SetError(std::string(st.message()));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        break;
      }
    }
  }
}

Status JsLog::WaitApplied(uint64_t seq, std::chrono::milliseconds timeout) {
  std::unique_lock lock(apply_mu_);
  if (!applied_cv_.wait_for(lock, timeout, [&] { return applied_ >= seq || closing_.load(); })) {
    return Unavailable("the local index did not catch up with the stream in time")
        .With("applied", std::to_string(applied_))
        .With("stream", std::to_string(seq));
  }
  if (applied_ < seq) return Unavailable("log is closed");
  return Status::Ok();
}

Status JsLog::CatchUp(std::chrono::milliseconds timeout) {
  CT_ASSIGN_OR_RETURN(uint64_t last, LastSequence(conn_->js(), options_.stream));
  return WaitApplied(last, timeout);
}

// ---- the lease -------------------------------------------------------------------------------------

void JsLog::LeaseLoop() {
  const auto period = std::max(options_.lease_ttl / 4, std::chrono::milliseconds(10));
  for (;;) {
    {
      std::unique_lock lock(state_mu_);
      if (stopping_) return;
    }
    if (!options_.TEST_write_without_lease) lease_->Tick();
    state_cv_.notify_all();  // Append may wait to learn who writes
    const bool held = LeaseHeld();
    bool writer;
    {
      std::lock_guard lock(state_mu_);
      writer = writer_;
    }
    if (held && !writer) {
      // Catch up with everything written before us, then write: the first publish is fenced with
      // the stream's last sequence, which this node has then applied.
      Status s = Status::Ok();
      auto last = LastSequence(conn_->js(), options_.stream);
      if (last.ok() && *last == 0) {
        // An empty stream: a genesis message, so every group can be fenced with a non-zero sequence.
        // The message id makes racing genesis publishes one message.
        jsPubOptions po;
        jsPubOptions_Init(&po);
        po.MsgId = "genesis";
        jsPubAck* ack = nullptr;
        jsErrCode code = static_cast<jsErrCode>(0);
        natsStatus ps = js_Publish(&ack, conn_->js(), subject_.c_str(), kGenesis.data(), kGenesis.size(), &po, &code);
        PubAckPtr guard(ack);
        s = FromNats(ps, code, "publish genesis");
        if (s.ok()) last = ack->Sequence;
      }
      if (!last.ok()) s = last.status();
      if (s.ok()) s = WaitApplied(*last, options_.lease_ttl);
      if (s.ok() && LeaseHeld()) {
        std::lock_guard lock(state_mu_);
        writer_ = true;
        last_error_.clear();
        state_cv_.notify_all();
      } else if (!s.ok()) {
        SetError(std::string(s.message()));
      }
    } else if (!held && writer) {
      std::lock_guard lock(state_mu_);
      writer_ = false;  // the lease lapsed or was lost: stop writing until it is held again
      step_downs_++;
      last_error_ = "the writer lease lapsed";
    }
    std::unique_lock lock(state_mu_);
    state_cv_.wait_for(lock, period, [this] { return stopping_; });
  }
}

// ---- writing ---------------------------------------------------------------------------------------

Status JsLog::AwaitWriter() {
  if (IsWriter()) return Status::Ok();
  // A candidate that knows of no other writer is probably about to become one.
  if (!options_.writer_candidate || lease_->OtherHolderKnown()) return NotWriter();
  const auto deadline = std::chrono::steady_clock::now() + options_.writer_wait;
  while (!IsWriter() && !lease_->OtherHolderKnown()) {
    std::unique_lock lock(state_mu_);
    if (stopping_) return Unavailable("log is closed");
    if (state_cv_.wait_until(lock, deadline) == std::cv_status::timeout) break;
  }
  return IsWriter() ? Status::Ok() : NotWriter();
}

Result<AppendResult> JsLog::Append(const AppendRequest& request) {
  CT_RETURN_IF_ERROR(internal::ValidateRequest(request));
  if (Status writer = AwaitWriter(); !writer.ok()) {
    const std::string holder = lease_->HolderId();
    if (!options_.forward_appends || holder.empty() || holder == options_.node_id) return writer;
    return Forward(request, holder);
  }
  return AppendHere(request);
}

// ---- forwarded appends -----------------------------------------------------------------------------

Result<AppendResult> JsLog::Forward(const AppendRequest& request, const std::string& writer_id) {
  const std::string data = EncodeAppendRequest(request);
  const std::string subject = options_.stream + ".append." + writer_id;
  natsMsg* raw = nullptr;
  natsStatus s = natsConnection_Request(&raw, conn_->nc(), subject.c_str(), data.data(), static_cast<int>(data.size()),
                                        static_cast<int64_t>(options_.forward_timeout.count()));
  MsgPtr reply(raw);
  // No answer (the writer hangs, or just went): the outcome is unknown, as for a lost acknowledgement.
  if (s != NATS_OK) return NotWriter().With("forward", natsStatus_GetText(s));
  CT_ASSIGN_OR_RETURN(AppendResult result,
                      DecodeAppendAnswer(std::string_view(natsMsg_GetData(raw), natsMsg_GetDataLength(raw))));
  // Read your writes: wait until this node's index holds what the writer appended.
  std::unique_lock lock(apply_mu_);
  applied_cv_.wait_for(lock, options_.forward_timeout, [&] {
    return closing_.load() || index_->GetHead().position.value() >= result.last_position.value();
  });
  return result;
}

void JsLog::OnForwarded(natsConnection* nc, natsSubscription*, natsMsg* msg, void* closure) {
  auto* self = static_cast<JsLog*>(closure);
  MsgPtr guard(msg);
  const char* reply = natsMsg_GetReply(msg);
  if (!reply) return;
  auto request = DecodeAppendRequest(std::string_view(natsMsg_GetData(msg), natsMsg_GetDataLength(msg)));
  // Never forwarded again: only the writer appends a forwarded request.
  Result<AppendResult> answer = !request.ok() ? Result<AppendResult>(request.status())
                                : !self->IsWriter()  ? Result<AppendResult>(self->NotWriter())
                                                     : self->AppendHere(*request);
  const std::string data = EncodeAppendAnswer(answer);
  natsConnection_Publish(nc, reply, data.data(), static_cast<int>(data.size()));
}

Result<AppendResult> JsLog::AppendHere(const AppendRequest& request) {
  if (Status valid = internal::ValidateRequest(request); !valid.ok()) return valid;
  Pending pending{&request, {}};
  auto future = pending.done.get_future();
  {
    std::lock_guard lock(queue_mu_);
    if (queue_closed_) return Unavailable("log is closed");
    queue_.push_back(&pending);
  }
  queue_cv_.notify_one();
  const auto start = std::chrono::steady_clock::now();
  Result<AppendResult> result = future.get();
  if (result.ok()) {
    std::lock_guard lock(stats_mu_);
    stats_.ObserveAppend(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return result;
}

void JsLog::WriterLoop() {
  std::vector<Pending*> group;
  for (;;) {
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [this] { return queue_closed_ || !queue_.empty(); });
      if (queue_.empty()) return;
      while (!queue_.empty() && group.size() < options_.max_group_size) {
        group.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    CommitGroup(group);
    group.clear();
  }
}

void JsLog::CommitGroup(std::vector<Pending*>& group) {
  auto fail_all = [&](const Status& s) {
    for (auto* p : group) p->done.set_value(s);
  };
  std::unique_lock lock(apply_mu_);
  if (!IsWriter()) return fail_all(NotWriter());
  internal::AppendPlanner planner(index_->committed_state(), index_->GetHead());
  std::vector<Result<AppendResult>> results;
  results.reserve(group.size());
  for (auto* p : group) results.push_back(planner.Plan(*p->request));
  const internal::GroupPlan& plan = planner.plan();
  auto answer = [&] {
    for (size_t i = 0; i < group.size(); ++i) group[i]->done.set_value(std::move(results[i]));
  };
  if (plan.records.empty()) return answer();

  const std::string data = EncodeGroup(plan);
  const std::string msg_id = options_.node_id + "-" + incarnation_ + "-" + std::to_string(++msg_counter_);
  const uint64_t expected = applied_;
  const auto deadline = std::chrono::steady_clock::now() + options_.publish_timeout;
  for (;;) {
    if (!LeaseHeld()) {
      StepDown("the writer lease lapsed");
      return fail_all(NotWriter());
    }
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = msg_id.c_str();      // a retry after a lost acknowledgement is answered as a duplicate
    po.ExpectLastSeq = expected;    // stream-wide fencing: fails if anyone else wrote since
    // Short: a publish to a leader that just died gets no answer, and the retry finds the new one.
    po.MaxWait = 1000;
    jsPubAck* raw = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_Publish(&raw, conn_->js(), subject_.c_str(), data.data(), static_cast<int>(data.size()), &po, &code);
    PubAckPtr ack(raw);
    Status st = FromNats(s, code, "publish group");
    if (st.ok() && ack->Sequence != expected + 1) {
      st = Aborted("the stream stored the group at an unexpected sequence");
    }
    if (st.ok()) {
      Status applied = index_->ApplyPlan(plan, {{kSeqKey, U64(ack->Sequence)}, {kStreamKey, options_.stream}}, /*sync=*/false);
      if (!applied.ok()) {
        // Committed in the stream but not in the index: the applier will retry from the stream.
        StepDown("cannot apply to the local index: " + std::string(applied.message()));
        return fail_all(Unavailable("the local index cannot write"));
      }
      applied_ = ack->Sequence;
      applied_seen_ = applied_;
      applied_cv_.notify_all();
      lock.unlock();
      {
        std::lock_guard slock(stats_mu_);
        stats_.synced_writes++;
        stats_.ObserveGroup(group.size());
        stats_.events += plan.records.size();
        for (auto& r : results) stats_.appends += r.ok() && !r->deduplicated;
      }
      return answer();
    }
    if (st.code() == StatusCode::kAborted) {
      // Another node wrote since this node caught up: it is the writer now.
      StepDown("another node wrote the stream");
      return fail_all(NotWriter());
    }
    if (std::chrono::steady_clock::now() > deadline) {
      // The outcome is unknown: catch up from the stream before writing again.
      {
        std::lock_guard slock(state_mu_);
        writer_ = false;
        last_error_ = std::string(st.message());
      }
      return fail_all(Unavailable("the stream did not acknowledge the append in time"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace
}  // namespace jetstream

Result<std::unique_ptr<JetStreamLog>> OpenJetStreamLog(const JetStreamLogOptions& options) {
  return jetstream::JsLog::Open(options);
}

}  // namespace casetrail::storage
