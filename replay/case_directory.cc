#include "replay/case_directory.h"

#include <algorithm>
#include <condition_variable>

#include "engine/state_machine.h"
#include "replay/read_model_body.h"
#include "replay/read_models.capnp.h"

namespace casetrail::replay {

namespace {
constexpr char kCheckpointName[] = "case-directory";
}  // namespace

CaseDirectory::CaseDirectory(storage::Log* log, const engine::DefinitionRegistry* registry,
                             const ReadModelCheckpoints* checkpoints)
    : registry_(registry), checkpoints_(checkpoints) {
  fold_ = std::make_unique<ResumingFold>(
      log, checkpoints_, kCheckpointName, kCheckpointFormat,
      [this](const auto& loaded) { return DecodeState(loaded.body, {loaded.position, loaded.hash}); },
      [this](const storage::RecordedEvent& r) { OnEvent(r); });
}

CaseDirectory::~CaseDirectory() { fold_.reset(); }

void CaseDirectory::OnEvent(const storage::RecordedEvent& r) {
  std::lock_guard lock(mu_);
  folded_ = {r.position, r.hash};
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
  return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return folded_.position >= position; });
}

Position CaseDirectory::position() const {
  std::lock_guard lock(mu_);
  return folded_.position;
}

std::string CaseDirectory::EncodeState() const {
  capnp::MallocMessageBuilder m;
  auto root = m.initRoot<schema::CaseDirectoryState>();
  auto cases = root.initCases(static_cast<unsigned>(cases_.size()));
  unsigned i = 0;
  for (const auto& [id, state] : cases_) {
    cases[i].setId(id);
    SetFolded(cases[i++].initFolded(), state);
  }
  auto responsible = root.initResponsible(static_cast<unsigned>(responsible_.size()));
  i = 0;
  for (const auto& [id, parties] : responsible_) {
    responsible[i].setCaseId(id);
    auto list = responsible[i++].initParties(static_cast<unsigned>(parties.size()));
    unsigned k = 0;
    for (const auto& [party, person] : parties) {
      list[k].setKey(party);
      list[k++].setValue(person);
    }
  }
  return BodyOf(m);
}

bool CaseDirectory::DecodeState(std::string_view body, const FoldedTo& at) {
  std::map<std::string, engine::CaseState> cases;
  std::map<std::string, std::map<std::string, std::string>> responsible;
  const bool read = ReadBody<schema::CaseDirectoryState>(body, [&](auto root) {
    for (auto c : root.getCases()) {
      auto it = cases.emplace_hint(cases.end(), c.getId().cStr(), engine::CaseState{});
      GetFolded(c.getFolded(), it->first, &it->second);
    }
    for (auto r : root.getResponsible()) {
      auto& parties = responsible[r.getCaseId().cStr()];
      for (auto p : r.getParties()) parties[p.getKey().cStr()] = p.getValue().cStr();
    }
    return true;
  });
  if (!read) return false;
  std::lock_guard lock(mu_);
  cases_ = std::move(cases);
  responsible_ = std::move(responsible);
  folded_ = at;
  cv_.notify_all();
  return true;
}

Status CaseDirectory::SaveCheckpoint() const {
  if (!checkpoints_) return Status(StatusCode::kFailedPrecondition, "the case directory has no checkpoint folder");
  std::string body;
  FoldedTo at;
  {
    std::lock_guard lock(mu_);
    at = folded_;
    body = EncodeState();
  }
  return checkpoints_->SaveFolded(kCheckpointName, kCheckpointFormat, at, body);
}

}  // namespace casetrail::replay
