// An SMTP listener on loopback for tests: speaks enough of RFC 5321 (greeting, EHLO/HELO, MAIL,
// RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT) to receive messages and keeps them.
#pragma once

#include <atomic>
#include <boost/asio.hpp>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace casetrail::testing {

class SmtpListener {
 public:
  struct Message {
    std::string from, to, data;
  };

  SmtpListener() : acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
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

 private:
  void Serve() {
    namespace asio = boost::asio;
    while (!stop_) {
      boost::system::error_code ec;
      auto s = acceptor_.accept(ec);
      if (ec || stop_) return;
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
      say("220 test-smtp ready");
      while (auto line = read_line()) {
        const std::string cmd = line->substr(0, 4);
        if (cmd == "EHLO" || cmd == "HELO") {
          say("250-test-smtp");
          say("250 8BITMIME");
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
          say("250 queued");
        } else if (cmd == "QUIT") {
          say("221 bye");
          break;
        } else {
          say("250 ok");
        }
      }
      s.close(ec);
    }
  }

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<Message> messages_;
  std::thread thread_;
};

}  // namespace casetrail::testing
