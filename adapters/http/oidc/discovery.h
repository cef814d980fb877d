// The issuer's discovery document (OpenID Connect Discovery 1.0): fetched from
// ISSUER/.well-known/openid-configuration; its "issuer" must equal the configured issuer exactly,
// and every endpoint used must pass UrlAllowed (https, or http on loopback).
#pragma once

#include <string>

#include "storage/base/result.h"

namespace casetrail::adapters::oidc {

struct Discovery {
  std::string issuer;
  std::string jwks_uri;
  std::string authorization_endpoint;
  std::string token_endpoint;
};

// Parses a discovery document for `issuer`; kInvalidArgument naming what is missing or wrong.
Result<Discovery> ParseDiscovery(const std::string& issuer, const std::string& json);
// Fetches and parses it.
Result<Discovery> FetchDiscovery(const std::string& issuer);

}  // namespace casetrail::adapters::oidc
