#include "workflows/study_referral.h"

#include "workflows/embedded_definitions.h"

namespace casetrail::workflows {

Status RegisterStudyReferral(engine::DefinitionRegistry* registry) {
  CT_ASSIGN_OR_RETURN(engine::WorkflowModel model, engine::ParseModel(StudyReferralModelJson()));
  CT_RETURN_IF_ERROR(registry->AddModel(std::move(model)));
  for (std::string_view text : EmbeddedStudyReferralRevisions()) {
    CT_ASSIGN_OR_RETURN(engine::WorkflowDefinition def, engine::ParseDefinition(text));
    CT_RETURN_IF_ERROR(registry->Add(std::move(def)));
  }
  return Status::Ok();
}

}  // namespace casetrail::workflows
