// Conversions between JSON and the engine's field values.
#pragma once

#include <boost/json.hpp>

#include "engine/value.h"
#include "storage/base/result.h"

namespace casetrail::adapters {

boost::json::value ToJson(const engine::Value& v);
boost::json::object ToJson(const engine::Fields& f);
// kInvalidArgument with "field" set if a value is not null, bool, integer, string or string list.
Result<engine::Fields> FieldsFromJson(const boost::json::object& o);

}  // namespace casetrail::adapters
