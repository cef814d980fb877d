#include "engine/registered_revisions.h"

#include <spdlog/spdlog.h>

#include "engine/cooperation_records.h"
#include "engine/event.h"

namespace casetrail::engine {
namespace {

// Known already: same content is fine (false), other content is refused.
Result<bool> IsNew(const DefinitionRegistry& registry, const WorkflowDefinition& d) {
  const WorkflowDefinition* known = registry.Find(d.workflow, d.revision);
  if (!known) return true;
  if (known->canonical == d.canonical) return false;
  return AlreadyExists("workflow revision " + d.Name() +
                       " is already registered with other content; a revision is immutable: adopt a new one");
}

}  // namespace

Result<int> LoadRegisteredRevisions(storage::Log& log, DefinitionRegistry* registry) {
  CT_ASSIGN_OR_RETURN(auto records, log.ReadStream(StreamId(kWorkflowsStream), StreamVersion(1),
                                                   storage::Direction::kForward, 100000));
  int added = 0;
  for (const auto& r : records) {
    if (r.type == "WorkflowModelRegistered") {
      CT_ASSIGN_OR_RETURN(StoredEvent e, DecodeStored(r));
      const std::string* text = AsText(e.event.facts, "definition");
      if (!text) return DataLoss("WorkflowModelRegistered without its definition");
      CT_ASSIGN_OR_RETURN(WorkflowModel m, ParseModel(*text));
      const std::string name = m.workflow + " model " + std::to_string(m.version);
      if (!registry->AddModel(std::move(m)).ok()) return FailedPrecondition("the log's " + name + " differs from the one built in");
      continue;
    }
    if (r.type != "WorkflowRevisionRegistered") continue;
    CT_ASSIGN_OR_RETURN(StoredEvent e, DecodeStored(r));
    const std::string* text = AsText(e.event.facts, "definition");
    if (!text) return DataLoss("WorkflowRevisionRegistered without its definition");
    CT_ASSIGN_OR_RETURN(WorkflowDefinition d, ParseDefinition(*text));
    auto fresh = IsNew(*registry, d);
    if (!fresh.ok()) return FailedPrecondition("the log's " + d.Name() + " differs from the one built in");
    if (!*fresh) continue;
    CT_RETURN_IF_ERROR(registry->Add(std::move(d)));
    ++added;
  }
  return added;
}

Result<bool> RegisterRevision(storage::Log& log, DefinitionRegistry* registry, const GuardTable& guards,
                              std::string_view text, Timestamp now) {
  CT_ASSIGN_OR_RETURN(WorkflowDefinition d, ParseDefinition(text));
  for (const auto& c : d.commands) {
    for (const auto& g : c.guards) {
      if (!guards.count(g)) return InvalidArgument("workflow definition: command " + c.name + " names unknown guard '" + g + "'");
    }
  }
  CT_ASSIGN_OR_RETURN(bool fresh, IsNew(*registry, d));
  if (!fresh) return false;
  auto appended = AppendRecordOnce(log, StreamId(kWorkflowsStream), "WorkflowRevisionRegistered",
                                   Actor{"operator", "system", "", "system", ""},
                                   {{"workflow", d.workflow}, {"revision", int64_t{d.revision}}, {"adopted", d.adopted},
                                    {"definition", d.canonical}},
                                   now, "workflow-revision:" + d.Name(), d.canonical);
  if (!appended.ok() && appended.status().code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("workflow revision " + d.Name() + " was registered concurrently with other content");
  }
  CT_RETURN_IF_ERROR(appended.status());
  spdlog::info("workflow revision {} registered (adopted {})", d.Name(), d.adopted);
  CT_RETURN_IF_ERROR(registry->Add(std::move(d)));
  return true;
}

Status RegisterModel(storage::Log& log, DefinitionRegistry* registry, std::string_view text, Timestamp now) {
  CT_ASSIGN_OR_RETURN(WorkflowModel m, ParseModel(text));
  const std::string name = m.workflow + "@model" + std::to_string(m.version);
  for (const WorkflowModel* known = registry->Model(m.workflow); known && known->version == m.version;) {
    if (known->canonical != m.canonical) {
      return AlreadyExists("workflow model " + name + " is already registered with other content; adopt a new version");
    }
    break;
  }
  auto appended = AppendRecordOnce(log, StreamId(kWorkflowsStream), "WorkflowModelRegistered",
                                   Actor{"operator", "system", "", "system", ""},
                                   {{"workflow", m.workflow}, {"model", int64_t{m.version}}, {"definition", m.canonical}},
                                   now, "workflow-model:" + name, m.canonical);
  if (!appended.ok() && appended.status().code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("workflow model " + name + " is on record with other content; adopt a new version");
  }
  CT_RETURN_IF_ERROR(appended.status());
  return registry->AddModel(std::move(m));
}

}  // namespace casetrail::engine
