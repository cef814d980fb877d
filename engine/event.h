// Event: what the engine stores in the log — metadata, facts in clear, personal data sealed.
#pragma once

#include <optional>
#include <string>

#include "engine/clock.h"
#include "engine/value.h"
#include "storage/log.h"

namespace casetrail::engine {

struct Actor {
  std::string id;
  std::string role;  // a role of the workflow's model (engine/model.h)
  std::string unit;  // for a role bound to a unit: one of the model's units
  std::string auth;  // how the actor signed in (e.g. bankid, service_card, system)
  std::string acting_for;
  // A sign-in through the organisation's identity provider (OIDC): the token's `acr`, its level of
  // assurance; "" for static tokens. `auth` then holds "oidc" and the token's `amr`.
  std::string acr = {};
};

struct EventMeta {
  Actor actor;
  std::string legal_basis;
  std::string consent_ref;
  std::string workflow;
  int revision = 0;
  Timestamp recorded_at{};
  Timestamp effective_at{};
  std::string correlation_id;
  std::string subject_id;
  std::string command;
};

// The case as a decision left it after this event: recorded on every case event, so that a fold
// (replay, read models, snapshots) reads it and never re-decides. Events written before it was
// recorded have none and are folded by the old path (engine/state_machine.cc).
struct CaseOutcome {
  std::string state;
  std::optional<std::string> pace;
  std::optional<std::string> closed_reason;
  bool operator==(const CaseOutcome&) const = default;
};

struct Event {
  std::string type;
  EventMeta meta;
  Fields facts;
  std::string sealed;  // "" when the event has no personal data
  std::optional<CaseOutcome> outcome;
};

// An event as read back from the log.
struct StoredEvent {
  Position position{0};
  StreamId stream;
  StreamVersion version{0};
  Event event;
  storage::Hash hash{};
};

// Cap'n Proto encoding of the envelope (engine/envelope.capnp). The type travels in the
// storage record, not in the envelope.
std::string EncodeEvent(const Event& event);
// kFold reads only what the one fold and the read models use (type, workflow, revision, times,
// subject, command, facts, outcome) and leaves the actor, legal basis, consent reference,
// correlation id and sealed data empty: a replay decodes every event and needs none of them.
enum class EventParts { kAll, kFold };
Result<Event> DecodeEvent(const std::string& type, std::string_view bytes, EventParts parts = EventParts::kAll);
Result<StoredEvent> DecodeStored(const storage::RecordedEvent& record, EventParts parts = EventParts::kAll);

// Cap'n Proto encoding of a field list, used for the plaintext of sealed personal data.
std::string EncodeFields(const Fields& fields);
Result<Fields> DecodeFields(std::string_view bytes);

}  // namespace casetrail::engine
