// What the benchmarks share: an engine over the real stores (RocksDB log and key store) in a fresh
// directory, with the study-referral revisions, a fixed master key and a manual clock; and valid,
// distinct personal identity numbers for many subjects.
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "engine/case_service.h"
#include "storage/rocksdb_log.h"
#include "workflows/study_referral.h"

namespace casetrail::bench {

// A valid personal identity number per n (distinct for n < 4.3M).
inline std::string BenchNumber(int n) {
  int year = 1940 + n % 60, month = 1 + (n / 60) % 12, day = 1 + (n / 720) % 28;
  char nine[16];
  std::snprintf(nine, sizeof(nine), "%02d%02d%02d%03d", year % 100, month, day, (n / 20160) % 1000);
  int sum = 0;
  for (int i = 0; i < 9; ++i) {
    int d = (nine[i] - '0') * (i % 2 == 0 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  return std::to_string(year / 100) + nine + std::to_string((10 - sum % 10) % 10);
}

struct BenchEngine {
  std::string dir;
  std::unique_ptr<storage::Log> log;
  std::unique_ptr<storage::KeyStore> keys;
  std::unique_ptr<engine::SubjectKeys> subject_keys;
  engine::DefinitionRegistry registry;
  engine::FakeClock clock;
  std::unique_ptr<engine::CaseService> service;

  // Empties `directory` first unless `reuse`; the clock starts at `start` (RFC 3339).
  BenchEngine(std::string directory, const char* start, bool reuse = false)
      : dir(std::move(directory)), clock(*engine::ParseRfc3339(start)) {
    if (!reuse) std::filesystem::remove_all(dir);
    storage::LogOptions o;
    o.path = dir + "/log";
    log = std::move(storage::OpenRocksLog(o)).value();
    keys = std::move(storage::OpenKeyStore(dir + "/keys")).value();
    engine::MasterKey m;
    m.bytes.fill(5);
    subject_keys = std::make_unique<engine::SubjectKeys>(keys.get(), m);
    (void)workflows::RegisterStudyReferral(&registry);
    service = std::make_unique<engine::CaseService>(log.get(), subject_keys.get(), &registry,
                                                    &workflows::StudyReferralGuards(), &clock, workflows::kStudyReferral);
  }
};

}  // namespace casetrail::bench
