// Fuzz target "csv_import": the CSV importer (adapters/cli/csv_import.cc) on the real API
// handlers (OfflineApi over RocksDB). Besides memory errors and UB it checks the importer's
// promise that a bad row writes nothing: once a row's first write (the registration) succeeded,
// its consent and referral must succeed too. A rejection found by the row checks is fine; a
// refusal by the API in the middle of a row is a finding.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "adapters/cli/csv_import.h"
#include "tests/fuzz/offline_fixture.h"

using namespace casetrail;

namespace {

// Passes every call to the API and aborts when a row stops half-way.
class RowAtomicityCheck final : public adapters::ApiClient {
 public:
  explicit RowAtomicityCheck(adapters::ApiClient* api) : api_(api) {}
  adapters::ApiResponse Call(const std::string& role, const std::string& unit, const std::string& method,
                             const std::string& target, const std::string& body, const std::string& key,
                             const std::string& accept) override {
    auto r = api_->Call(role, unit, method, target, body, key, accept);
    const bool ok = r.status / 100 == 2;
    if (target == "/v1/subjects") {
      row_started_ = ok;
    } else if (target != "/v1/subjects/lookup") {
      if (row_started_ && !ok) {
        std::fprintf(stderr, "csv_import: %s answered %d after the row's subject was registered: %s\n",
                     target.c_str(), r.status, r.body.c_str());
        std::abort();
      }
      if (target == "/v1/cases") row_started_ = false;
    }
    return r;
  }

 private:
  adapters::ApiClient* api_;
  bool row_started_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto api = fuzz::OpenFuzzApi();
  static const std::string path = fuzz::FuzzScratchDir() + "/import.csv";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  RowAtomicityCheck checked(api.get());
  (void)adapters::ImportReferralsCsv(checked, path);
  return 0;
}
