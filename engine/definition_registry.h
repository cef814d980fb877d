// DefinitionRegistry: every revision of every workflow the engine knows. New cases take the
// newest revision adopted on or before their day; existing cases keep the revision recorded on
// them until a CaseMigrated event moves them; replay folds each event under its own revision.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/definition.h"

namespace casetrail::engine {

class DefinitionRegistry {
 public:
  // kAlreadyExists if that workflow revision is already registered.
  Status Add(WorkflowDefinition definition);
  // nullptr if unknown.
  const WorkflowDefinition* Find(const std::string& workflow, int revision) const;
  // The newest revision adopted on or before `date` (YYYY-MM-DD); nullptr if none.
  const WorkflowDefinition* Current(const std::string& workflow, const std::string& date) const;
  std::vector<const WorkflowDefinition*> All() const;

 private:
  std::map<std::pair<std::string, int>, WorkflowDefinition> definitions_;
};

}  // namespace casetrail::engine
