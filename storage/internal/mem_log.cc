#include "storage/mem_log.h"

#include <map>
#include <mutex>
#include <unordered_map>

#include "storage/internal/append_planner.h"
#include "storage/internal/codec.h"
#include "storage/internal/signer.h"
#include "storage/internal/subscription.h"
#include "storage/internal/verifier.h"

namespace casetrail::storage::internal {
namespace {

class MemLog final : public Log, private CommittedState, private ChainSource {
 public:
  explicit MemLog(const std::array<uint8_t, 32>& seed) : signer_(seed) {}

  Result<AppendResult> Append(const AppendRequest& request) override {
    Head after;
    Result<AppendResult> result = Status(StatusCode::kInternal, "unset");
    {
      std::lock_guard lock(mu_);
      AppendPlanner planner(this, head_);
      result = planner.Plan(request);
      if (!result.ok()) return result;
      const GroupPlan& plan = planner.plan();
      for (const auto& r : plan.records) {
        log_[r.position.value()] = r.value;
        index_[StreamIndexKey(r.stream, r.version)] = r.position.value();
      }
      for (const auto& [s, v] : plan.stream_versions) heads_[s] = v;
      for (const auto& [k, v] : plan.idempotency) keys_[k] = v;
      head_ = plan.head;
      after = head_;
      if (!result->deduplicated) {
        stats_.appends++;
        (request.sync ? stats_.synced_writes : stats_.unsynced_writes)++;
        stats_.events += plan.records.size();
      }
    }
    notifier_->Publish(after.position);
    return result;
  }

  Result<std::vector<RecordedEvent>> ReadStream(const StreamId& stream, StreamVersion from,
                                                Direction direction, size_t max_count) override {
    CT_RETURN_IF_ERROR(ValidateStreamId(stream));
    std::lock_guard lock(mu_);
    std::vector<RecordedEvent> out;
    auto heads = heads_.find(stream.value());
    if (heads == heads_.end()) return out;
    const uint64_t last = heads->second;
    if (direction == Direction::kForward) {
      for (uint64_t v = std::max<uint64_t>(from.value(), 1); v <= last && out.size() < max_count; ++v) {
        CT_ASSIGN_OR_RETURN(auto ev, Decode(index_[StreamIndexKey(stream, StreamVersion(v))]));
        out.push_back(std::move(ev));
      }
    } else {
      uint64_t v = from.value() == 0 ? last : std::min(from.value(), last);
      for (; v >= 1 && out.size() < max_count; --v) {
        CT_ASSIGN_OR_RETURN(auto ev, Decode(index_[StreamIndexKey(stream, StreamVersion(v))]));
        out.push_back(std::move(ev));
      }
    }
    return out;
  }

  Result<std::vector<RecordedEvent>> ReadAll(Position from, size_t max_count) override {
    std::lock_guard lock(mu_);
    std::vector<RecordedEvent> out;
    for (auto it = log_.lower_bound(std::max<uint64_t>(from.value(), 1));
         it != log_.end() && out.size() < max_count; ++it) {
      CT_ASSIGN_OR_RETURN(auto ev, DecodeStoredValue(Position(it->first), it->second));
      out.push_back(std::move(ev));
    }
    return out;
  }

  Result<StreamVersion> CurrentVersion(const StreamId& stream) override {
    CT_RETURN_IF_ERROR(ValidateStreamId(stream));
    std::lock_guard lock(mu_);
    return StreamVersionOf(stream);
  }

  Result<std::optional<AppendResult>> LookupIdempotency(const std::string& key,
                                                        const std::string& fingerprint) override {
    std::lock_guard lock(mu_);
    return internal::LookupIdempotency(*this, key, fingerprint);
  }

  Head GetHead() override {
    std::lock_guard lock(mu_);
    return head_;
  }

  std::unique_ptr<Subscription> Subscribe(Position from, EventHandler handler) override {
    return StartSubscription(this, notifier_, from, std::move(handler));
  }

  Status PutSnapshot(const StreamId& stream, StreamVersion version, std::string data) override {
    CT_RETURN_IF_ERROR(ValidateStreamId(stream));
    std::lock_guard lock(mu_);
    snapshots_[StreamIndexKey(stream, version)] = std::move(data);
    return Status::Ok();
  }

  Result<std::optional<Snapshot>> LatestSnapshot(const StreamId& stream, StreamVersion at_most) override {
    CT_RETURN_IF_ERROR(ValidateStreamId(stream));
    std::lock_guard lock(mu_);
    auto it = snapshots_.upper_bound(StreamIndexKey(stream, at_most));
    const std::string prefix = StreamIndexPrefix(stream);
    if (it == snapshots_.begin()) return std::optional<Snapshot>();
    --it;
    if (it->first.size() != prefix.size() + 8 || it->first.compare(0, prefix.size(), prefix) != 0) {
      return std::optional<Snapshot>();
    }
    return std::optional<Snapshot>(
        Snapshot{StreamVersion(GetBigEndian64(std::string_view(it->first).substr(prefix.size()))), it->second});
  }

  Status WriteCheckpoint() override {
    std::lock_guard lock(mu_);
    if (head_.position.value() > 0) checkpoints_[head_.position.value()] = signer_.Sign(head_.position, head_.hash);
    return Status::Ok();
  }

  Result<std::optional<Checkpoint>> LatestCheckpoint() override {
    std::lock_guard lock(mu_);
    if (checkpoints_.empty()) return std::optional<Checkpoint>();
    return std::optional<Checkpoint>(checkpoints_.rbegin()->second);
  }

  Result<VerifyReport> Verify(const ProgressFn& progress) override {
    std::lock_guard lock(mu_);
    return VerifyChain(*this, head_, signer_, progress);
  }

  Result<VerifyReport> VerifyRecords(const std::vector<Position>& positions) override {
    std::lock_guard lock(mu_);
    return VerifyLinks(*this, head_, signer_, positions);
  }

  LogStats Stats() override {
    std::lock_guard lock(mu_);
    return stats_;
  }

  Status Backup(const std::string&) override {
    return FailedPrecondition("the in-memory log cannot be backed up");
  }

 private:
  // CommittedState (called with mu_ held).
  Result<StreamVersion> StreamVersionOf(const StreamId& stream) override {
    auto it = heads_.find(stream.value());
    return StreamVersion(it == heads_.end() ? 0 : it->second);
  }
  Result<std::optional<IdempotencyRecord>> FindIdempotency(const std::string& key) override {
    auto it = keys_.find(key);
    if (it == keys_.end()) return std::optional<IdempotencyRecord>();
    CT_ASSIGN_OR_RETURN(auto rec, DecodeIdempotency(it->second));
    return std::optional<IdempotencyRecord>(std::move(rec));
  }

  // ChainSource (called with mu_ held).
  Status ForEachRecord(const std::function<bool(Position, std::string_view)>& fn) override {
    for (const auto& [p, v] : log_) {
      if (!fn(Position(p), v)) break;
    }
    return Status::Ok();
  }
  Result<uint64_t> IndexLookup(const StreamId& stream, StreamVersion version) override {
    auto it = index_.find(StreamIndexKey(stream, version));
    return it == index_.end() ? 0 : it->second;
  }
  Status ForEachIndexEntry(const std::function<void(std::string_view, uint64_t, uint64_t)>& fn) override {
    for (const auto& [k, p] : index_) {
      std::string_view key(k);
      fn(key.substr(0, key.size() - 9), GetBigEndian64(key.substr(key.size() - 8)), p);
    }
    return Status::Ok();
  }
  Status ForEachStreamHead(const std::function<void(std::string_view, uint64_t)>& fn) override {
    for (const auto& [s, v] : heads_) fn(s, v);
    return Status::Ok();
  }
  Result<std::vector<Checkpoint>> Checkpoints() override {
    std::vector<Checkpoint> out;
    for (const auto& [p, c] : checkpoints_) out.push_back(c);
    return out;
  }
  Result<std::string> RecordAt(Position position) override {
    auto it = log_.find(position.value());
    return it == log_.end() ? std::string() : it->second;
  }

  Result<RecordedEvent> Decode(uint64_t position) { return DecodeStoredValue(Position(position), log_[position]); }

  std::mutex mu_;
  CheckpointSigner signer_;
  Head head_;
  LogStats stats_;
  std::map<uint64_t, std::string> log_;
  std::map<std::string, uint64_t> index_;
  std::unordered_map<std::string, uint64_t> heads_;
  std::unordered_map<std::string, std::string> keys_;
  std::map<std::string, std::string> snapshots_;
  std::map<uint64_t, Checkpoint> checkpoints_;
  std::shared_ptr<CommitNotifier> notifier_ = std::make_shared<CommitNotifier>();
};

}  // namespace
}  // namespace casetrail::storage::internal

namespace casetrail::storage {

std::unique_ptr<Log> NewMemLog(const std::array<uint8_t, 32>& signing_seed) {
  return std::make_unique<internal::MemLog>(signing_seed);
}

}  // namespace casetrail::storage
