// A read model's checkpoint body (replay/read_model_checkpoints.h): its Cap'n Proto message as
// bytes, and each case's state inside it as an engine snapshot. Shared by the read models'
// EncodeState/DecodeState.
#pragma once

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <spdlog/spdlog.h>

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "engine/snapshot_codec.h"

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

inline kj::ArrayPtr<const kj::byte> Blob(const std::string& bytes) {
  return kj::arrayPtr(reinterpret_cast<const kj::byte*>(bytes.data()), bytes.size());
}
// A case state stored with engine::EncodeSnapshot; refused under another fold version.
inline Result<engine::CaseState> StateOf(capnp::Data::Reader blob) {
  return engine::DecodeSnapshot(std::string_view(reinterpret_cast<const char*>(blob.begin()), blob.size()));
}

}  // namespace casetrail::replay
