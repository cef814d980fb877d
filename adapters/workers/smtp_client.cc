#include "adapters/workers/smtp_client.h"

#include <boost/asio.hpp>

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

// Reads one (possibly multi-line) reply; returns its code.
int Reply(tcp::socket& s, asio::streambuf& buf) {
  for (;;) {
    asio::read_until(s, buf, "\r\n");
    std::istream in(&buf);
    std::string line;
    std::getline(in, line);
    if (line.size() < 4) return 0;
    if (line[3] != '-') return std::atoi(line.substr(0, 3).c_str());
  }
}

}  // namespace

Status SendMail(const SmtpTarget& t, const std::string& subject, const std::string& body,
                const std::string& message_id) {
  try {
    asio::io_context ioc;
    tcp::socket s(ioc);
    tcp::resolver resolver(ioc);
    asio::connect(s, resolver.resolve(t.host, std::to_string(t.port)));
    asio::streambuf buf;
    auto step = [&](const std::string& command, int expect, const char* what) -> Status {
      if (!command.empty()) asio::write(s, asio::buffer(command + "\r\n"));
      const int code = Reply(s, buf);
      if (code != expect) return Unavailable(std::string("SMTP ") + what + " answered " + std::to_string(code));
      return Status::Ok();
    };
    CT_RETURN_IF_ERROR(step("", 220, "greeting"));
    CT_RETURN_IF_ERROR(step("EHLO casetrail", 250, "EHLO"));
    CT_RETURN_IF_ERROR(step("MAIL FROM:<" + t.from + ">", 250, "MAIL FROM"));
    CT_RETURN_IF_ERROR(step("RCPT TO:<" + t.to + ">", 250, "RCPT TO"));
    CT_RETURN_IF_ERROR(step("DATA", 354, "DATA"));
    std::string message = "From: <" + t.from + ">\r\nTo: <" + t.to + ">\r\nSubject: " + subject +
                          "\r\nMessage-ID: <" + MessageIdPart(message_id) + "@casetrail>\r\nMIME-Version: 1.0\r\n"
                          "Content-Type: text/plain; charset=utf-8\r\n\r\n";
    // Dot-stuffing: a line that starts with '.' gets another.
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
    CT_RETURN_IF_ERROR(step(message + ".", 250, "message"));
    (void)step("QUIT", 221, "QUIT");
    return Status::Ok();
  } catch (const std::exception&) {
    return Unavailable("SMTP connection failed");
  }
}

}  // namespace casetrail::adapters
