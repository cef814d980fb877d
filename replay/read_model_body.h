// A read model's checkpoint body (replay/read_model_checkpoints.h): its Cap'n Proto message as
// bytes, and each case's folded state inside it field by field. Shared by the read models'
// EncodeState/DecodeState.
#pragma once

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "engine/case_state.h"
#include "replay/read_models.capnp.h"

namespace casetrail::replay {

inline std::string BodyOf(capnp::MessageBuilder& m) {
  const auto words = capnp::messageToFlatArray(m);  // kept: `bytes` points into it
  const auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

// Hands the body's root to `read`; false if the body does not decode or `read` refuses it.
template <typename Root, typename Read>
bool ReadBody(std::string_view body, Read&& read) {
  // Cap'n Proto reads aligned words: a body loaded from its file (ReadModelCheckpoints::Loaded) is
  // read where it lies; any other is copied first.
  std::vector<capnp::word> copy;
  kj::ArrayPtr<const capnp::word> words;
  if (reinterpret_cast<uintptr_t>(body.data()) % alignof(capnp::word) == 0) {
    words = kj::arrayPtr(reinterpret_cast<const capnp::word*>(body.data()), body.size() / sizeof(capnp::word));
  } else {
    copy.resize(body.size() / sizeof(capnp::word));
    std::memcpy(copy.data(), body.data(), copy.size() * sizeof(capnp::word));
    words = kj::arrayPtr(copy.data(), copy.size());
  }
  if (words.size() == 0) return false;
  try {
    capnp::ReaderOptions options;
    // Each list is counted every time it is fetched: room for a few fetches of the whole body.
    options.traversalLimitInWords = 4 * words.size() + 1024;
    capnp::FlatArrayMessageReader reader(words, options);
    return read(reader.getRoot<Root>());
  } catch (const kj::Exception& e) {
    spdlog::warn("read-model checkpoint body does not decode: {}", e.getDescription().cStr());
    return false;
  }
}

// A folded case's state (its facts are not kept: no read model folds them). The case id is the
// read model's key, so it is not stored again.
inline void SetFolded(schema::FoldedCase::Builder b, const engine::CaseState& s) {
  b.setSubjectId(s.subject_id);
  b.setUnit(s.unit);
  b.setState(s.state);
  if (s.pace) {
    b.setPace(*s.pace);
    b.setHasPace(true);
  }
  if (s.closed_reason) {
    b.setClosedReason(*s.closed_reason);
    b.setHasClosedReason(true);
  }
  b.setWorkflow(s.workflow);
  b.setRevision(s.revision);
  b.setVersion(s.version);
  b.setOpenedAtUs(s.opened_at.time_since_epoch().count());
  b.setLastRecordedAtUs(s.last_recorded_at.time_since_epoch().count());
}
inline void GetFolded(schema::FoldedCase::Reader r, const std::string& case_id, engine::CaseState* s) {
  s->case_id = case_id;
  s->subject_id = r.getSubjectId().cStr();
  s->unit = r.getUnit().cStr();
  s->state = r.getState().cStr();
  if (r.getHasPace()) s->pace = r.getPace().cStr();
  if (r.getHasClosedReason()) s->closed_reason = r.getClosedReason().cStr();
  s->workflow = r.getWorkflow().cStr();
  s->revision = r.getRevision();
  s->version = r.getVersion();
  s->opened_at = engine::Timestamp(std::chrono::microseconds(r.getOpenedAtUs()));
  s->last_recorded_at = engine::Timestamp(std::chrono::microseconds(r.getLastRecordedAtUs()));
}

}  // namespace casetrail::replay
