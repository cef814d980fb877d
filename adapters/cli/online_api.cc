#include "adapters/cli/online_api.h"

#include <sys/stat.h>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>
#include <boost/url.hpp>
#include <chrono>
#include <fstream>

namespace casetrail::adapters {
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

struct OnlineApi::Connection {
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  bool open = false;
};

namespace {

ApiResponse Unreachable(const std::string& where, const std::string& why) {
  ApiResponse r;
  r.status = 0;
  r.content_type = "application/problem+json";
  r.body = boost::json::serialize(boost::json::object{
      {"code", "unreachable"}, {"detail", "cannot reach the server at " + where + ": " + why}});
  return r;
}

}  // namespace

Result<std::unique_ptr<OnlineApi>> OnlineApi::Connect(const std::string& url, const std::string& token_file) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->scheme() != "http" || parsed->host().empty()) {
    return InvalidArgument("--url must be http://HOST:PORT (put TLS in a local proxy until the server speaks it)");
  }
  if (token_file.empty()) return InvalidArgument("--url needs --token-file (a file holding the bearer token)");
  struct stat st {};
  if (::stat(token_file.c_str(), &st) != 0) return InvalidArgument("cannot read the token file " + token_file);
  if (st.st_mode & 077) {
    return PermissionDenied("the token file " + token_file + " is readable by others; run: chmod 600 " + token_file);
  }
  std::ifstream in(token_file);
  std::string token;
  std::getline(in, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) return InvalidArgument("the token file " + token_file + " is empty");
  std::string port = parsed->has_port() ? std::string(parsed->port()) : "80";
  return std::unique_ptr<OnlineApi>(new OnlineApi(std::string(parsed->host()), port, token));
}

OnlineApi::OnlineApi(std::string host, std::string port, std::string token)
    : host_(std::move(host)), port_(std::move(port)), token_(std::move(token)), conn_(std::make_unique<Connection>()) {}

OnlineApi::~OnlineApi() {
  beast::error_code ec;
  if (conn_->open) conn_->stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
}

ApiResponse OnlineApi::Call(const std::string&, const std::string&, const std::string& method, const std::string& target,
                            const std::string& body, const std::string& idempotency_key, const std::string& accept) {
  const std::string where = host_ + ":" + port_;
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, host_);
  req.set(http::field::authorization, "Bearer " + token_);
  req.set(http::field::user_agent, "casetrail-cli");
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  if (!idempotency_key.empty()) req.set("Idempotency-Key", idempotency_key);
  if (!accept.empty()) req.set(http::field::accept, accept);
  req.body() = body;
  req.prepare_payload();
  // One retry on a fresh connection: a keep-alive connection the server has closed meanwhile.
  for (int attempt = 0; attempt < 2; ++attempt) {
    beast::error_code ec;
    if (!conn_->open) {
      net::ip::tcp::resolver resolver(conn_->ioc);
      auto endpoints = resolver.resolve(host_, port_, ec);
      if (ec) return Unreachable(where, ec.message());
      conn_->stream.expires_after(std::chrono::seconds(10));
      conn_->stream.connect(endpoints, ec);
      if (ec) return Unreachable(where, ec.message());
      conn_->open = true;
    }
    // Long operations (verify, retention, an extract of a long history) may take minutes.
    conn_->stream.expires_after(std::chrono::minutes(30));
    http::write(conn_->stream, req, ec);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ull << 30);
    if (!ec) http::read(conn_->stream, buffer, parser, ec);
    if (ec) {
      conn_->stream.socket().close(ec);
      conn_->open = false;
      if (attempt == 0) continue;
      return Unreachable(where, "the connection failed");
    }
    auto& res = parser.get();
    ApiResponse out;
    out.status = res.result_int();
    out.content_type = std::string(res[http::field::content_type]);
    out.body = std::move(res.body());
    for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    if (!res.keep_alive()) {
      conn_->stream.socket().close(ec);
      conn_->open = false;
    }
    return out;
  }
  return Unreachable(where, "the connection failed");
}

}  // namespace casetrail::adapters
