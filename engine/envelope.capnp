# The engine's envelope around every event's data: metadata, facts in clear, personal data sealed.
# Stored as the `data` of a storage StoredRecord. Fields are only added, never renumbered.
@0xc3d4e5f6a7b80912;

$import "/capnp/c++.capnp".namespace("casetrail::engine::schema");

struct Field {
  name @0 :Text;
  value :union {
    null @1 :Void;
    bool @2 :Bool;
    int @3 :Int64;
    text @4 :Text;
    list @5 :List(Text);
  }
}

struct FieldList {
  fields @0 :List(Field);
}

struct Envelope {
  actorId @0 :Text;
  actorRole @1 :Text;
  actorUnit @2 :Text;
  authMethod @3 :Text;       # bankid | service_card | system
  actingFor @4 :Text;
  legalBasis @5 :Text;
  consentRef @6 :Text;       # e.g. "consent:S-…@3": the consent version the decision relied on
  workflow @7 :Text;
  revision @8 :UInt32;
  recordedAtUs @9 :Int64;    # microseconds since 1970-01-01T00:00:00Z
  effectiveAtUs @10 :Int64;
  correlationId @11 :Text;   # meeting or list id, or the request id
  subjectId @12 :Text;
  command @13 :Text;         # the command that decided it ("" for policy events)
  facts @14 :List(Field);    # non-identifying, state-relevant data in clear
  sealed @15 :Data;          # personal fields: XChaCha20-Poly1305 under the subject's data key
  outcome @16 :Outcome;      # case events: the case after this event, as decided (absent before
                             # the one fold: such events are folded by the old path)
  acr @17 :Text;             # OIDC sign-ins: the level of assurance (the token's acr); "" otherwise
}

# What the decision made of the case. Folding reads it and never decides again.
struct Outcome {
  state @0 :Text;
  pace @1 :Text;             # "" when the case has no pace
  closedReason @2 :Text;     # "" unless closed
}
