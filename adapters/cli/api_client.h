// ApiClient: how a CLI subcommand reaches the API. OfflineApi runs the handlers in-process on a
// data directory no server holds; OnlineApi sends the same requests over HTTP to a running
// server (--url, --token-file). Both answer with the API's own response, so every subcommand
// prints the same thing either way.
#pragma once

#include <string>

#include "adapters/http/problem.h"

namespace casetrail::adapters {

class ApiClient {
 public:
  virtual ~ApiClient() = default;
  // `role`/`unit` choose the operator's identity offline; online the token decides who calls.
  virtual ApiResponse Call(const std::string& role, const std::string& unit, const std::string& method,
                           const std::string& target, const std::string& body = "",
                           const std::string& idempotency_key = "", const std::string& accept = "") = 0;
};

}  // namespace casetrail::adapters
