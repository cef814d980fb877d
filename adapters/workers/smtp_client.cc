#include "adapters/workers/smtp_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>

namespace casetrail::adapters {

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
  SmtpTarget t;
  t.host = host_port.substr(0, colon);
  t.port = static_cast<uint16_t>(port);
  t.from = std::move(from);
  t.to = std::move(to);
  return t;
}

namespace {

// RFC 5322 id-left: letters, digits and ._- only.
std::string MessageIdPart(std::string id) {
  for (auto& ch : id) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '_' && ch != '-') ch = '.';
  }
  return id;
}

// The message with headers and CRLF line ends; libcurl dot-stuffs it and ends DATA.
std::string Message(const SmtpTarget& t, const std::string& subject, const std::string& body,
                    const std::string& message_id) {
  std::string message = "From: <" + t.from + ">\r\nTo: <" + t.to + ">\r\nSubject: " + subject +
                        "\r\nMessage-ID: <" + MessageIdPart(message_id) + "@casetrail>\r\nMIME-Version: 1.0\r\n"
                        "Content-Type: text/plain; charset=utf-8\r\n\r\n";
  std::string line;
  for (size_t i = 0; i <= body.size(); ++i) {
    if (i == body.size() || body[i] == '\n') {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      message += line + "\r\n";
      line.clear();
    } else {
      line += body[i];
    }
  }
  return message;
}

}  // namespace

// libcurl does the conversation: EHLO, STARTTLS (tried, or required), MAIL FROM, RCPT TO, DATA
// with dot-stuffing, QUIT; CURLOPT_TIMEOUT bounds all of it, connect included.
Status SendMail(const SmtpTarget& t, const std::string& subject, const std::string& body,
                const std::string& message_id, std::chrono::seconds timeout) {
  CURL* curl = curl_easy_init();
  if (!curl) return Unavailable("SMTP: cannot start libcurl");
  struct Upload {
    std::string data;
    size_t at = 0;
  } upload{Message(t, subject, body, message_id), 0};
  auto read = +[](char* out, size_t size, size_t n, void* user) -> size_t {
    auto* u = static_cast<Upload*>(user);
    const size_t k = std::min(size * n, u->data.size() - u->at);
    std::memcpy(out, u->data.data() + u->at, k);
    u->at += k;
    return k;
  };
  const std::string url = "smtp://" + (t.host.find(':') != std::string::npos ? "[" + t.host + "]" : t.host) + ":" +
                          std::to_string(t.port) + "/casetrail";
  curl_slist* rcpt = curl_slist_append(nullptr, ("<" + t.to + ">").c_str());
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp");
  curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(t.require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY));
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(curl, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!t.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, t.ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, ("<" + t.from + ">").c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, read);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(std::chrono::milliseconds(timeout).count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  const CURLcode rc = curl_easy_perform(curl);
  long response = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(curl);
  if (rc == CURLE_OK) return Status::Ok();
  // libcurl's words name the step and the relay's code; the addresses are the configured
  // functional ones, and nothing of the message is in them.
  if (rc == CURLE_OPERATION_TIMEDOUT) return Unavailable("SMTP timed out");
  return Unavailable(std::string("SMTP failed: ") + (error[0] ? error : curl_easy_strerror(rc)) +
                     (response ? " (relay answered " + std::to_string(response) + ")" : ""));
}

}  // namespace casetrail::adapters
