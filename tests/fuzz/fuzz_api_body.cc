// Fuzz target "api_body": request bodies and query strings through the real API handlers
// (adapters::Api via OfflineApi, over RocksDB): JSON parsing, body_fields, json_values, the
// engine's field validation against the workflow definition, and the commands that pass.
//
// Input: byte 0 picks the route, byte 1 the caller, the rest is the body (or, for GET routes, the
// query string). Routes name one subject and one case made at start-up, so commands reach a real
// case. Any 5xx is a finding: a refused input must be a 4xx, never an exception or a dead store.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <boost/json.hpp>

#include "tests/fuzz/offline_fixture.h"

using namespace casetrail;
namespace json = boost::json;

namespace {

struct World {
  std::unique_ptr<adapters::OfflineApi> api = fuzz::OpenFuzzApi();
  std::string subject, case_id;
};

std::string Field(const adapters::ApiResponse& r, const char* name) {
  auto v = json::parse(r.body);
  return std::string(v.as_object().at(name).as_string());
}

World* MakeWorld() {
  auto* w = new World();
  auto& api = *w->api;
  auto s = api.Call("af_officer", "jarva", "POST", "/v1/subjects",
                    R"({"personal_number":"19121212-1212","name":"Tolvan Tolvansson"})");
  if (s.status != 201) std::abort();
  w->subject = Field(s, "subject_id");
  auto c = api.Call("af_officer", "jarva", "POST", "/v1/subjects/" + w->subject + "/consents",
                    R"({"scopes":["transfer_referral","share_guidance","share_study_progress"],"method":"signed_form"})");
  if (c.status != 201) std::abort();
  auto r = api.Call("af_officer", "jarva", "POST", "/v1/cases",
                    R"({"subject_id":")" + w->subject + R"(","unit":"jarva","channel":"space",)"
                    R"("long_term_unemployed":true,"lacks_upper_secondary":true,"resident_stockholm":true,)"
                    R"("rom_participant":true,"need_assessed":true})");
  if (r.status != 201) std::abort();
  w->case_id = Field(r, "case_id");
  return w;
}

World& TheWorld() {
  static World* w = MakeWorld();  // lives for the process, like a server's stores
  return *w;
}

struct Route {
  const char* method;
  const char* target;  // {S} = the subject, {C} = the case; a GET route takes the input as query
};

// Every POST/PATCH that reads a body, and the GET routes that read a query. Erasure, retention
// and consent withdrawal are left out: they would end the one subject and case for every later
// input.
constexpr Route kRoutes[] = {
    {"POST", "/v1/subjects"},          {"POST", "/v1/subjects/lookup"},
    {"PATCH", "/v1/subjects/{S}"},     {"POST", "/v1/subjects/{S}/consents"},
    {"POST", "/v1/cases"},             {"POST", "/v1/cases/{C}/commands"},
    {"POST", "/v1/indicators/snapshots"}, {"POST", "/v1/activities"},
    {"POST", "/v1/meetings"},          {"POST", "/v1/decisions"},
    {"POST", "/v1/deviations"},        {"POST", "/v1/audits/samples"},
    {"POST", "/v1/lists/progression/publish"}, {"POST", "/v1/subjects/{S}/legal-hold"},
    {"GET", "/v1/cases"},              {"GET", "/v1/cases/{C}/events"},
    {"GET", "/v1/indicators"},         {"GET", "/v1/lists/monthly"},
    {"GET", "/v1/lists/progression"},  {"GET", "/v1/decisions"},
    {"GET", "/v1/meetings"},           {"GET", "/v1/reminders"},
};
constexpr struct {
  const char* role;
  const char* unit;
} kCallers[] = {{"af_officer", "jarva"}, {"af_officer", "globen"}, {"compliance", ""}, {"strategic", ""}};

std::string Expand(std::string t, const World& w) {
  if (auto i = t.find("{S}"); i != std::string::npos) t.replace(i, 3, w.subject);
  if (auto i = t.find("{C}"); i != std::string::npos) t.replace(i, 3, w.case_id);
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  World& w = TheWorld();
  const Route& route = kRoutes[data[0] % std::size(kRoutes)];
  const auto& caller = kCallers[data[1] % std::size(kCallers)];
  std::string rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  std::string target = Expand(route.target, w);
  const bool get = std::string(route.method) == "GET";
  if (get) target += "?" + rest;
  auto r = w.api->Call(caller.role, caller.unit, route.method, target, get ? "" : rest);
  if (r.status >= 500) {
    std::fprintf(stderr, "api_body: %s %s answered %d: %s\n", route.method, route.target, r.status, r.body.c_str());
    std::abort();
  }
  if (r.content_type.find("json") != std::string::npos) {
    boost::system::error_code ec;
    (void)json::parse(r.body, ec);
    if (ec) {  // every JSON answer must be JSON
      std::fprintf(stderr, "api_body: %s %s answered %d %s that is not JSON: %s\n", route.method, route.target,
                   r.status, r.content_type.c_str(), r.body.c_str());
      std::abort();
    }
  }
  return 0;
}
