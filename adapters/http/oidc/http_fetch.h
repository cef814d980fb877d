// Outbound HTTP for OIDC (discovery, JWKS, the token endpoint) over libcurl. HTTPS with the
// system's CA store and host-name checks; plain http only to a loopback host (127.0.0.0/8, ::1,
// localhost), which the tests' provider uses. Redirects are not followed, answers are capped, and
// every call has a deadline: a slow provider fails a sign-in, it never holds a handler for long.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "storage/base/result.h"

namespace casetrail::adapters::oidc {

struct FetchResponse {
  long status = 0;
  std::string content_type;
  std::string body;
};

struct FetchRequest {
  std::string url;
  std::string form_body = {};  // POST application/x-www-form-urlencoded when set, else GET
  std::string basic_user = {}, basic_password = {};  // HTTP Basic (client_secret_basic) when user is set
  std::chrono::milliseconds timeout{std::chrono::seconds(5)};
  size_t max_bytes = 512 << 10;
};

// Whether `url` may be fetched: https, or http to a loopback host.
bool UrlAllowed(const std::string& url);
// Whether `url`'s host is a loopback address or "localhost".
bool IsLoopbackUrl(const std::string& url);

// kInvalidArgument for a URL UrlAllowed refuses; kUnavailable when the transfer fails (the
// message names the URL's host and curl's reason, never a body or a credential).
Result<FetchResponse> Fetch(const FetchRequest& request);

// application/x-www-form-urlencoded encoding of one value.
std::string FormEncode(const std::string& value);

}  // namespace casetrail::adapters::oidc
