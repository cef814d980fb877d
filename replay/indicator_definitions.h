// Indicator definitions (targets, baselines) as versioned data adopted by recorded decisions.
//
// The built-in version (workflows/indicators/*.json) is in force until a decision of the
// strategic or operational steering group adopts another: POST /v1/decisions with
// `indicator_definitions` and `effective_from` appends IndicatorDefinitionsAdopted{id, version,
// effective_from, registry_number, definitions} to the decision stream with the decision, in one
// append. A period's figures are judged under the version in force on the period's first day, so
// a new year's targets apply from that year without a rebuild and last year's answers keep theirs.
// Every indicator answer names the version it used.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "storage/log.h"

namespace casetrail::replay {

struct IndicatorDefinitions {
  std::string id;              // e.g. "study-cooperation"
  std::string version;         // e.g. "2026-1"
  std::string effective_from;  // YYYY-MM-DD; "" for the built-in version (in force from the start)
  std::string decision_ref;    // the decision's registry number (or the built-in file's reference)
  boost::json::object doc;     // the document: "indicators": [{id, key, label, target}]

  std::string Name() const { return id + "@" + version; }
};

// Checks a definitions document: id, version, and for each indicator a known key and a target of
// a known kind with the values it needs. kInvalidArgument naming the element.
Result<IndicatorDefinitions> ParseIndicatorDefinitions(const boost::json::value& doc);

// The built-in version, then every version adopted in the log's decision stream, in order.
Result<std::vector<IndicatorDefinitions>> LoadIndicatorDefinitions(storage::Log& log, std::string_view builtin);

// The version in force on `date` (YYYY-MM-DD): the latest adopted whose effective_from is on or
// before it (a later adoption of the same day wins), else the built-in one (`all` is not empty).
const IndicatorDefinitions& InForce(const std::vector<IndicatorDefinitions>& all, const std::string& date);

}  // namespace casetrail::replay
