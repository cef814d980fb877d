// Workflow revisions adopted at run time (`casetrail serve --workflow FILE`): a site changes a
// timer's delay or a rule without a rebuild by adopting a new revision. The definition itself is
// kept in the log — one `WorkflowRevisionRegistered{workflow, revision, adopted, definition}` on
// the stream "workflows" — so the hash chain covers it, backups carry it, and every later start
// and every offline command replays the cases under it even without the file. A revision is
// immutable: registering one again with other content is refused.
#pragma once

#include <string_view>

#include "engine/clock.h"
#include "engine/definition_registry.h"
#include "engine/guard.h"
#include "storage/log.h"

namespace casetrail::engine {

inline constexpr char kWorkflowsStream[] = "workflows";

// Workflow models (engine/model.h) are kept the same way: `WorkflowModelRegistered{workflow,
// model, definition}` on the same stream, written once per version at start (the built-in model)
// or by `casetrail serve --model FILE` (a new version: other roles' rights, a new unit), and
// loaded before the revisions that follow them. The newest version is the one in force.
//
// Adds every model and revision registered in the log to `registry`. A revision already in the registry
// (say, embedded) must match it (kFailedPrecondition otherwise: the log and the binary disagree).
// Returns how many were added.
Result<int> LoadRegisteredRevisions(storage::Log& log, DefinitionRegistry* registry);

// Registers the definition `text`: checks it (ParseDefinition, and every guard it names is in
// `guards`), then appends it to the log and adds it to `registry`. Returns false when that
// revision is already known with the same content (nothing is written). kInvalidArgument for a
// malformed definition; kAlreadyExists when the revision is known with other content.
Result<bool> RegisterRevision(storage::Log& log, DefinitionRegistry* registry, const GuardTable& guards,
                              std::string_view text, Timestamp now);

// Records the model `text` in the log once (a no-op when that version is on record with the same
// content) and adds it to `registry`. kInvalidArgument for a malformed model; kAlreadyExists
// when the version is known with other content (a model version is immutable: adopt a new one).
Status RegisterModel(storage::Log& log, DefinitionRegistry* registry, std::string_view text, Timestamp now);

}  // namespace casetrail::engine
