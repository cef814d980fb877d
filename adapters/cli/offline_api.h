// OfflineApi: the HTTP API's handlers run in-process against a data directory, as the operator.
// The CLI's read and compliance subcommands (replay, audit, extract, erase, import) go through
// exactly the checks, errors and read records a request over HTTP would; the operator appears in
// the log as "cli:<login name>". The server must be stopped (the stores are opened exclusively).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "adapters/cli/api_client.h"
#include "adapters/cli/data_dir.h"
#include "adapters/http/api.h"
#include "replay/case_directory.h"

namespace casetrail::adapters {

class OfflineApi final : public ApiClient {
 public:
  static Result<std::unique_ptr<OfflineApi>> Open(const DataDirFlags& flags, int suppress_below = 5);
  ~OfflineApi() override;

  // `role` is compliance, strategic, or af_officer with `unit`.
  ApiResponse Call(const std::string& role, const std::string& unit, const std::string& method,
                   const std::string& target, const std::string& body = "", const std::string& idempotency_key = "",
                   const std::string& accept = "") override;

  storage::Log& log() { return *stores_.log; }
  EngineOnStores& engine() { return *engine_; }
  replay::CaseDirectory& directory() { return *directory_; }
  replay::LiveIndicators& indicators() { return *indicators_; }

 private:
  OfflineApi() = default;

  OpenStores stores_;
  std::unique_ptr<EngineOnStores> engine_;
  std::unique_ptr<replay::CaseDirectory> directory_;
  std::unique_ptr<replay::LiveIndicators> indicators_;
  std::unique_ptr<Users> users_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<Api> api_;
  std::map<std::string, std::string> tokens_;  // "role/unit" → token
};

// Prints a response: the JSON body on stdout when 2xx (exit 0), else the problem's code and
// detail on stderr (exit 1).
int PrintResponse(const ApiResponse& r);

}  // namespace casetrail::adapters
