// HttpServer: Boost.Beast over Asio with C++20 coroutines. Sessions only do I/O: each request
// is read with a body limit, handed to Api::Handle on a pool of handler threads (handlers block
// on synced appends, and many in flight let group commit work), and the answer written back.
// SIGTERM/SIGINT stop accepting, let in-flight requests finish, then return.
// With a certificate and key the server speaks only TLS (1.2 and 1.3, OpenSSL through Asio's
// ssl_stream): a client that offers less, or plain HTTP, fails the handshake and is closed.
//
// Limits (docs/reliability.md): three deadlines, one per phase — reading a request (headers and
// body), waiting in the handler queue, writing the answer; a handler that has started is never
// cut short, so a committed answer is always written. The headers and the bearer token are
// checked before the body is read. Connections are capped in all and per client address, and the
// handler queue is bounded; beyond either the answer is 503 problem+json with Retry-After.
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
  int handler_threads = 64;
  size_t body_limit = 1 << 20;
  size_t target_limit = 8 << 10;   // the request target (path and query): 414 beyond
  size_t header_limit = 32 << 10;  // the request line and headers together: 431 beyond
  // Reading one request, from the first byte awaited (an idle kept-alive connection included) to
  // the end of its body; past it the connection is closed.
  std::chrono::milliseconds read_timeout{std::chrono::seconds(30)};
  // Waiting for a handler thread; a request not started by then is answered 503 without running.
  std::chrono::milliseconds queue_timeout{std::chrono::seconds(10)};
  // Writing the answer, counted from when the handler returned.
  std::chrono::milliseconds write_timeout{std::chrono::seconds(30)};
  std::chrono::seconds drain_timeout{10};
  size_t max_connections = 1024;
  size_t max_connections_per_address = 128;
  size_t max_queue = 256;  // requests waiting for a handler thread, beyond those running
  // TLS (both or neither): PEM files of the certificate chain and its private key. TLS 1.2 and
  // 1.3 only; every answer then carries Strict-Transport-Security.
  std::string tls_cert, tls_key;
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, Api* api, Metrics* metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens (loading the TLS certificate and key first, if given). kUnavailable if the
  // address cannot be bound; kInvalidArgument if the certificate or key cannot be used.
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
