// OnlineApi: the CLI against a running server. Requests go over HTTP/1.1 (one keep-alive
// connection, reopened if the server closed it) with the bearer token read from --token-file.
// A server that cannot be reached answers status 0 with an "unreachable" problem naming the
// address, never a request's content.
#pragma once

#include <memory>
#include <string>

#include "adapters/cli/api_client.h"
#include "storage/base/result.h"

namespace casetrail::adapters {

class OnlineApi final : public ApiClient {
 public:
  // `url`: http://HOST:PORT (a path is ignored). The token file holds the token on its first line
  // and must not be readable by group or others.
  static Result<std::unique_ptr<OnlineApi>> Connect(const std::string& url, const std::string& token_file);
  ~OnlineApi() override;

  ApiResponse Call(const std::string& role, const std::string& unit, const std::string& method,
                   const std::string& target, const std::string& body = "", const std::string& idempotency_key = "",
                   const std::string& accept = "") override;

 private:
  struct Connection;
  OnlineApi(std::string host, std::string port, std::string token);
  std::string host_, port_, token_;
  std::unique_ptr<Connection> conn_;
};

}  // namespace casetrail::adapters
