// The indicator definitions in force: workflows/indicators/study-cooperation-<version>.json,
// embedded at build time. Like a workflow revision it is versioned data, set yearly by the
// operational steering group (DOMAIN §5.2); every published indicator snapshot names its version.
#pragma once

#include <string_view>

namespace casetrail::workflows {

std::string_view IndicatorDefinitionsJson();

}  // namespace casetrail::workflows
