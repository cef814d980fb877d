// CaseState: a case as rebuilt by folding its events. A value: copyable, comparable, and
// serialisable as a snapshot (engine/snapshot_codec.h).
#pragma once

#include <optional>
#include <string>

#include "engine/clock.h"
#include "engine/value.h"

namespace casetrail::engine {

struct CaseState {
  std::string case_id;
  std::string subject_id;
  std::string unit;
  std::string state;  // "" before the first event
  std::optional<std::string> pace;           // while in one of the model's pace states
  std::optional<std::string> closed_reason;  // once closed
  std::string workflow;
  int revision = 0;
  uint64_t version = 0;  // the case stream's version: events folded so far
  Fields facts;          // the latest value of every fact recorded on the case
  Timestamp opened_at{};  // effective time of the case's first event
  Timestamp last_recorded_at{};

  bool Exists() const { return version > 0; }
  bool operator==(const CaseState&) const = default;
};

}  // namespace casetrail::engine
