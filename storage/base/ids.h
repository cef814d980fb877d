// Strong identifier types shared by every layer. Each wraps one plain value so that a stream
// version cannot be passed where a global position is expected.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

namespace casetrail {

template <typename Tag, typename T>
class StrongId {
 public:
  constexpr StrongId() = default;
  constexpr explicit StrongId(T value) : value_(std::move(value)) {}
  constexpr const T& value() const { return value_; }
  auto operator<=>(const StrongId&) const = default;

 private:
  T value_{};
};

// A stream's name, e.g. "case:C-0001". Non-empty, at most 200 bytes, no NUL byte.
using StreamId = StrongId<struct StreamIdTag, std::string>;
// An event's 1-based index within its stream; 0 means "the stream has no events".
using StreamVersion = StrongId<struct StreamVersionTag, uint64_t>;
// An event's 1-based index in the global log; 0 means "before the first event".
using Position = StrongId<struct PositionTag, uint64_t>;
// A pseudonymous data subject, e.g. "S-…"; never derived from personal data in clear.
using SubjectId = StrongId<struct SubjectIdTag, std::string>;

}  // namespace casetrail

template <typename Tag, typename T>
struct std::hash<casetrail::StrongId<Tag, T>> {
  size_t operator()(const casetrail::StrongId<Tag, T>& id) const { return std::hash<T>()(id.value()); }
};
