#include "adapters/http/oidc/discovery.h"

#include <boost/json.hpp>

#include "adapters/http/oidc/http_fetch.h"

namespace casetrail::adapters::oidc {

Result<Discovery> ParseDiscovery(const std::string& issuer, const std::string& text) {
  boost::system::error_code ec;
  auto root = boost::json::parse(text, ec);
  if (ec || !root.is_object()) return InvalidArgument("OIDC discovery: the document is not a JSON object");
  const auto& o = root.as_object();
  auto str = [&](const char* k) -> std::string {
    const auto* v = o.if_contains(k);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  Discovery d{str("issuer"), str("jwks_uri"), str("authorization_endpoint"), str("token_endpoint")};
  // OIDC Discovery §4.3: the issuer in the document must be the one asked for, exactly.
  if (d.issuer != issuer) return InvalidArgument("OIDC discovery: the document names another issuer");
  for (const auto* url : {&d.jwks_uri, &d.authorization_endpoint, &d.token_endpoint}) {
    if (url->empty()) return InvalidArgument("OIDC discovery: jwks_uri, authorization_endpoint and token_endpoint are required");
    if (!UrlAllowed(*url)) return InvalidArgument("OIDC discovery: an endpoint is neither https nor loopback http");
  }
  return d;
}

Result<Discovery> FetchDiscovery(const std::string& issuer) {
  std::string base = issuer;
  while (!base.empty() && base.back() == '/') base.pop_back();
  CT_ASSIGN_OR_RETURN(FetchResponse r, Fetch({base + "/.well-known/openid-configuration"}));
  if (r.status != 200) return Unavailable("OIDC discovery: the issuer answered HTTP " + std::to_string(r.status));
  return ParseDiscovery(issuer, r.body);
}

}  // namespace casetrail::adapters::oidc
