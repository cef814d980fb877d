#include "engine/definition_registry.h"

#include <algorithm>

namespace casetrail::engine {

namespace {
Status Bad(const WorkflowDefinition& d, const std::string& what) {
  return InvalidArgument("workflow definition " + d.Name() + ": " + what);
}
}  // namespace

Status CheckAgainstModel(const WorkflowDefinition& d, const WorkflowModel& m) {
  auto scope = [&](const std::string& s, const std::string& where) -> Status {
    if (!m.Scope(s)) return Bad(d, where + " names unknown consent scope '" + s + "'");
    return Status::Ok();
  };
  for (const auto& c : d.commands) {
    for (const auto& r : c.roles) {
      if (!m.Role(r)) return Bad(d, c.name + " names unknown role '" + r + "'");
    }
    for (const auto& s : c.consent) CT_RETURN_IF_ERROR(scope(s, c.name));
  }
  for (const auto& [name, e] : d.events) {
    if (!e.party.empty() && std::find(m.parties.begin(), m.parties.end(), e.party) == m.parties.end()) {
      return Bad(d, "event " + name + " names unknown party '" + e.party + "'");
    }
    if (!e.share_scope.empty()) CT_RETURN_IF_ERROR(scope(e.share_scope, "event " + name));
  }
  for (const auto& t : d.timers) {
    for (const auto& s : t.consent) CT_RETURN_IF_ERROR(scope(s, "timer " + t.name));
  }
  const auto& states = d.states;
  if (std::find(states.begin(), states.end(), m.closed_state) == states.end()) {
    return Bad(d, "lacks the model's closed state '" + m.closed_state + "'");
  }
  return Status::Ok();
}

Status DefinitionRegistry::AddModel(WorkflowModel m) {
  auto key = std::make_pair(m.workflow, m.version);
  if (auto it = models_.find(key); it != models_.end()) {
    if (it->second.canonical == m.canonical) return Status::Ok();
    return AlreadyExists("workflow model registered twice with other content: " + m.workflow);
  }
  models_.emplace(key, std::move(m));
  return Status::Ok();
}

const WorkflowModel* DefinitionRegistry::Model(const std::string& workflow) const {
  const WorkflowModel* best = nullptr;
  for (const auto& [key, m] : models_) {
    if (key.first == workflow) best = &m;  // ascending versions: the last is the newest
  }
  return best;
}

Status DefinitionRegistry::Add(WorkflowDefinition d) {
  auto key = std::make_pair(d.workflow, d.revision);
  if (definitions_.count(key)) return AlreadyExists("workflow revision registered twice: " + d.Name());
  const WorkflowModel* model = Model(d.workflow);
  if (!model) return FailedPrecondition("no model for workflow " + d.workflow);
  CT_RETURN_IF_ERROR(CheckAgainstModel(d, *model));
  d.rules = CaseRules{model->closed_state, model->pace_states};
  definitions_.emplace(key, std::move(d));
  return Status::Ok();
}

const WorkflowDefinition* DefinitionRegistry::Find(const std::string& workflow, int revision) const {
  auto it = definitions_.find({workflow, revision});
  return it == definitions_.end() ? nullptr : &it->second;
}

const WorkflowDefinition* DefinitionRegistry::Current(const std::string& workflow, const std::string& date) const {
  const WorkflowDefinition* best = nullptr;
  for (const auto& [key, d] : definitions_) {
    if (key.first == workflow && d.adopted <= date && (!best || d.revision > best->revision)) best = &d;
  }
  return best;
}

std::vector<const WorkflowDefinition*> DefinitionRegistry::All() const {
  std::vector<const WorkflowDefinition*> out;
  for (const auto& [_, d] : definitions_) out.push_back(&d);
  return out;
}

}  // namespace casetrail::engine
