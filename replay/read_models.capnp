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
  bodyHash @4 :Data;   # BLAKE2b-256 of the body: a damaged file is not read
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
