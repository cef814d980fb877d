#include "adapters/http/server.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <set>
#include <thread>

namespace casetrail::adapters {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

std::string RouteLabel(std::string_view target) {
  target = target.substr(0, target.find('?'));
  std::string out;
  size_t i = 1;
  std::string previous;
  while (i <= target.size()) {
    size_t end = target.find('/', i);
    if (end == std::string_view::npos) end = target.size();
    std::string seg(target.substr(i, end - i));
    bool id = (previous == "cases" || previous == "subjects" || previous == "deviations") && seg != "lookup";
    // Only route names become labels: an arbitrary path must not grow the series without bound.
    static const std::set<std::string> kNames = {
        "healthz", "metrics", "v1", "subjects", "lookup", "consents", "withdraw", "erasure", "extract", "cases",
        "commands", "events", "audit", "verify", "checkpoints", "latest", "workflows", "openapi.json", "admin", "clock",
        "legal-hold", "lift", "retention", "run", "indicators", "snapshots", "decisions", "deviations", "audits",
        "activities", "handled", "samples", "reminders", "meetings", "lists", "monthly", "progression", "publish"};
    if (!id && !kNames.count(seg)) return "other";
    out += "/" + (id ? std::string("{id}") : seg);
    previous = seg;
    i = end + 1;
  }
  return out.empty() ? "/" : out;
}

struct HttpServer::Impl {
  ServerOptions options;
  Api* api;
  Metrics* metrics;
  net::io_context ioc;
  net::thread_pool workers;
  tcp::acceptor acceptor{ioc};
  net::signal_set signals{ioc, SIGTERM, SIGINT};
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};

  Impl(ServerOptions o, Api* a, Metrics* m)
      : options(std::move(o)), api(a), metrics(m), workers(static_cast<size_t>(options.worker_threads)) {}

  static ApiRequest ToApi(const http::request<http::string_body>& req) {
    auto header = [&](http::field f) { return std::string(req[f]); };
    return ApiRequest{std::string(req.method_string()), std::string(req.target()), header(http::field::content_type),
                      header(http::field::authorization), std::string(req["Idempotency-Key"]),
                      std::string(req["X-Purpose"]), header(http::field::accept), req.body()};
  }

  net::awaitable<void> Write(beast::tcp_stream& stream, const ApiResponse& r, unsigned version, bool keep_alive) {
    http::response<http::string_body> res{static_cast<http::status>(r.status), version};
    res.set(http::field::server, "casetrail");
    res.set(http::field::content_type, r.content_type);
    res.set(http::field::cache_control, "no-store");
    for (const auto& [k, v] : r.headers) res.set(k, v);
    res.keep_alive(keep_alive);
    res.body() = r.body;
    res.prepare_payload();
    co_await http::async_write(stream, res, net::as_tuple(net::use_awaitable));
  }

  net::awaitable<void> Session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      stream.expires_after(options.read_timeout);
      http::request_parser<http::string_body> parser;
      parser.body_limit(options.body_limit);
      parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
      auto [ec, n] = co_await http::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
      if (ec == http::error::body_limit) {
        co_await Write(stream, Problem(413, "payload_too_large", "the body is larger than 1 MiB"), 11, false);
        break;
      }
      if (ec == http::error::header_limit) {
        co_await Write(stream, Problem(431, "headers_too_large", "the request line and headers exceed 32 KiB"), 11, false);
        break;
      }
      if (ec) break;
      if (parser.get().target().size() > options.target_limit) {
        co_await Write(stream, Problem(414, "uri_too_long", "the request target exceeds 8 KiB"), parser.get().version(), false);
        break;
      }
      ++in_flight;
      const auto start = std::chrono::steady_clock::now();
      auto& req = parser.get();
      ApiRequest api_request = ToApi(req);
      // Run the handler on the worker pool: it may block on a synced append.
      ApiResponse response = co_await net::co_spawn(
          workers.get_executor(),
          [this, &api_request]() -> net::awaitable<ApiResponse> {
            try {
              co_return api->Handle(api_request);
            } catch (const std::exception&) {
              spdlog::error("request handler threw; answered 500");
              co_return Problem(500, "internal", "internal error");
            } catch (...) {  // not a std::exception (say a kj::Exception from Cap'n Proto)
              spdlog::error("request handler threw a non-standard exception; answered 500");
              co_return Problem(500, "internal", "internal error");
            }
          },
          net::use_awaitable);
      metrics->ObserveRequest(RouteLabel(api_request.target), response.status,
                              std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start));
      const bool keep = req.keep_alive() && !stopping;
      co_await Write(stream, response, req.version(), keep);
      --in_flight;
      if (!keep) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  net::awaitable<void> Accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(net::as_tuple(net::use_awaitable));
      if (ec) co_return;  // closed on shutdown
      net::co_spawn(ioc, Session(std::move(socket)), [](std::exception_ptr e) {
        if (e) spdlog::warn("a session ended with an exception");
      });
    }
  }
};

HttpServer::HttpServer(ServerOptions options, Api* api, Metrics* metrics)
    : impl_(std::make_unique<Impl>(std::move(options), api, metrics)) {}

HttpServer::~HttpServer() {
  impl_->workers.join();
}

Status HttpServer::Listen() {
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->options.address, ec);
  if (ec) return InvalidArgument("--listen address is not an IP address");
  tcp::endpoint endpoint(address, impl_->options.port);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Unavailable("cannot listen on " + impl_->options.address + ":" + std::to_string(impl_->options.port) + ": " + ec.message());
  return Status::Ok();
}

uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::Stop() {
  net::post(impl_->ioc, [impl = impl_.get()] {
    impl->stopping = true;
    beast::error_code ec;
    impl->acceptor.close(ec);
    impl->signals.cancel(ec);
  });
}

void HttpServer::Run() {
  Impl& s = *impl_;
  s.signals.async_wait([this](const beast::error_code& ec, int) {
    if (!ec) {
      spdlog::info("signal received: draining");
      Stop();
    }
  });
  net::co_spawn(s.ioc, s.Accept(), net::detached);
  std::vector<std::thread> threads;
  for (int i = 0; i < s.options.io_threads; ++i) threads.emplace_back([&s] { s.ioc.run(); });
  // Wait for a stop, then for in-flight requests (bounded), then stop the I/O threads.
  while (!s.stopping) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto deadline = std::chrono::steady_clock::now() + s.options.drain_timeout;
  while (s.in_flight > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  s.ioc.stop();
  for (auto& t : threads) t.join();
}

}  // namespace casetrail::adapters
