# The stored form of one event in the global log (docs/formats/storage.md).
# Fields are only ever added with higher numbers; nothing is renumbered or removed.
@0xb1c2d3e4f5a60718;

$import "/capnp/c++.capnp".namespace("casetrail::storage::schema");

struct StoredRecord {
  stream @0 :Text;      # e.g. "case:C-0001"
  version @1 :UInt64;   # 1-based version within the stream
  type @2 :Text;        # event type name, chosen by the engine
  data @3 :Data;        # the engine's envelope bytes (facts in clear, personal data sealed)
}
