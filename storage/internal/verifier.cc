#include "storage/internal/verifier.h"

#include <cstring>
#include <string>
#include <unordered_map>

#include "storage/internal/codec.h"

namespace casetrail::storage::internal {
namespace {

struct StreamTail {
  uint64_t version = 0;
  uint64_t position = 0;
};

VerifyReport Broken(uint64_t events, Head head, uint64_t position, std::string problem) {
  VerifyReport r;
  r.ok = false;
  r.events = events;
  r.head = head;
  r.first_bad_position = Position(position);
  r.problem = std::move(problem);
  return r;
}

}  // namespace

Result<VerifyReport> VerifyChain(ChainSource& source, Head claimed_head,
                                 const CheckpointSigner& signer, const ProgressFn& progress) {
  std::unordered_map<std::string, StreamTail> tails;
  uint64_t expected = 1;
  Hash prev{};
  std::optional<VerifyReport> bad;
  Status walk_error;

  // 1. The chain, in position order.
  CT_RETURN_IF_ERROR(source.ForEachRecord([&](Position pos, std::string_view value) {
    auto fail = [&](uint64_t at, std::string why) {
      bad = Broken(expected - 1, claimed_head, at, std::move(why));
      return false;
    };
    if (pos.value() != expected) return fail(expected, "record missing");
    if (value.size() < 64) return fail(expected, "record too short");
    if (std::memcmp(value.data(), prev.data(), 32) != 0) return fail(expected, "previous-hash link broken");
    if (!StoredHashMatches(pos, value)) return fail(expected, "hash does not match record");
    auto ev = DecodeStoredValue(pos, value);
    if (!ev.ok()) return fail(expected, "record does not decode");
    StreamTail& tail = tails[ev->stream.value()];
    if (ev->version.value() != tail.version + 1) return fail(expected, "stream version out of sequence");
    auto indexed = source.IndexLookup(ev->stream, ev->version);
    if (!indexed.ok()) {
      walk_error = indexed.status();
      return false;
    }
    if (*indexed != pos.value()) return fail(expected, "stream index disagrees with log");
    tail = {ev->version.value(), pos.value()};
    std::memcpy(prev.data(), value.data() + 32, 32);
    if (progress && expected % 100000 == 0) progress(expected, claimed_head.position.value());
    ++expected;
    return true;
  }));
  CT_RETURN_IF_ERROR(walk_error);
  if (bad) return *bad;
  const uint64_t events = expected - 1;
  if (events != claimed_head.position.value()) {
    return Broken(events, claimed_head, events + 1, "log ends before its recorded head");
  }
  if (claimed_head.position.value() > 0 && claimed_head.hash != prev) {
    return Broken(events, claimed_head, events, "recorded head hash differs from chain");
  }

  // 2. No index entry points beyond a stream's real tail (e.g. an inserted entry).
  uint64_t first_extra = 0;
  CT_RETURN_IF_ERROR(source.ForEachIndexEntry([&](std::string_view stream, uint64_t version, uint64_t pos) {
    auto it = tails.find(std::string(stream));
    if (it == tails.end() || version > it->second.version) {
      if (first_extra == 0 || pos < first_extra) first_extra = pos == 0 ? 1 : pos;
    }
  }));
  if (first_extra != 0) return Broken(events, claimed_head, first_extra, "stream index has an entry without a record");

  // 3. Stream heads agree with the index.
  uint64_t first_head_bad = 0;
  size_t heads = 0;
  CT_RETURN_IF_ERROR(source.ForEachStreamHead([&](std::string_view stream, uint64_t version) {
    ++heads;
    auto it = tails.find(std::string(stream));
    uint64_t at = it == tails.end() ? events + 1 : it->second.position;
    if (it == tails.end() || it->second.version != version) {
      if (first_head_bad == 0 || at < first_head_bad) first_head_bad = at;
    }
  }));
  if (first_head_bad != 0) return Broken(events, claimed_head, first_head_bad, "stream head disagrees with index");
  if (heads != tails.size()) return Broken(events, claimed_head, events, "stream head missing");

  // 4. Every checkpoint is signed by our key and matches the chain.
  CT_ASSIGN_OR_RETURN(auto checkpoints, source.Checkpoints());
  for (const auto& c : checkpoints) {
    if (!signer.Check(c)) return Broken(events, claimed_head, c.position.value(), "checkpoint signature invalid");
    CT_ASSIGN_OR_RETURN(std::string value, source.RecordAt(c.position));
    if (value.size() < 64 || std::memcmp(value.data() + 32, c.hash.data(), 32) != 0) {
      return Broken(events, claimed_head, c.position.value(), "checkpoint disagrees with chain");
    }
  }
  if (progress) progress(events, events);

  VerifyReport ok;
  ok.events = events;
  ok.head = claimed_head;
  return ok;
}

Result<VerifyReport> VerifyLinks(ChainSource& source, Head claimed_head, const CheckpointSigner& signer,
                                 const std::vector<Position>& positions) {
  const uint64_t head = claimed_head.position.value();
  uint64_t checked = 0;
  for (const Position pos : positions) {
    const uint64_t p = pos.value();
    if (p == 0 || p > head) return Broken(checked, claimed_head, p, "record beyond the head");
    CT_ASSIGN_OR_RETURN(std::string value, source.RecordAt(pos));
    if (value.size() < 64) return Broken(checked, claimed_head, p, "record missing");
    if (!StoredHashMatches(pos, value)) return Broken(checked, claimed_head, p, "hash does not match record");
    // The link back: the previous record's hash (all zero before the first).
    Hash before{};
    if (p > 1) {
      CT_ASSIGN_OR_RETURN(std::string prev, source.RecordAt(Position(p - 1)));
      if (prev.size() < 64) return Broken(checked, claimed_head, p - 1, "record missing");
      std::memcpy(before.data(), prev.data() + 32, 32);
    }
    if (std::memcmp(value.data(), before.data(), 32) != 0) return Broken(checked, claimed_head, p, "previous-hash link broken");
    // The link forward: the next record names this hash, or this is the head.
    if (p < head) {
      CT_ASSIGN_OR_RETURN(std::string next, source.RecordAt(Position(p + 1)));
      if (next.size() < 64) return Broken(checked, claimed_head, p + 1, "record missing");
      if (std::memcmp(next.data(), value.data() + 32, 32) != 0) {
        return Broken(checked, claimed_head, p + 1, "previous-hash link broken");
      }
    } else if (std::memcmp(claimed_head.hash.data(), value.data() + 32, 32) != 0) {
      return Broken(checked, claimed_head, p, "recorded head hash differs from chain");
    }
    auto ev = DecodeStoredValue(pos, value);
    if (!ev.ok()) return Broken(checked, claimed_head, p, "record does not decode");
    CT_ASSIGN_OR_RETURN(uint64_t indexed, source.IndexLookup(ev->stream, ev->version));
    if (indexed != p) return Broken(checked, claimed_head, p, "stream index disagrees with log");
    ++checked;
  }
  CT_ASSIGN_OR_RETURN(auto checkpoints, source.Checkpoints());
  if (!checkpoints.empty()) {
    const Checkpoint& c = checkpoints.back();
    if (!signer.Check(c)) return Broken(checked, claimed_head, c.position.value(), "checkpoint signature invalid");
    CT_ASSIGN_OR_RETURN(std::string value, source.RecordAt(c.position));
    if (value.size() < 64 || std::memcmp(value.data() + 32, c.hash.data(), 32) != 0) {
      return Broken(checked, claimed_head, c.position.value(), "checkpoint disagrees with chain");
    }
  }
  VerifyReport ok;
  ok.events = checked;
  ok.head = claimed_head;
  return ok;
}

}  // namespace casetrail::storage::internal
