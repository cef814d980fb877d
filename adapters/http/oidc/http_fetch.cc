#include "adapters/http/oidc/http_fetch.h"

#include <curl/curl.h>

#include <boost/url.hpp>
#include <mutex>

namespace casetrail::adapters::oidc {

namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Sink {
  std::string* out;
  size_t max;
  bool overflow = false;
};

size_t Write(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t len = size * n;
  if (sink->out->size() + len > sink->max) {
    sink->overflow = true;
    return 0;  // aborts the transfer
  }
  sink->out->append(data, len);
  return len;
}

std::string HostOf(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  return parsed ? std::string(parsed->host()) : std::string("?");
}

}  // namespace

bool IsLoopbackUrl(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return false;
  const std::string host(parsed->host());
  if (host == "localhost" || host == "[::1]" || host == "::1") return true;
  if (parsed->host_type() == boost::urls::host_type::ipv4) return parsed->host_ipv4_address().to_bytes()[0] == 127;
  if (parsed->host_type() == boost::urls::host_type::ipv6) return parsed->host_ipv6_address().is_loopback();
  return false;
}

bool UrlAllowed(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->host().empty()) return false;
  if (parsed->scheme() == "https") return true;
  return parsed->scheme() == "http" && IsLoopbackUrl(url);
}

std::string FormEncode(const std::string& value) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Result<FetchResponse> Fetch(const FetchRequest& request) {
  if (!UrlAllowed(request.url)) {
    return InvalidArgument("OIDC: " + HostOf(request.url) + ": only https URLs (or http on loopback) are fetched");
  }
  GlobalInit();
  CURL* curl = curl_easy_init();
  if (!curl) return Unavailable("OIDC: libcurl failed to initialise");
  FetchResponse response;
  Sink sink{&response.body, request.max_bytes};
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  // https everywhere; http is reachable only through UrlAllowed's loopback exception above.
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(curl, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Write);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "casetrail");
  curl_slist* headers = curl_slist_append(nullptr, "Accept: application/json");
  if (!request.form_body.empty()) {
    headers = curl_slist_append(headers, "Content-Type: application/x-www-form-urlencoded");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.form_body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.form_body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (!request.basic_user.empty()) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    // RFC 6749 §2.3.1: the client id and secret are form-encoded before Basic encoding.
    const std::string user = FormEncode(request.basic_user), password = FormEncode(request.basic_password);
    curl_easy_setopt(curl, CURLOPT_USERNAME, user.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, password.c_str());
  }
  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  char* ct = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct) response.content_type = ct;
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (sink.overflow) return Unavailable("OIDC: " + HostOf(request.url) + ": the answer is larger than allowed");
  if (rc != CURLE_OK) return Unavailable("OIDC: " + HostOf(request.url) + ": " + curl_easy_strerror(rc));
  return response;
}

}  // namespace casetrail::adapters::oidc
