#include "adapters/http/server.h"

#include <kj/exception.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "adapters/http/connection_limits.h"
#include "storage/base/failpoint.h"

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
    bool id = (previous == "cases" || previous == "subjects" || previous == "deviations") && seg != "lookup" && seg != "search";
    // Only route names become labels: an arbitrary path must not grow the series without bound.
    static const std::set<std::string> kNames = {
        "healthz", "metrics", "v1", "subjects", "lookup", "search", "consents", "notices", "reserves", "revoke", "responsible", "withdraw", "erasure", "extract", "cases",
        "commands", "events", "audit", "verify", "checkpoints", "latest", "workflows", "openapi.json", "admin", "clock",
        "legal-hold", "lift", "retention", "run", "indicators", "snapshots", "decisions", "deviations", "audits",
        "activities", "handled", "samples", "reminders", "meetings", "lists", "monthly", "progression", "publish", "records",
        "auth", "config", "login", "callback", "logout", "work", "strategic-meetings", "cadences",
        "cooperation-activities", "rows", "selection"};
    if (!id && !kNames.count(seg)) return "other";
    out += "/" + (id ? std::string("{id}") : seg);
    previous = seg;
    i = end + 1;
  }
  return out.empty() ? "/" : out;
}

namespace {

using Clock = std::chrono::steady_clock;

// Connections answered 503 at accept at the same time; past this a refused connection is closed
// at once, so a flood cannot hold descriptors in refusals either.
constexpr int kMaxRejecting = 64;
// How long a closing connection may still deliver bytes we discard, so the answer already sent
// is not destroyed by a reset (unread input at close makes the kernel send RST).
constexpr auto kLinger = std::chrono::seconds(1);
// One year, as browsers' preload lists ask; sent only over TLS (RFC 6797 ignores it over HTTP).
constexpr const char* kHsts = "max-age=31536000; includeSubDomains";

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// The raw connection under a stream, plain or TLS.
beast::tcp_stream& Tcp(beast::tcp_stream& s) { return s; }
beast::tcp_stream& Tcp(TlsStream& s) { return beast::get_lowest_layer(s); }

ApiResponse Overloaded(const char* limit, const std::string& detail) {
  ApiResponse r = Problem(503, "overloaded", detail, {{"limit", limit}});
  r.headers.emplace_back("Retry-After", "2");
  return r;
}

// Test-only faults on /v1 routes (CASETRAIL_FAILPOINT, storage/base/failpoint.h): a handler that
// throws what is not a std::exception, and one that runs long after it has committed.
void InjectFaultBefore(const ApiRequest& r) {
  if (r.target.rfind("/v1/", 0) == 0 && FailpointArmed("handler-throws-kj")) {
    throw kj::Exception(kj::Exception::Type::FAILED, __FILE__, __LINE__, kj::heapString("injected by a test"));
  }
}
void InjectFaultAfter(const ApiRequest& r) {
  if (r.target.rfind("/v1/", 0) == 0 && FailpointArmed("handler-slow")) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  }
}

// The answer to a failed read, when there is one to give (else the connection just closes).
std::optional<ApiResponse> ReadFailure(const beast::error_code& ec, const ServerOptions& o) {
  if (ec == http::error::body_limit) {
    return Problem(413, "payload_too_large", "the body is larger than " + std::to_string(o.body_limit >> 10) + " KiB");
  }
  if (ec == http::error::header_limit) {
    return Problem(431, "headers_too_large", "the request line and headers exceed " + std::to_string(o.header_limit >> 10) + " KiB");
  }
  return std::nullopt;
}

}  // namespace

struct HttpServer::Impl {
  // Declared before the io_context: sessions suspended at shutdown are destroyed with it, and
  // their guards still count down here.
  ServerOptions options;
  Api* api;
  Metrics* metrics;
  ServerGauges& gauges;
  ConnectionLimits limits;
  std::atomic<size_t> admitted{0};  // requests queued for or running in a handler
  std::atomic<int> rejecting{0};    // connections being answered 503 at accept
  // Run() waits on state_cv for a stop, then for the requests in flight to finish.
  std::mutex state_mu;
  std::condition_variable state_cv;
  std::atomic<bool> stopping{false};  // written under state_mu
  int in_flight = 0;                  // guarded by state_mu

  net::thread_pool handlers;
  net::io_context ioc;
  std::unique_ptr<net::ssl::context> tls;  // set by Listen when a certificate is given
  tcp::acceptor acceptor{ioc};
  net::signal_set signals{ioc, SIGTERM, SIGINT};

  Impl(ServerOptions o, Api* a, Metrics* m)
      : options(std::move(o)), api(a), metrics(m), gauges(m->server()),
        limits(options.max_connections, options.max_connections_per_address),
        handlers(static_cast<size_t>(options.handler_threads)) {}

  // A request from dispatch until its answer is written (or failed): what shutdown waits for.
  struct InFlight {
    Impl* s;
    explicit InFlight(Impl* impl) : s(impl) {
      std::lock_guard lock(s->state_mu);
      ++s->in_flight;
      ++s->gauges.in_flight;
    }
    ~InFlight() {
      {
        std::lock_guard lock(s->state_mu);
        --s->in_flight;
        --s->gauges.in_flight;
      }
      s->state_cv.notify_all();
    }
  };

  static ApiRequest ToApi(const http::request<http::string_body>& req) {
    auto header = [&](http::field f) { return std::string(req[f]); };
    return ApiRequest{std::string(req.method_string()), std::string(req.target()), header(http::field::content_type),
                      header(http::field::authorization), std::string(req["Idempotency-Key"]),
                      std::string(req["X-Purpose"]), header(http::field::accept), "",
                      std::string(req["X-Acting-For"]), ""};
  }

  template <class Stream>
  net::awaitable<beast::error_code> Write(Stream& stream, const ApiResponse& r, unsigned version, bool keep_alive) {
    http::response<http::string_body> res{static_cast<http::status>(r.status), version};
    res.set(http::field::server, "casetrail");
    if (tls) res.set(http::field::strict_transport_security, kHsts);
    res.set(http::field::content_type, r.content_type);
    res.set(http::field::cache_control, "no-store");
    for (const auto& [k, v] : r.headers) {
      if (k == "Set-Cookie") res.insert(k, v);  // one header per cookie
      else res.set(k, v);
    }
    res.keep_alive(keep_alive);
    res.body() = r.body;
    res.prepare_payload();
    auto [ec, n] = co_await http::async_write(stream, res, net::as_tuple(net::use_awaitable));
    co_return ec;
  }

  // Half-closes, then discards what the peer still sends (into a small buffer, never kept) until
  // it closes or kLinger passes.
  static net::awaitable<void> LingeringClose(beast::tcp_stream& stream) {
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream.expires_after(kLinger);
    char scratch[4096];
    for (;;) {
      auto [read_ec, n] = co_await stream.async_read_some(net::buffer(scratch), net::as_tuple(net::use_awaitable));
      if (read_ec) break;
    }
    stream.socket().close(ec);
  }
  // Over TLS: close_notify first (bounded by kLinger), then the same on the TCP connection.
  static net::awaitable<void> LingeringClose(TlsStream& stream) {
    Tcp(stream).expires_after(kLinger);
    co_await stream.async_shutdown(net::as_tuple(net::use_awaitable));
    co_await LingeringClose(Tcp(stream));
  }
  static void Close(beast::tcp_stream& stream) {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }
  static net::awaitable<void> CloseAwaitable(beast::tcp_stream& stream) {
    Close(stream);
    co_return;
  }
  static net::awaitable<void> CloseAwaitable(TlsStream& stream) {
    Tcp(stream).expires_after(kLinger);
    co_await stream.async_shutdown(net::as_tuple(net::use_awaitable));
    Close(Tcp(stream));
  }

  // Runs the API on a handler thread. Whatever it throws, std or not (a kj::Exception from
  // Cap'n Proto), is a 500 whose body and log line carry no request data.
  ApiResponse RunHandler(const ApiRequest& request) {
    try {
      InjectFaultBefore(request);
      ApiResponse response = api->Handle(request);
      InjectFaultAfter(request);
      return response;
    } catch (const std::exception&) {
      spdlog::error("request handler on {} threw; answered 500", RouteLabel(request.target));
    } catch (...) {
      spdlog::error("request handler on {} threw a non-standard exception; answered 500", RouteLabel(request.target));
    }
    return Problem(500, "internal", "internal error");
  }

  // Hands the request to a handler thread through a bounded queue. A full queue, or a wait past
  // the queue deadline, is a 503 before anything ran; a handler that started runs to its end.
  net::awaitable<ApiResponse> Dispatch(const ApiRequest& request) {
    const size_t capacity = static_cast<size_t>(options.handler_threads) + options.max_queue;
    if (admitted.fetch_add(1) >= capacity) {
      --admitted;
      ++gauges.refused_requests;
      co_return Overloaded("queue", "the server is busy; ask again shortly");
    }
    const auto queued_at = Clock::now();
    co_return co_await net::co_spawn(
        handlers.get_executor(),
        [this, &request, queued_at]() -> net::awaitable<ApiResponse> {
          struct Leave {
            std::atomic<size_t>& n;
            ~Leave() { --n; }
          } leave{admitted};
          if (Clock::now() - queued_at > options.queue_timeout) {
            ++gauges.refused_requests;
            co_return Overloaded("queue", "the server is busy; ask again shortly");
          }
          co_return RunHandler(request);
        },
        net::use_awaitable);
  }

  net::awaitable<void> Session(tcp::socket socket, [[maybe_unused]] ConnectionLease lease) {  // held to the end
    struct Open {
      ServerGauges& g;
      explicit Open(ServerGauges& gauges) : g(gauges) { ++g.open_connections; }
      ~Open() { --g.open_connections; }
    } open{gauges};
    beast::error_code peer_ec;
    const auto peer = socket.remote_endpoint(peer_ec);
    const std::string client_address = peer_ec ? std::string() : peer.address().to_string();
    if (!tls) {
      beast::tcp_stream stream(std::move(socket));
      co_await Serve(stream, client_address);
      co_return;
    }
    // The handshake runs under the read deadline. A client that offers only TLS 1.1 or less, or
    // speaks plain HTTP, fails it and is closed without an answer.
    TlsStream stream(beast::tcp_stream(std::move(socket)), *tls);
    Tcp(stream).expires_after(options.read_timeout);
    auto [hs_ec] = co_await stream.async_handshake(net::ssl::stream_base::server, net::as_tuple(net::use_awaitable));
    if (hs_ec) {
      ++gauges.tls_handshake_failures;
      beast::error_code ignored;
      Tcp(stream).socket().close(ignored);
      co_return;
    }
    co_await Serve(stream, client_address);
  }

  // Requests on one connection until it closes, fails, or is not to be kept alive.
  template <class Stream>
  net::awaitable<void> Serve(Stream& stream, const std::string& client_address) {
    beast::flat_buffer buffer;
    bool linger = false;  // an answer went out while input may be left unread
    for (;;) {
      // Read deadline: the wait for a request and the request itself, headers and body.
      Tcp(stream).expires_after(options.read_timeout);
      http::request_parser<http::string_body> parser;
      parser.body_limit(options.body_limit);
      parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
      auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, net::as_tuple(net::use_awaitable));
      if (ec) {
        if (auto answer = ReadFailure(ec, options)) {
          co_await Write(stream, *answer, 11, false);
          linger = true;
        }
        break;
      }
      auto& req = parser.get();
      if (req.target().size() > options.target_limit) {
        co_await Write(stream, Problem(414, "uri_too_long", "the request target exceeds " + std::to_string(options.target_limit >> 10) + " KiB"), req.version(), false);
        linger = true;
        break;
      }
      ApiRequest api_request = ToApi(req);
      api_request.client_address = client_address;
      api_request.cookie = std::string(req[http::field::cookie]);
      api_request.csrf_token = std::string(req["X-CSRF-Token"]);
      // The token before the body: an unauthenticated upload is answered without being read.
      if (auto refused = api->Admit(api_request)) {
        const bool keep = parser.is_done() && req.keep_alive() && !stopping;  // no body left unread
        metrics->ObserveRequest(RouteLabel(api_request.target), refused->status, std::chrono::microseconds(0));
        auto wec = co_await Write(stream, *refused, req.version(), keep);
        if (wec || !keep) {
          linger = !wec;
          break;
        }
        continue;
      }
      if (!parser.is_done()) {
        auto [body_ec, m] = co_await http::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
        if (body_ec) {
          if (auto answer = ReadFailure(body_ec, options)) {
            co_await Write(stream, *answer, req.version(), false);
            linger = true;
          }
          break;
        }
      }
      api_request.body = std::move(req.body());
      // No deadline while the handler runs: what it commits is answered.
      Tcp(stream).expires_never();
      InFlight in_flight(this);
      const auto start = Clock::now();
      ApiResponse response;
      try {
        response = co_await Dispatch(api_request);
      } catch (...) {  // the hand-over itself failed (say, out of memory)
        response = Problem(500, "internal", "internal error");
      }
      metrics->ObserveRequest(RouteLabel(api_request.target), response.status,
                              std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start));
      const bool keep = req.keep_alive() && !stopping;
      // Write deadline: from now, not from the read.
      Tcp(stream).expires_after(options.write_timeout);
      auto wec = co_await Write(stream, response, req.version(), keep);
      if (wec || !keep) break;
    }
    if (linger) {
      co_await LingeringClose(stream);
    } else {
      co_await CloseAwaitable(stream);
    }
  }

  // A connection over a cap: 503 at once, then closed; it never becomes a session.
  net::awaitable<void> Refuse(tcp::socket socket, ConnectionLimits::Verdict verdict) {
    if (tls) {  // a 503 would need a handshake first: the connection just closes
      beast::error_code ignored;
      socket.close(ignored);
      co_return;
    }
    beast::tcp_stream stream(std::move(socket));
    stream.expires_after(kLinger);
    const bool server_full = verdict == ConnectionLimits::Verdict::kServerFull;
    co_await Write(stream,
                   Overloaded(server_full ? "connections" : "connections_per_address",
                              server_full ? "the server holds as many connections as it may"
                                          : "this address holds as many connections as it may"),
                   11, false);
    co_await LingeringClose(stream);
  }

  net::awaitable<void> Accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(net::as_tuple(net::use_awaitable));
      if (ec) {
        if (stopping || !acceptor.is_open()) co_return;  // closed on shutdown
        // Out of descriptors or the like: pause rather than spin, and keep accepting after.
        spdlog::warn("accept failed: {}", ec.message());
        net::steady_timer pause(ioc, std::chrono::milliseconds(100));
        co_await pause.async_wait(net::as_tuple(net::use_awaitable));
        continue;
      }
      beast::error_code peer_ec;
      const auto peer = socket.remote_endpoint(peer_ec);
      if (peer_ec) continue;  // already gone
      std::string address = peer.address().to_string();
      const auto verdict = limits.Acquire(address);
      if (verdict != ConnectionLimits::Verdict::kAdmitted) {
        ++gauges.refused_connections;
        if (rejecting >= kMaxRejecting) continue;  // the socket closes here, unanswered
        ++rejecting;
        net::co_spawn(ioc, Refuse(std::move(socket), verdict), [this](std::exception_ptr) { --rejecting; });
        continue;
      }
      net::co_spawn(ioc, Session(std::move(socket), ConnectionLease(&limits, std::move(address))),
                    [](std::exception_ptr e) {
                      if (e) spdlog::warn("a session ended with an exception");
                    });
    }
  }
};

HttpServer::HttpServer(ServerOptions options, Api* api, Metrics* metrics)
    : impl_(std::make_unique<Impl>(std::move(options), api, metrics)) {}

HttpServer::~HttpServer() {
  impl_->handlers.join();
}

namespace {

// TLS 1.2 and 1.3 only, OpenSSL's default cipher lists for them; PEM certificate chain and key.
// Messages name the files, never their contents.
Result<std::unique_ptr<net::ssl::context>> LoadTls(const ServerOptions& o) {
  auto ctx = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
  beast::error_code ec;
  ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                       net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1 |
                       net::ssl::context::single_dh_use | SSL_OP_NO_RENEGOTIATION,
                   ec);
  if (ec || SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1) {
    return Unavailable("cannot set up TLS");
  }
  ctx->use_certificate_chain_file(o.tls_cert, ec);
  if (ec) return InvalidArgument("--tls-cert " + o.tls_cert + ": not a readable PEM certificate chain");
  ctx->use_private_key_file(o.tls_key, net::ssl::context::pem, ec);
  if (ec) return InvalidArgument("--tls-key " + o.tls_key + ": not a readable PEM private key");
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return InvalidArgument("--tls-key " + o.tls_key + " does not match the certificate in " + o.tls_cert);
  }
  return ctx;
}

}  // namespace

Status HttpServer::Listen() {
  if (impl_->options.tls_cert.empty() != impl_->options.tls_key.empty()) {
    return InvalidArgument("--tls-cert and --tls-key go together");
  }
  if (!impl_->options.tls_cert.empty()) {
    CT_ASSIGN_OR_RETURN(impl_->tls, LoadTls(impl_->options));
  }
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
    beast::error_code ec;
    impl->acceptor.close(ec);
    impl->signals.cancel(ec);
    {
      std::lock_guard lock(impl->state_mu);
      impl->stopping = true;
    }
    impl->state_cv.notify_all();
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
  // Wait for a stop, then for the requests in flight (bounded), then stop the I/O threads.
  {
    std::unique_lock lock(s.state_mu);
    s.state_cv.wait(lock, [&s] { return s.stopping.load(); });
    if (!s.state_cv.wait_for(lock, s.options.drain_timeout, [&s] { return s.in_flight == 0; })) {
      spdlog::warn("{} request(s) still in flight after the drain time; stopping anyway", s.in_flight);
    }
  }
  s.ioc.stop();
  for (auto& t : threads) t.join();
}

}  // namespace casetrail::adapters
