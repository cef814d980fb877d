#include "replay/case_directory.h"

#include <algorithm>
#include <condition_variable>

#include "engine/state_machine.h"

namespace casetrail::replay {

CaseDirectory::CaseDirectory(storage::Log* log, const engine::DefinitionRegistry* registry) : registry_(registry) {
  subscription_ = log->Subscribe(Position(1), [this](const storage::RecordedEvent& r) { OnEvent(r); });
}

CaseDirectory::~CaseDirectory() { subscription_.reset(); }

void CaseDirectory::OnEvent(const storage::RecordedEvent& r) {
  std::lock_guard lock(mu_);
  position_ = r.position;
  const std::string& stream = r.stream.value();
  if (stream.rfind("case:", 0) == 0) {
    auto ev = engine::DecodeStored(r, engine::EventParts::kFold);
    if (ev.ok()) {
      if (const auto* def = registry_->Find(ev->event.meta.workflow, ev->event.meta.revision)) {
        engine::CaseState& s = cases_[stream.substr(5)];
        engine::Apply(s, *ev, *def, engine::FoldFacts::kDrop);  // the directory keeps no facts
      }
    }
  } else if (stream.rfind("responsible:", 0) == 0) {
    auto ev = engine::DecodeStored(r, engine::EventParts::kFold);
    const std::string* party = ev.ok() ? engine::AsText(ev->event.facts, "party") : nullptr;
    const std::string* person = ev.ok() ? engine::AsText(ev->event.facts, "person") : nullptr;
    if (party && person) responsible_[stream.substr(12)][*party] = *person;
  }
  cv_.notify_all();
}

std::vector<CaseSummary> CaseDirectory::List(const std::optional<std::string>& unit,
                                             const std::optional<std::string>& state, const std::string& after,
                                             size_t limit, const std::optional<std::string>& responsible) const {
  std::lock_guard lock(mu_);
  std::vector<CaseSummary> out;
  for (auto it = cases_.upper_bound(after); it != cases_.end() && out.size() < limit; ++it) {
    const auto& s = it->second;
    if ((unit && s.unit != *unit) || (state && s.state != *state)) continue;
    auto who = responsible_.find(it->first);
    static const std::map<std::string, std::string> kNone;
    const auto& parties = who == responsible_.end() ? kNone : who->second;
    if (responsible && std::none_of(parties.begin(), parties.end(), [&](const auto& p) { return p.second == *responsible; })) {
      continue;
    }
    out.push_back({it->first, s.subject_id, s.unit, s.state, s.opened_at, s.version, parties});
  }
  return out;
}

bool CaseDirectory::WaitFor(Position position, int timeout_ms) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return position_ >= position; });
}

Position CaseDirectory::position() const {
  std::lock_guard lock(mu_);
  return position_;
}

}  // namespace casetrail::replay
