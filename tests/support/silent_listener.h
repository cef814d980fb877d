// A listener on loopback that accepts connections and never says a word: a webhook receiver or an
// SMTP relay that hangs. It holds every connection until it is destroyed.
#pragma once

#include <atomic>
#include <boost/asio.hpp>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace casetrail::testing {

class SilentListener {
 public:
  SilentListener() : acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] {
      while (!stop_) {
        boost::system::error_code ec;
        auto s = std::make_unique<boost::asio::ip::tcp::socket>(acceptor_.accept(ec));
        if (ec || stop_) return;
        std::lock_guard lock(mu_);
        held_.push_back(std::move(s));
      }
    });
  }
  ~SilentListener() {
    stop_ = true;
    boost::system::error_code ec;
    boost::asio::ip::tcp::socket wake(ioc_);
    wake.connect({boost::asio::ip::make_address("127.0.0.1"), port()}, ec);
    if (thread_.joinable()) thread_.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  size_t accepted() const {
    std::lock_guard lock(mu_);
    return held_.size();
  }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::socket>> held_;
  std::thread thread_;
};

}  // namespace casetrail::testing
