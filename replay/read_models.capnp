# The read models' checkpoint files (DIR/read-models/<name>.ckpt, replay/read_model_checkpoints.h):
# what a projection had folded up to a log position, so that a start resumes from there instead of
# the first event. Only what the log holds in clear is in them. Fields are only added, never
# renumbered; a change of meaning bumps the read model's format number instead.
@0xbcfe2c7531eda3dd;

$import "/capnp/c++.capnp".namespace("casetrail::replay::schema");

struct ReadModelCheckpoint {
  name @0 :Text;       # which read model ("case-directory", "indicators", …)
  format @1 :UInt32;   # the read model's format number; another one is not read
  position @2 :UInt64; # the last event folded into `body`
  hash @3 :Data;       # that event's record hash: a log restored or replaced no longer has it
  bodyHash @4 :Data;   # XXH3-128 of the body (canonical bytes): a damaged file is not read
}
# The file is this header message followed by the read model's own message (below), unframed:
# a body of a million cases may pass the 512 MiB a Data field can hold.

struct Pair {
  key @0 :Text;
  value @1 :Text;
}

# A case's folded state (engine::CaseState without its facts, which no read model keeps), field by
# field: read back with no per-case message and no map of fields (format 2; format 1 stored
# engine::EncodeSnapshot bytes, about three times the size and several times slower to read).
struct FoldedCase {
  subjectId @0 :Text;
  unit @1 :Text;
  state @2 :Text;
  pace @3 :Text;
  hasPace @4 :Bool;
  closedReason @5 :Text;
  hasClosedReason @6 :Bool;
  workflow @7 :Text;
  revision @8 :Int32;
  version @9 :UInt64;
  openedAtUs @10 :Int64;        # microseconds since the epoch
  lastRecordedAtUs @11 :Int64;
}

# replay/case_directory.h
struct DirectoryCase {
  id @0 :Text;
  state @1 :Data;  # format 1 only: engine::EncodeSnapshot of the folded CaseState
  folded @2 :FoldedCase;
}
struct DirectoryResponsible {
  caseId @0 :Text;
  parties @1 :List(Pair);  # party → person
}
struct CaseDirectoryState {
  cases @0 :List(DirectoryCase);
  responsible @1 :List(DirectoryResponsible);
}

# replay/indicators.h
struct UnitDate {
  on @0 :Text;
  unit @1 :Text;
}
struct IndicatorCase {
  id @0 :Text;
  fold @1 :Data;  # format 1 only: engine::EncodeSnapshot
  channel @2 :Text;
  gender @3 :Text;
  ageBand @4 :Text;
  romParticipant @5 :Bool;
  referred @6 :UnitDate;
  booked @7 :List(UnitDate);
  held @8 :List(UnitDate);
  startedOn @9 :Text;
  planRoute @10 :Text;
  folded @11 :FoldedCase;  # format 2 (`fold` was format 1's); absent when no revision folds the case
}
struct IndicatorState {
  cases @0 :List(IndicatorCase);
  activities @1 :List(UnitDate);  # (unit, held on)
}

# replay/reminders.h: the reminder book. What it derives again on load (which cases a subject
# has, which reminders a case has, the armed timers by due time) is not stored.
struct TimerTrigger {
  type @0 :Text;            # the latest case event of this type (engine::TimerInputs)
  version @1 :UInt64;
  effectiveAtUs @2 :Int64;
  instants @3 :List(Pair);  # the text facts a timer may be anchored to (engine::TimerTrigger)
}
struct ReminderCase {
  id @0 :Text;
  folded @1 :FoldedCase;
  stateEnteredVersion @2 :UInt64;
  timerState @3 :Text;
  triggers @4 :List(TimerTrigger);
  activeScopes @5 :List(Text);
  pending @6 :List(Text);
  fired @7 :List(Text);
  units @8 :List(Text);
}
struct ConsentChange {
  scope @0 :Text;
  atUs @1 :Int64;
  granted @2 :Bool;
}
struct SubjectConsent {
  subject @0 :Text;
  version @1 :UInt64;
  changes @2 :List(ConsentChange);  # per scope, in stream order
}
struct ReminderDelivery {
  channel @0 :Text;
  attempts @1 :Int32;
  outcomes @2 :Int32;
  inDoubt @3 :Int32;
  delivered @4 :Bool;
  deadLettered @5 :Bool;
  cancelled @6 :Bool;
  lastAttemptAtUs @7 :Int64;
}
struct ReminderEntry {
  key @0 :Text;             # the book's key (an id; empty id for a delivery seen before its fire)
  id @1 :Text;
  name @2 :Text;
  kind @3 :Text;
  caseId @4 :Text;
  dueAtUs @5 :Int64;
  fired @6 :Bool;
  sentAtUs @7 :Int64;
  cancelled @8 :Bool;
  caseClosed @9 :Bool;
  deliveries @10 :List(ReminderDelivery);
}
struct ReminderBookState {
  cases @0 :List(ReminderCase);
  consents @1 :List(SubjectConsent);
  reminders @2 :List(ReminderEntry);
}
