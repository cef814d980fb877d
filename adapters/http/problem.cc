#include "adapters/http/problem.h"

#include <map>

namespace casetrail::adapters {
namespace json = boost::json;

namespace {
const std::map<std::string, std::pair<int, const char*>>& Codes() {
  static const std::map<std::string, std::pair<int, const char*>> kCodes = {
      {"unauthenticated", {401, "Authentication required"}},
      {"not_found", {404, "Not found"}},
      {"method_not_allowed", {405, "Method not allowed"}},
      {"unsupported_media_type", {415, "Unsupported media type"}},
      {"payload_too_large", {413, "Payload too large"}},
      {"uri_too_long", {414, "URI too long"}},
      {"headers_too_large", {431, "Request header fields too large"}},
      {"malformed_json", {400, "Malformed JSON"}},
      {"invalid_field", {400, "Invalid field"}},
      {"invalid_personal_number", {422, "Invalid personal identity number"}},
      {"personal_data_in_text", {422, "Personal identity number in free text"}},
      {"forbidden", {403, "Forbidden"}},
      {"event_not_in_case", {422, "Event not in this case"}},
      {"rate_limited", {429, "Too many requests"}},
      {"erased", {410, "Subject erased"}},
      {"unknown_command", {422, "Unknown command"}},
      {"idempotency_key_reused", {422, "Idempotency key reused"}},
      {"version_conflict", {409, "Version conflict"}},
      {"case_open", {409, "Case already open"}},
      {"number_in_use", {409, "Personal number registered to another subject"}},
      {"consent_missing", {422, "Consent missing"}},
      {"invalid_transition", {422, "Invalid transition"}},
      {"guard_failed", {422, "Guard failed"}},
      {"legal_hold", {409, "Legal hold"}},
      {"retention_not_configured", {409, "No retention policy configured"}},
      {"backup_not_configured", {409, "No backup folder configured"}},
      {"backup_exists", {409, "Backup exists"}},
      {"version_exists", {409, "Version already adopted"}},
      {"unavailable", {503, "Unavailable"}},
      {"read_model_behind", {503, "Read model behind the log"}},
      {"overloaded", {503, "Server busy"}},
      {"internal", {500, "Internal error"}},
  };
  return kCodes;
}
}  // namespace

ApiResponse Json(int status, const json::value& body) {
  return ApiResponse{status, "application/json", json::serialize(body), {}};
}

ApiResponse Problem(int status, const std::string& code, const std::string& detail, const json::object& extra) {
  json::object o = extra;
  auto it = Codes().find(code);
  o["type"] = "https://casetrail.invalid/problems/" + code;
  o["title"] = it != Codes().end() ? it->second.second : "Error";
  o["status"] = status;
  o["detail"] = detail;
  o["code"] = code;
  return ApiResponse{status, "application/problem+json", json::serialize(o), {}};
}

ApiResponse FromStatus(const Status& s) {
  std::string code(s.Get("code"));
  if (code.empty()) {
    switch (s.code()) {
      case StatusCode::kNotFound: code = "not_found"; break;
      case StatusCode::kUnavailable: code = "unavailable"; break;
      case StatusCode::kInvalidArgument: code = "invalid_field"; break;
      default: code = "internal";
    }
  }
  auto it = Codes().find(code);
  int status = it != Codes().end() ? it->second.first : 500;
  json::object extra;
  for (const auto& [k, v] : s.context()) {
    if (k == "code") continue;
    if (k == "current_version" || k == "unknown_fields") {
      extra[k] = std::stoll(v);
    } else if (k == "allowed_commands") {
      json::array a;
      size_t start = 0;
      while (start < v.size()) {
        size_t end = v.find(',', start);
        if (end == std::string::npos) end = v.size();
        a.emplace_back(v.substr(start, end - start));
        start = end + 1;
      }
      extra[k] = std::move(a);
    } else if (k != "stream") {
      extra[k] = v;
    }
  }
  std::string detail = status == 500 ? "internal error" : std::string(s.message());
  ApiResponse r = Problem(status, code, detail, extra);
  if (status == 503) r.headers.emplace_back("Retry-After", "2");  // a moment, then again
  return r;
}

}  // namespace casetrail::adapters
