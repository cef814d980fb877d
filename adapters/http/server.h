// HttpServer: Boost.Beast over Asio with C++20 coroutines. Sessions only do I/O: each request
// is read with a timeout and a body limit, handed to Api::Handle on a worker pool (handlers
// block on synced appends, and many in flight let group commit work), and the answer written
// back. SIGTERM/SIGINT stop accepting, let in-flight requests finish, then return.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "adapters/http/api.h"

namespace casetrail::adapters {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port
  int io_threads = 2;
  int worker_threads = 64;
  size_t body_limit = 1 << 20;
  size_t target_limit = 8 << 10;   // the request target (path and query): 414 beyond
  size_t header_limit = 32 << 10;  // the request line and headers together: 431 beyond
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds drain_timeout{10};
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, Api* api, Metrics* metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens. kUnavailable if the address cannot be bound.
  Status Listen();
  uint16_t port() const;
  // Serves until SIGTERM/SIGINT or Stop(), then drains in-flight requests and returns.
  void Run();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "/v1/cases/{id}/commands" for "/v1/cases/C-12ab/commands?x=1": a metrics label without ids.
std::string RouteLabel(std::string_view target);

}  // namespace casetrail::adapters
