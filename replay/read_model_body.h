// A read model's checkpoint body (replay/read_model_checkpoints.h): its Cap'n Proto message as
// bytes, and each case's folded state inside it field by field. Shared by the read models'
// EncodeState/DecodeState.
#pragma once

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <spdlog/spdlog.h>

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
  std::vector<capnp::word> words(body.size() / sizeof(capnp::word));  // Cap'n Proto reads aligned words
  if (words.empty()) return false;
  std::memcpy(words.data(), body.data(), words.size() * sizeof(capnp::word));
  try {
    capnp::ReaderOptions options;
    // Each list is counted every time it is fetched: room for a few fetches of the whole body.
    options.traversalLimitInWords = 4 * words.size() + 1024;
    capnp::FlatArrayMessageReader reader(kj::arrayPtr(words.data(), words.size()), options);
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
