#include "adapters/workers/smtp_client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>

namespace casetrail::adapters {
namespace asio = boost::asio;
using asio::ip::tcp;

Result<SmtpTarget> ParseSmtpTarget(const std::string& host_port, std::string from, std::string to) {
  const size_t colon = host_port.rfind(':');
  if (colon == std::string::npos || colon == 0) return InvalidArgument("--smtp must be HOST:PORT");
  const int port = std::atoi(host_port.c_str() + colon + 1);
  if (port <= 0 || port > 65535) return InvalidArgument("--smtp port out of range");
  for (const std::string* a : {&from, &to}) {
    if (a->find('@') == std::string::npos || a->find_first_of("<>\r\n ") != std::string::npos) {
      return InvalidArgument("--mail-from and --mail-to must be plain e-mail addresses");
    }
  }
  return SmtpTarget{host_port.substr(0, colon), static_cast<uint16_t>(port), std::move(from), std::move(to)};
}

namespace {

// RFC 5322 id-left: letters, digits and ._- only.
std::string MessageIdPart(std::string id) {
  for (auto& ch : id) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '_' && ch != '-') ch = '.';
  }
  return id;
}

// The message with headers, dot-stuffed: a line that starts with '.' gets another.
std::string Message(const SmtpTarget& t, const std::string& subject, const std::string& body,
                    const std::string& message_id) {
  std::string message = "From: <" + t.from + ">\r\nTo: <" + t.to + ">\r\nSubject: " + subject +
                        "\r\nMessage-ID: <" + MessageIdPart(message_id) + "@casetrail>\r\nMIME-Version: 1.0\r\n"
                        "Content-Type: text/plain; charset=utf-8\r\n\r\n";
  std::string line;
  for (size_t i = 0; i <= body.size(); ++i) {
    if (i == body.size() || body[i] == '\n') {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      message += (line.rfind('.', 0) == 0 ? "." : "") + line + "\r\n";
      line.clear();
    } else {
      line += body[i];
    }
  }
  return message + ".";
}

}  // namespace

// Asynchronous operations on a beast::tcp_stream, whose deadline covers every step: blocking
// socket calls would wait for ever on a relay that stops answering.
Status SendMail(const SmtpTarget& t, const std::string& subject, const std::string& body,
                const std::string& message_id, std::chrono::seconds timeout) {
  asio::io_context ioc;
  Status result = Unavailable("SMTP connection failed");
  auto conversation = [&]() -> asio::awaitable<void> {
    auto use = asio::as_tuple(asio::use_awaitable);
    boost::beast::tcp_stream s(ioc);
    s.expires_after(timeout);
    bool timed_out = false;
    auto failed = [&](const boost::system::error_code& ec) {
      timed_out = ec == boost::beast::error::timeout;
      return static_cast<bool>(ec);
    };
    tcp::resolver resolver(ioc);
    auto [rec, endpoints] = co_await resolver.async_resolve(t.host, std::to_string(t.port), use);
    if (rec) co_return;
    auto [cec, ep] = co_await s.async_connect(endpoints, use);
    if (failed(cec)) {
      if (timed_out) result = Unavailable("SMTP connect timed out");
      co_return;
    }
    asio::streambuf buf;
    // Reads one (possibly multi-line) reply; returns its code, or 0 when the read failed.
    auto reply = [&]() -> asio::awaitable<int> {
      for (;;) {
        auto [ec, n] = co_await asio::async_read_until(s, buf, "\r\n", use);
        if (failed(ec)) co_return 0;
        std::istream in(&buf);
        std::string line;
        std::getline(in, line);
        if (line.size() < 4) co_return 0;
        if (line[3] != '-') co_return std::atoi(line.substr(0, 3).c_str());
      }
    };
    struct Step {
      std::string command;
      int expect;
      const char* what;
    };
    const Step steps[] = {{"", 220, "greeting"},
                          {"EHLO casetrail", 250, "EHLO"},
                          {"MAIL FROM:<" + t.from + ">", 250, "MAIL FROM"},
                          {"RCPT TO:<" + t.to + ">", 250, "RCPT TO"},
                          {"DATA", 354, "DATA"},
                          {Message(t, subject, body, message_id), 250, "message"}};
    for (const auto& step : steps) {
      if (!step.command.empty()) {
        auto [wec, wn] = co_await asio::async_write(s, asio::buffer(step.command + "\r\n"), use);
        if (failed(wec)) break;
      }
      const int code = co_await reply();
      if (code != step.expect) {
        result = timed_out ? Unavailable(std::string("SMTP ") + step.what + " timed out")
                           : Unavailable(std::string("SMTP ") + step.what + " answered " + std::to_string(code));
        co_return;
      }
    }
    result = Status::Ok();
    auto [qec, qn] = co_await asio::async_write(s, asio::buffer(std::string("QUIT\r\n")), use);
    if (!qec) co_await reply();
  };
  asio::co_spawn(ioc, conversation(), [](std::exception_ptr) {});
  ioc.run();
  return result;
}

}  // namespace casetrail::adapters
