#include "engine/cooperation_records.h"

namespace casetrail::engine {

Result<Position> AppendRecord(storage::Log& log, const StreamId& stream, const std::string& type, const Actor& actor,
                              Fields facts, Timestamp recorded_at, Timestamp effective_at, const std::string& workflow,
                              int revision) {
  Event e;
  e.type = type;
  e.meta.actor = actor;
  e.meta.legal_basis = "public_task";
  e.meta.recorded_at = recorded_at;
  e.meta.effective_at = effective_at;
  e.meta.workflow = workflow;
  e.meta.revision = revision;
  e.facts = std::move(facts);
  storage::AppendRequest req;
  req.writes.push_back({stream, storage::ExpectedVersion::Any(), {{e.type, EncodeEvent(e)}}});
  CT_ASSIGN_OR_RETURN(auto r, log.Append(req));
  return r.first_position;
}

Result<storage::AppendResult> AppendRecordOnce(storage::Log& log, const StreamId& stream, const std::string& type,
                                               const Actor& actor, Fields facts, Timestamp at,
                                               const std::string& idempotency_key, const std::string& fingerprint,
                                               const std::string& workflow, int revision) {
  Event e;
  e.type = type;
  e.meta.actor = actor;
  e.meta.legal_basis = "public_task";
  e.meta.recorded_at = e.meta.effective_at = at;
  e.meta.workflow = workflow;
  e.meta.revision = revision;
  e.facts = std::move(facts);
  storage::AppendRequest req;
  req.writes.push_back({stream, storage::ExpectedVersion::Any(), {{e.type, EncodeEvent(e)}}});
  if (!idempotency_key.empty()) {
    req.idempotency_key = idempotency_key;
    req.idempotency_fingerprint = fingerprint.empty() ? idempotency_key : fingerprint;
  }
  return log.Append(req);
}

}  // namespace casetrail::engine
