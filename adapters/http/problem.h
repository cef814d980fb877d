// Errors as application/problem+json (RFC 9457) with the API.md codes. `detail` never repeats
// input values: they may be personal data.
#pragma once

#include <boost/json.hpp>
#include <string>

#include "storage/base/status.h"

namespace casetrail::adapters {

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

ApiResponse Json(int status, const boost::json::value& body);
ApiResponse Problem(int status, const std::string& code, const std::string& detail,
                    const boost::json::object& extra = {});
// Maps an engine or storage Status to its HTTP status and problem body.
ApiResponse FromStatus(const Status& status);

}  // namespace casetrail::adapters
