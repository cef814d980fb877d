// A webhook receiver on loopback for tests, written as docs/workers.md §4.1 asks receivers to be:
// it checks the HMAC-SHA256 signature, processes each X-Casetrail-Delivery id once and answers a
// repeat with 200 without processing it again. It keeps the ids processed and the requests
// received per id, and counts repeats that lack the redelivery flag.
// It can fail the first N requests and delay each answer, and speak HTTPS with a PEM certificate
// and key (then it counts failed handshakes: a client that did not trust it).
#pragma once

#include <sodium.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace casetrail::testing {

class WebhookReceiver {
 public:
  explicit WebhookReceiver(std::string secret, int fail_first = 0, int delay_ms = 0, std::string tls_cert = "",
                           std::string tls_key = "")
      : secret_(std::move(secret)), fail_first_(fail_first), delay_ms_(delay_ms),
        acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    if (!tls_cert.empty()) {
      tls_ = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
      tls_->use_certificate_chain_file(tls_cert);
      tls_->use_private_key_file(tls_key, boost::asio::ssl::context::pem);
    }
    thread_ = std::thread([this] { Serve(); });
  }
  ~WebhookReceiver() {
    stop_ = true;
    // A blocking accept() does not return when the acceptor is closed from another thread:
    // wake it with a connection of our own.
    boost::system::error_code ec;
    boost::asio::ip::tcp::socket wake(ioc_);
    wake.connect({boost::asio::ip::make_address("127.0.0.1"), port()}, ec);
    if (thread_.joinable()) thread_.join();
    acceptor_.close(ec);
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }

  // The ids processed (each once: a repeat is answered, not processed again).
  std::set<std::string> processed() const {
    std::lock_guard lock(mu_);
    return processed_;
  }
  std::vector<std::string> bodies() const {
    std::lock_guard lock(mu_);
    return bodies_;
  }
  std::map<std::string, int> requests_by_id() const {
    std::lock_guard lock(mu_);
    return requests_by_id_;
  }
  // Requests for an id already processed that did not carry X-Casetrail-Redelivery: 1.
  int unflagged_repeats() const { return unflagged_repeats_; }
  int bad_signatures() const { return bad_signatures_; }
  int requests() const { return requests_; }
  int failed_handshakes() const { return failed_handshakes_; }

 private:
  void Serve() {
    while (!stop_) {
      boost::system::error_code ec;
      auto socket = acceptor_.accept(ec);
      if (ec || stop_) return;
      if (!tls_) {
        Exchange(socket);
        socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
        continue;
      }
      boost::asio::ssl::stream<boost::asio::ip::tcp::socket&> stream(socket, *tls_);
      stream.handshake(boost::asio::ssl::stream_base::server, ec);
      if (ec) {
        ++failed_handshakes_;
        continue;
      }
      Exchange(stream);
      stream.shutdown(ec);
    }
  }

  template <class Stream>
  void Exchange(Stream& socket) {
    namespace http = boost::beast::http;
    boost::system::error_code ec;
    {
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec) return;
      const int n = ++requests_;
      if (delay_ms_) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_));
      const bool fail = n <= fail_first_;
      if (!fail) {
        unsigned char mac[crypto_auth_hmacsha256_BYTES];
        crypto_auth_hmacsha256_state st;
        crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret_.data()), secret_.size());
        crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(req.body().data()), req.body().size());
        crypto_auth_hmacsha256_final(&st, mac);
        char hex[2 * sizeof(mac) + 1];
        sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
        if (std::string(req["X-Casetrail-Signature"]) != "sha256=" + std::string(hex)) bad_signatures_++;
        const std::string id(req["X-Casetrail-Delivery"]);
        if (std::string(req["Idempotency-Key"]) != "\"" + id + "\"") bad_signatures_++;
        std::lock_guard lock(mu_);
        requests_by_id_[id]++;
        if (processed_.insert(id).second) {  // processed: the first time this id arrives
          bodies_.push_back(req.body());
        } else if (req["X-Casetrail-Redelivery"] != "1") {
          unflagged_repeats_++;
        }
      }
      http::response<http::string_body> res{fail ? http::status::service_unavailable : http::status::ok, 11};
      res.body() = "{}";
      res.prepare_payload();
      http::write(socket, res, ec);
    }
  }

  std::string secret_;
  int fail_first_, delay_ms_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0}, bad_signatures_{0}, unflagged_repeats_{0}, failed_handshakes_{0};
  std::unique_ptr<boost::asio::ssl::context> tls_;
  mutable std::mutex mu_;
  std::set<std::string> processed_;
  std::map<std::string, int> requests_by_id_;
  std::vector<std::string> bodies_;
  std::thread thread_;
};

}  // namespace casetrail::testing
