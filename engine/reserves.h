// Reserves (G-RESERVE): a contact person appoints a reserve who steps in when needed, and a
// reserve acts only for the contact person who appointed them. The appointment is an event on
// "reserves:<contact>" (ReserveAppointed{reserve, role, unit}, ReserveRevoked); a request that
// says it acts for someone (X-Acting-For) is allowed only while the caller is that person's
// appointed reserve, with the same role and, for a role bound to a unit, the same unit — and
// then every event it causes records `acting_for`.
#pragma once

#include <string>

#include "engine/event.h"
#include "storage/log.h"

namespace casetrail::engine {

inline StreamId ReservesStream(const std::string& contact) { return StreamId("reserves:" + contact); }

// `contact` appoints `reserve_id` (replacing any earlier appointment) or, with an empty
// `reserve_id`, revokes it. Returns the stream version.
Result<uint64_t> AppointReserve(storage::Log& log, const Actor& contact, const std::string& reserve_id, Timestamp now);

// OK when `reserve` may act for `contact_id` now; kPermissionDenied (code forbidden) otherwise.
Status CheckActingFor(storage::Log& log, const Actor& reserve, const std::string& contact_id);

}  // namespace casetrail::engine
