// A blocking HTTPS client for tests (Boost.Beast over OpenSSL), one connection per request, with
// the protocol versions pinned so a test can offer exactly TLS 1.1, 1.2 or 1.3; and a throwaway
// self-signed certificate made with the openssl command.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdlib>
#include <string>

#include "tests/support/http_client.h"

namespace casetrail::testing {

struct TlsAnswer {
  bool handshake_ok = false;
  std::string protocol;  // "TLSv1.2", "TLSv1.3"
  HttpResponse response;
};

// `version`: TLS1_1_VERSION, TLS1_2_VERSION or TLS1_3_VERSION, offered alone. The server's
// certificate is checked against `ca_file` and the address 127.0.0.1.
inline TlsAnswer Https(uint16_t port, int version, const std::string& ca_file, const std::string& method,
                       const std::string& target, const std::string& token = "") {
  namespace net = boost::asio;
  namespace beast = boost::beast;
  namespace http = beast::http;
  net::io_context ioc;
  net::ssl::context ctx(net::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), version);
  SSL_CTX_set_max_proto_version(ctx.native_handle(), version);
  if (version < TLS1_2_VERSION) {  // OpenSSL 3 offers TLS 1.1 only at security level 0
    SSL_CTX_set_security_level(ctx.native_handle(), 0);
    SSL_CTX_set_cipher_list(ctx.native_handle(), "DEFAULT@SECLEVEL=0");
  }
  ctx.load_verify_file(ca_file);
  ctx.set_verify_mode(net::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  stream.set_verify_callback(net::ssl::host_name_verification("127.0.0.1"));
  TlsAnswer out;
  beast::error_code ec;
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
  beast::get_lowest_layer(stream).connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return out;
  stream.handshake(net::ssl::stream_base::client, ec);
  if (ec) return out;
  out.handshake_ok = true;
  out.protocol = SSL_get_version(stream.native_handle());
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  req.prepare_payload();
  http::write(stream, req, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res, ec);
  if (ec) return out;
  out.response.status = res.result_int();
  out.response.content_type = std::string(res[http::field::content_type]);
  out.response.body = res.body();
  for (const auto& f : res) out.response.headers[std::string(f.name_string())] = std::string(f.value());
  stream.shutdown(ec);
  return out;
}

// Writes DIR/tls.crt and DIR/tls.key (0600): a self-signed P-256 certificate for 127.0.0.1.
inline bool MakeTestCertificate(const std::string& dir) {
  const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
                          "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " + dir + "/tls.key -out " +
                          dir + "/tls.crt >/dev/null 2>&1 && chmod 600 " + dir + "/tls.key";
  return std::system(cmd.c_str()) == 0;
}

}  // namespace casetrail::testing
