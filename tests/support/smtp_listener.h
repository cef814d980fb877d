// An SMTP listener on loopback for tests: speaks enough of RFC 5321 (greeting, EHLO/HELO, MAIL,
// RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT, and STARTTLS when given a certificate) to
// receive messages and keeps them.
#pragma once

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace casetrail::testing {

class SmtpListener {
 public:
  struct Message {
    std::string from, to, data;
    bool tls = false;  // received after STARTTLS
  };

  // With a PEM certificate and key it offers STARTTLS (RFC 3207) in its EHLO answer.
  explicit SmtpListener(std::string tls_cert = "", std::string tls_key = "")
      : acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    if (!tls_cert.empty()) {
      tls_ = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
      tls_->use_certificate_chain_file(tls_cert);
      tls_->use_private_key_file(tls_key, boost::asio::ssl::context::pem);
    }
    thread_ = std::thread([this] { Serve(); });
  }
  ~SmtpListener() {
    stop_ = true;
    boost::system::error_code ec;
    boost::asio::ip::tcp::socket wake(ioc_);
    wake.connect({boost::asio::ip::make_address("127.0.0.1"), port()}, ec);
    if (thread_.joinable()) thread_.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::vector<Message> messages() const {
    std::lock_guard lock(mu_);
    return messages_;
  }
  int failed_handshakes() const { return failed_handshakes_; }

 private:
  void Serve() {
    while (!stop_) {
      boost::system::error_code ec;
      auto s = acceptor_.accept(ec);
      if (ec || stop_) return;
      auto say = [&](const std::string& line) { boost::asio::write(s, boost::asio::buffer(line + "\r\n"), ec); };
      say("220 test-smtp ready");
      if (Converse(s, false)) {  // STARTTLS: the rest of the conversation over TLS
        boost::asio::ssl::stream<boost::asio::ip::tcp::socket&> t(s, *tls_);
        t.handshake(boost::asio::ssl::stream_base::server, ec);
        if (ec) {
          ++failed_handshakes_;
        } else {
          Converse(t, true);
          t.shutdown(ec);
        }
      }
      s.close(ec);
    }
  }

  // The commands until QUIT or the connection ends; true when the client asked for STARTTLS.
  template <class Stream>
  bool Converse(Stream& s, bool tls) {
    namespace asio = boost::asio;
    boost::system::error_code ec;
    asio::streambuf buf;
    auto say = [&](const std::string& line) { asio::write(s, asio::buffer(line + "\r\n"), ec); };
    auto read_line = [&]() -> std::optional<std::string> {
      asio::read_until(s, buf, "\r\n", ec);
      if (ec) return std::nullopt;
      std::istream in(&buf);
      std::string line;
      std::getline(in, line);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    };
    Message m;
    m.tls = tls;
    while (auto line = read_line()) {
      const std::string cmd = line->substr(0, 4);
      if (cmd == "EHLO" || cmd == "HELO") {
        say("250-test-smtp");
        if (tls_ && !tls) say("250-STARTTLS");
        say("250 8BITMIME");
      } else if (*line == "STARTTLS" && tls_ && !tls) {
        say("220 ready to start TLS");
        return true;
      } else if (cmd == "MAIL") {
        m.from = line->substr(10);
        say("250 ok");
      } else if (cmd == "RCPT") {
        m.to = line->substr(8);
        say("250 ok");
      } else if (cmd == "DATA") {
        say("354 go ahead");
        while (auto l = read_line()) {
          if (*l == ".") break;
          m.data += (l->rfind("..", 0) == 0 ? l->substr(1) : *l) + "\n";
        }
        {
          std::lock_guard lock(mu_);
          messages_.push_back(m);
        }
        m = Message{};
        m.tls = tls;
        say("250 queued");
      } else if (cmd == "QUIT") {
        say("221 bye");
        break;
      } else {
        say("250 ok");
      }
    }
    return false;
  }

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::atomic<bool> stop_{false};
  std::atomic<int> failed_handshakes_{0};
  mutable std::mutex mu_;
  std::vector<Message> messages_;
  std::thread thread_;
};

}  // namespace casetrail::testing
