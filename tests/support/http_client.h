// A minimal blocking HTTP/1.1 client for tests (Boost.Beast), one connection per request.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>
#include <map>
#include <optional>
#include <string>

namespace casetrail::testing {

struct HttpResponse {
  int status = 0;
  std::string content_type;
  std::string body;
  std::map<std::string, std::string> headers;  // by the name as the server spelled it
  // Parsed once and kept, so references into it live as long as the response.
  const boost::json::value& Json() const {
    if (!parsed_) {
      boost::system::error_code ec;
      auto v = boost::json::parse(body, ec);
      parsed_ = ec ? boost::json::value() : std::move(v);
    }
    return *parsed_;
  }
  std::string Str(const char* key) const {
    auto v = Json();
    if (!v.is_object() || !v.as_object().contains(key)) return "";
    const auto& x = v.at(key);
    return x.is_string() ? std::string(x.as_string()) : boost::json::serialize(x);
  }

 private:
  mutable std::optional<boost::json::value> parsed_;
};

inline HttpResponse Http(uint16_t port, const std::string& method, const std::string& target,
                         const std::string& token = "", const std::string& body = "",
                         std::map<std::string, std::string> headers = {}) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  boost::asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  if (!body.empty() && !headers.count("Content-Type")) req.set(http::field::content_type, "application/json");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  beast::error_code ec;
  // A server that refuses a body (413) answers and closes before reading it all: the write may
  // fail while the answer is already waiting to be read.
  http::write(stream, req, ec);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  http::read(stream, buffer, parser, ec);
  HttpResponse out;
  if (ec) return out;  // status 0: the connection failed
  auto& res = parser.get();
  out.status = res.result_int();
  out.content_type = std::string(res[http::field::content_type]);
  out.body = res.body();
  for (const auto& f : res) out.headers[std::string(f.name_string())] = std::string(f.value());
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  return out;
}

}  // namespace casetrail::testing
