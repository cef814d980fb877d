#include "engine/reserves.h"

#include "engine/state_machine.h"

namespace casetrail::engine {

Result<uint64_t> AppointReserve(storage::Log& log, const Actor& contact, const std::string& reserve_id, Timestamp now) {
  if (reserve_id == contact.id) {
    return Refusal(StatusCode::kInvalidArgument, "invalid_field", "a reserve is someone else").With("field", "reserve");
  }
  Event e;
  e.type = reserve_id.empty() ? "ReserveRevoked" : "ReserveAppointed";
  e.meta.actor = contact;
  e.meta.legal_basis = "public_task";
  e.meta.recorded_at = e.meta.effective_at = now;
  if (!reserve_id.empty()) e.facts = {{"reserve", reserve_id}, {"role", contact.role}, {"unit", contact.unit}};
  storage::AppendRequest req;
  req.writes.push_back({ReservesStream(contact.id), storage::ExpectedVersion::Any(), {{e.type, EncodeEvent(e)}}});
  CT_ASSIGN_OR_RETURN(auto r, log.Append(req));
  return r.stream_versions[0].value();
}

Status CheckActingFor(storage::Log& log, const Actor& reserve, const std::string& contact_id) {
  auto denied = [] { return Refusal(StatusCode::kPermissionDenied, "forbidden", "not the appointed reserve of that person"); };
  if (contact_id.empty() || contact_id.size() > 100 || contact_id == reserve.id) return denied();
  CT_ASSIGN_OR_RETURN(auto last, log.ReadStream(ReservesStream(contact_id), StreamVersion(0),
                                                storage::Direction::kBackward, 1));
  if (last.empty() || last[0].type != "ReserveAppointed") return denied();
  CT_ASSIGN_OR_RETURN(StoredEvent e, DecodeStored(last[0]));
  const std::string* who = AsText(e.event.facts, "reserve");
  const std::string* role = AsText(e.event.facts, "role");
  const std::string* unit = AsText(e.event.facts, "unit");
  if (!who || *who != reserve.id || !role || *role != reserve.role || !unit || *unit != reserve.unit) return denied();
  return Status::Ok();
}

}  // namespace casetrail::engine
