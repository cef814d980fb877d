// The subject's personal data as responses show it (read by replay/subject_personal.h).
#pragma once

#include <boost/json.hpp>

#include "engine/value.h"

namespace casetrail::adapters {

// {"name","personal_number","contact":{"phone","email"}}
boost::json::object SubjectJson(const engine::Fields& f);

}  // namespace casetrail::adapters
