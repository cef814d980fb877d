// Fuzz target "definition": the workflow-definition loader (engine::ParseDefinition), which reads
// revision files and the definitions an admin registers. It must refuse, never crash, on any text.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine/definition.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto def = casetrail::engine::ParseDefinition(std::string_view(reinterpret_cast<const char*>(data), size));
  if (def.ok()) {
    // Walk what the runtime walks, so a definition that parses but is inconsistent shows here.
    for (const auto& state : def->states) (void)def->AllowedCommands(state);
    (void)def->InitialCommand();
    // The canonical form is what two registrations of one revision are compared by: it must
    // parse again to itself.
    auto again = casetrail::engine::ParseDefinition(def->canonical);
    if (!again.ok() || again->canonical != def->canonical) std::abort();
  }
  return 0;
}
