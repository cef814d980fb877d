#include "engine/definition_registry.h"

namespace casetrail::engine {

Status DefinitionRegistry::Add(WorkflowDefinition d) {
  auto key = std::make_pair(d.workflow, d.revision);
  if (definitions_.count(key)) return AlreadyExists("workflow revision registered twice: " + d.Name());
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
