#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstring>
#include <vector>

#include "engine/envelope.capnp.h"
#include "engine/event.h"

namespace casetrail::engine {
namespace {

capnp::Text::Reader T(const std::string& s) { return capnp::Text::Reader(s.data(), s.size()); }
// All of a stored text, zero bytes included: cStr() would stop at the first one.
std::string S(capnp::Text::Reader t) { return std::string(t.begin(), t.size()); }

void SetFields(capnp::List<schema::Field>::Builder out, const Fields& fields) {
  unsigned i = 0;
  for (const auto& [name, value] : fields) {
    auto f = out[i++];
    f.setName(T(name));
    auto v = f.initValue();
    std::visit(
        [&](const auto& x) {
          using X = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<X, std::monostate>) v.setNull();
          else if constexpr (std::is_same_v<X, bool>) v.setBool(x);
          else if constexpr (std::is_same_v<X, int64_t>) v.setInt(x);
          else if constexpr (std::is_same_v<X, std::string>) v.setText(T(x));
          else {
            auto l = v.initList(x.size());
            for (unsigned j = 0; j < x.size(); ++j) l.set(j, T(x[j]));
          }
        },
        value);
  }
}

Fields GetFields(capnp::List<schema::Field>::Reader in) {
  Fields out;
  for (auto f : in) {
    auto v = f.getValue();
    Value value;
    switch (v.which()) {
      case schema::Field::Value::NULL_: break;
      case schema::Field::Value::BOOL: value = v.getBool(); break;
      case schema::Field::Value::INT: value = static_cast<int64_t>(v.getInt()); break;
      case schema::Field::Value::TEXT: value = S(v.getText()); break;
      case schema::Field::Value::LIST: {
        std::vector<std::string> l;
        for (auto s : v.getList()) l.push_back(S(s));
        value = std::move(l);
        break;
      }
    }
    out[S(f.getName())] = std::move(value);
  }
  return out;
}

std::string ToBytes(capnp::MessageBuilder& m) {
  auto words = capnp::messageToFlatArray(m);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

// Cap'n Proto 0.9 reads only word-aligned memory. The whole words of `bytes`; none for input
// shorter than a word (an empty vector's data() may be null, which memcpy must not be given).
std::vector<capnp::word> Aligned(std::string_view bytes) {
  std::vector<capnp::word> words(bytes.size() / sizeof(capnp::word));
  if (!words.empty()) std::memcpy(words.data(), bytes.data(), words.size() * sizeof(capnp::word));
  return words;
}

int64_t Micros(Timestamp t) { return t.time_since_epoch().count(); }
Timestamp FromMicros(int64_t us) { return Timestamp(std::chrono::microseconds(us)); }

}  // namespace

std::string EncodeEvent(const Event& e) {
  capnp::MallocMessageBuilder m;
  auto b = m.initRoot<schema::Envelope>();
  const EventMeta& meta = e.meta;
  b.setActorId(T(meta.actor.id));
  b.setActorRole(T(meta.actor.role));
  b.setActorUnit(T(meta.actor.unit));
  b.setAuthMethod(T(meta.actor.auth));
  b.setActingFor(T(meta.actor.acting_for));
  if (!meta.actor.acr.empty()) b.setAcr(T(meta.actor.acr));
  b.setLegalBasis(T(meta.legal_basis));
  b.setConsentRef(T(meta.consent_ref));
  b.setWorkflow(T(meta.workflow));
  b.setRevision(static_cast<uint32_t>(meta.revision));
  b.setRecordedAtUs(Micros(meta.recorded_at));
  b.setEffectiveAtUs(Micros(meta.effective_at));
  b.setCorrelationId(T(meta.correlation_id));
  b.setSubjectId(T(meta.subject_id));
  b.setCommand(T(meta.command));
  SetFields(b.initFacts(e.facts.size()), e.facts);
  b.setSealed(capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(e.sealed.data()), e.sealed.size()));
  if (e.outcome) {
    auto o = b.initOutcome();
    o.setState(T(e.outcome->state));
    o.setPace(T(e.outcome->pace.value_or("")));
    o.setClosedReason(T(e.outcome->closed_reason.value_or("")));
  }
  return ToBytes(m);
}

Result<Event> DecodeEvent(const std::string& type, std::string_view bytes, EventParts parts) {
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0) return DataLoss("event envelope has an invalid length");
  // A record's data is a heap string, word-aligned in practice: read it in place, copy otherwise.
  std::vector<capnp::word> copy;
  const capnp::word* words = reinterpret_cast<const capnp::word*>(bytes.data());
  if (reinterpret_cast<uintptr_t>(bytes.data()) % alignof(capnp::word) != 0) {
    copy = Aligned(bytes);
    words = copy.data();
  }
  try {
    capnp::FlatArrayMessageReader reader(kj::arrayPtr(words, bytes.size() / sizeof(capnp::word)));
    auto r = reader.getRoot<schema::Envelope>();
    Event e;
    e.type = type;
    const bool all = parts == EventParts::kAll;
    if (all) {
      e.meta.actor = {S(r.getActorId()), S(r.getActorRole()), S(r.getActorUnit()),
                      S(r.getAuthMethod()), S(r.getActingFor()), S(r.getAcr())};
      e.meta.legal_basis = S(r.getLegalBasis());
      e.meta.consent_ref = S(r.getConsentRef());
      e.meta.correlation_id = S(r.getCorrelationId());
      auto sealed = r.getSealed();
      e.sealed.assign(reinterpret_cast<const char*>(sealed.begin()), sealed.size());
    }
    e.meta.workflow = S(r.getWorkflow());
    e.meta.revision = static_cast<int>(r.getRevision());
    e.meta.recorded_at = FromMicros(r.getRecordedAtUs());
    e.meta.effective_at = FromMicros(r.getEffectiveAtUs());
    e.meta.subject_id = S(r.getSubjectId());
    e.meta.command = S(r.getCommand());
    e.facts = GetFields(r.getFacts());
    if (r.hasOutcome()) {
      auto o = r.getOutcome();
      CaseOutcome out{S(o.getState()), std::nullopt, std::nullopt};
      if (o.getPace().size() > 0) out.pace = S(o.getPace());
      if (o.getClosedReason().size() > 0) out.closed_reason = S(o.getClosedReason());
      e.outcome = std::move(out);
    }
    return e;
  } catch (const kj::Exception&) {
    return DataLoss("event envelope does not decode");
  }
}

Result<StoredEvent> DecodeStored(const storage::RecordedEvent& rec, EventParts parts) {
  CT_ASSIGN_OR_RETURN(Event e, DecodeEvent(rec.type, rec.data, parts));
  return StoredEvent{rec.position, rec.stream, rec.version, std::move(e), rec.hash};
}

std::string EncodeFields(const Fields& fields) {
  capnp::MallocMessageBuilder m;
  SetFields(m.initRoot<schema::FieldList>().initFields(fields.size()), fields);
  return ToBytes(m);
}

Result<Fields> DecodeFields(std::string_view bytes) {
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0) return DataLoss("field list has an invalid length");
  auto words = Aligned(bytes);
  try {
    capnp::FlatArrayMessageReader reader(kj::arrayPtr(words.data(), words.size()));
    return GetFields(reader.getRoot<schema::FieldList>().getFields());
  } catch (const kj::Exception&) {
    return DataLoss("field list does not decode");
  }
}

}  // namespace casetrail::engine
