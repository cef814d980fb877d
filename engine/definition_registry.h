// DefinitionRegistry: every revision of every workflow the engine knows, and each workflow's
// model (engine/model.h). New cases take the newest revision adopted on or before their day;
// existing cases keep the revision recorded on them until a CaseMigrated event moves them;
// replay folds each event under its own revision.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/definition.h"
#include "engine/model.h"

namespace casetrail::engine {

class DefinitionRegistry {
 public:
  // A workflow's model comes before its revisions. kAlreadyExists if that version is known with
  // other content (the same content again is a no-op).
  Status AddModel(WorkflowModel model);
  // The newest model version of `workflow`; nullptr if none.
  const WorkflowModel* Model(const std::string& workflow) const;

  // Checks the definition against its workflow's model (roles, consent scopes, parties) and
  // takes the model's case rules. kFailedPrecondition without a model; kInvalidArgument when the
  // definition names what the model lacks; kAlreadyExists if that revision is already registered.
  Status Add(WorkflowDefinition definition);
  // nullptr if unknown.
  const WorkflowDefinition* Find(const std::string& workflow, int revision) const;
  // The newest revision adopted on or before `date` (YYYY-MM-DD); nullptr if none.
  const WorkflowDefinition* Current(const std::string& workflow, const std::string& date) const;
  std::vector<const WorkflowDefinition*> All() const;

 private:
  std::map<std::pair<std::string, int>, WorkflowDefinition> definitions_;
  std::map<std::pair<std::string, int>, WorkflowModel> models_;
};

// Checks what `definition` names against `model`: every role, consent scope and party.
Status CheckAgainstModel(const WorkflowDefinition& definition, const WorkflowModel& model);

}  // namespace casetrail::engine
