// Conversions between JSON and the engine's field values.
#pragma once

#include <boost/json.hpp>

#include "engine/event.h"
#include "engine/value.h"
#include "storage/base/result.h"

namespace casetrail::adapters {

boost::json::value ToJson(const engine::Value& v);
boost::json::object ToJson(const engine::Fields& f);
// An event's envelope without its data: position, version, type, both times, actor, revision,
// hash. With `audit`, also auth method, legal basis, consent reference and correlation id.
boost::json::object EnvelopeJson(const engine::StoredEvent& e, bool audit = false);
// kInvalidArgument with "field" set if a value is not null, bool, integer, string or string list.
Result<engine::Fields> FieldsFromJson(const boost::json::object& o);

}  // namespace casetrail::adapters
