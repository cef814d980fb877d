// Records of the cooperation itself rather than of a case: group activities (A1), published
// indicator snapshots, the decision register and the deviation log (DOMAIN §6.3 item 9). They hold
// no personal data: ids, codes, dates, counts and registry numbers, and are appended like every
// other event so a later audit sees what was decided and published, and by whom.
#pragma once

#include <string>

#include "engine/event.h"
#include "storage/log.h"

namespace casetrail::engine {

inline StreamId ActivityStream(const std::string& unit) { return StreamId("activities:" + unit); }
inline StreamId IndicatorSnapshotStream() { return StreamId("indicators:snapshots"); }
inline StreamId DecisionStream() { return StreamId("decisions"); }
inline StreamId DeviationStream(const std::string& id) { return StreamId("deviation:" + id); }
inline StreamId SampleStream() { return StreamId("audit:samples"); }
// Administrative actions: the manual clock moved (ClockMoved), the users file loaded
// (UsersLoaded). Who, when and what; never a token or a hash of one.
inline StreamId AdminStream() { return StreamId("administration"); }

// Appends one event of `type` with `facts` to `stream` (any version) by `actor`, effective at
// `effective_at`, recorded now. Returns the appended event's position.
Result<Position> AppendRecord(storage::Log& log, const StreamId& stream, const std::string& type, const Actor& actor,
                              Fields facts, Timestamp recorded_at, Timestamp effective_at,
                              const std::string& workflow = "", int revision = 0);

// The same for records written by the system once under a deterministic key (a fired reminder, an
// outbox step, a registered revision): recorded and effective at `at`; a repeat with the same
// key and fingerprint writes nothing (`deduplicated`), another fingerprint is kAlreadyExists. An
// empty key appends unconditionally. The fingerprint defaults to the key.
Result<storage::AppendResult> AppendRecordOnce(storage::Log& log, const StreamId& stream, const std::string& type,
                                               const Actor& actor, Fields facts, Timestamp at,
                                               const std::string& idempotency_key, const std::string& fingerprint = "",
                                               const std::string& workflow = "", int revision = 0);

}  // namespace casetrail::engine
