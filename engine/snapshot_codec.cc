#include "engine/snapshot_codec.h"

#include "engine/event.h"
#include "engine/state_machine.h"

namespace casetrail::engine {
namespace {
constexpr char kFactPrefix[] = "f.";

int64_t Us(Timestamp t) { return t.time_since_epoch().count(); }

std::string Text(const Fields& f, const std::string& k) {
  const std::string* v = AsText(f, k);
  return v ? *v : "";
}
int64_t Int(const Fields& f, const std::string& k) {
  auto it = f.find(k);
  return it != f.end() && std::holds_alternative<int64_t>(it->second) ? std::get<int64_t>(it->second) : 0;
}
}  // namespace

std::string EncodeSnapshot(const CaseState& s) {
  Fields f;
  f["_fold"] = kFoldVersion;
  f["_case_id"] = s.case_id;
  f["_subject_id"] = s.subject_id;
  f["_unit"] = s.unit;
  f["_state"] = s.state;
  if (s.pace) f["_pace"] = *s.pace;
  if (s.closed_reason) f["_closed_reason"] = *s.closed_reason;
  f["_workflow"] = s.workflow;
  f["_revision"] = int64_t{s.revision};
  f["_version"] = static_cast<int64_t>(s.version);
  f["_opened_at"] = Us(s.opened_at);
  f["_last_recorded_at"] = Us(s.last_recorded_at);
  for (const auto& [k, v] : s.facts) f[kFactPrefix + k] = v;
  return EncodeFields(f);
}

Result<CaseState> DecodeSnapshot(std::string_view bytes) {
  CT_ASSIGN_OR_RETURN(Fields f, DecodeFields(bytes));
  if (Int(f, "_fold") != kFoldVersion) {  // snapshots before fold versions have none (0)
    return Status(StatusCode::kFailedPrecondition, "snapshot of another fold version").With("code", "fold_version");
  }
  CaseState s;
  s.case_id = Text(f, "_case_id");
  s.subject_id = Text(f, "_subject_id");
  s.unit = Text(f, "_unit");
  s.state = Text(f, "_state");
  if (f.count("_pace")) s.pace = Text(f, "_pace");
  if (f.count("_closed_reason")) s.closed_reason = Text(f, "_closed_reason");
  s.workflow = Text(f, "_workflow");
  s.revision = static_cast<int>(Int(f, "_revision"));
  s.version = static_cast<uint64_t>(Int(f, "_version"));
  s.opened_at = Timestamp(std::chrono::microseconds(Int(f, "_opened_at")));
  s.last_recorded_at = Timestamp(std::chrono::microseconds(Int(f, "_last_recorded_at")));
  for (const auto& [k, v] : f) {
    if (k.rfind(kFactPrefix, 0) == 0) s.facts[k.substr(2)] = v;
  }
  return s;
}

}  // namespace casetrail::engine
