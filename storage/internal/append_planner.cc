#include "storage/internal/append_planner.h"

#include <unordered_set>

namespace casetrail::storage::internal {

Status ValidateRequest(const AppendRequest& request) {
  if (request.writes.empty()) return InvalidArgument("append has no writes");
  // A repeat of an idempotent append is answered from the record: it must be a synced one.
  if (!request.sync && !request.idempotency_key.empty()) return InvalidArgument("an idempotent append must be synced");
  std::unordered_set<std::string> seen;
  for (const auto& w : request.writes) {
    CT_RETURN_IF_ERROR(ValidateStreamId(w.stream));
    if (!seen.insert(w.stream.value()).second) return InvalidArgument("a stream appears twice in one append");
    if (w.events.empty()) return InvalidArgument("stream write has no events");
    for (const auto& e : w.events) {
      if (e.type.empty()) return InvalidArgument("event type is empty");
    }
  }
  for (const auto& c : request.conditions) CT_RETURN_IF_ERROR(ValidateStreamId(c.stream));
  if (request.idempotency_key.empty() && !request.idempotency_fingerprint.empty()) {
    return InvalidArgument("idempotency fingerprint without key");
  }
  return Status::Ok();
}

Result<std::optional<AppendResult>> LookupIdempotency(CommittedState& state, const std::string& key,
                                                      const std::string& fingerprint) {
  CT_ASSIGN_OR_RETURN(auto prior, state.FindIdempotency(key));
  if (!prior) return std::optional<AppendResult>();
  if (prior->fingerprint != fingerprint) return AlreadyExists("idempotency key reused with a different request");
  AppendResult r = prior->result;
  r.deduplicated = true;
  return std::optional<AppendResult>(std::move(r));
}

AppendPlanner::AppendPlanner(CommittedState* committed, Head head) : committed_(committed) {
  plan_.head = head;
}

Result<StreamVersion> AppendPlanner::VersionOf(const StreamId& stream) {
  auto it = plan_.stream_versions.find(stream.value());
  if (it != plan_.stream_versions.end()) return StreamVersion(it->second);
  return committed_->StreamVersionOf(stream);
}

Result<std::optional<IdempotencyRecord>> AppendPlanner::IdempotencyOf(const std::string& key) {
  auto it = group_keys_.find(key);
  if (it != group_keys_.end()) return std::optional<IdempotencyRecord>(it->second);
  return committed_->FindIdempotency(key);
}

namespace {
Status Conflict(const StreamId& stream, StreamVersion current, std::string what) {
  return Aborted(std::move(what))
      .With("stream", stream.value())
      .With("current_version", std::to_string(current.value()));
}
}  // namespace

Result<AppendResult> AppendPlanner::Plan(const AppendRequest& request) {
  CT_RETURN_IF_ERROR(ValidateRequest(request));

  if (!request.idempotency_key.empty()) {
    CT_ASSIGN_OR_RETURN(auto prior, IdempotencyOf(request.idempotency_key));
    if (prior) {
      if (prior->fingerprint != request.idempotency_fingerprint) {
        return AlreadyExists("idempotency key reused with a different request");
      }
      AppendResult r = prior->result;
      r.deduplicated = true;
      return r;
    }
  }

  // Check everything before planning anything, so a refused request leaves the group untouched.
  std::vector<StreamVersion> current;
  current.reserve(request.writes.size());
  for (const auto& w : request.writes) {
    CT_ASSIGN_OR_RETURN(StreamVersion v, VersionOf(w.stream));
    const auto& e = w.expected;
    if (e.kind == ExpectedVersion::Kind::kNoStream && v.value() != 0) {
      return Conflict(w.stream, v, "stream already exists");
    }
    if (e.kind == ExpectedVersion::Kind::kExact && v != e.version) {
      return Conflict(w.stream, v, "expected version does not match");
    }
    current.push_back(v);
  }
  for (const auto& c : request.conditions) {
    CT_ASSIGN_OR_RETURN(StreamVersion v, VersionOf(c.stream));
    if (v != c.version) return Conflict(c.stream, v, "condition on stream version does not hold");
  }

  AppendResult result;
  uint64_t pos = plan_.head.position.value();
  result.first_position = Position(pos + 1);
  for (size_t i = 0; i < request.writes.size(); ++i) {
    const auto& w = request.writes[i];
    uint64_t version = current[i].value();
    for (const auto& ev : w.events) {
      ++pos;
      ++version;
      std::string bytes = EncodeRecord(w.stream, StreamVersion(version), ev.type, ev.data);
      Hash h = ChainHash(plan_.head.hash, Position(pos), bytes);
      plan_.records.push_back({Position(pos), w.stream, StreamVersion(version),
                               MakeStoredValue(plan_.head.hash, h, bytes)});
      plan_.head = Head{Position(pos), h};
    }
    plan_.stream_versions[w.stream.value()] = version;
    result.stream_versions.emplace_back(version);
  }
  result.last_position = Position(pos);

  if (!request.idempotency_key.empty()) {
    IdempotencyRecord rec{request.idempotency_fingerprint, result};
    plan_.idempotency.emplace_back(request.idempotency_key, EncodeIdempotency(rec));
    group_keys_.emplace(request.idempotency_key, std::move(rec));
  }
  return result;
}

}  // namespace casetrail::storage::internal
