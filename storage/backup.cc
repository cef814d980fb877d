#include "storage/backup.h"

#include <filesystem>

#include "storage/rocksdb_log.h"

namespace casetrail::storage {

namespace fs = std::filesystem;

Status CreateBackup(Log& log, KeyStore& keys, const std::string& backup_dir) {
  if (fs::exists(backup_dir)) return AlreadyExists("backup directory already exists");
  std::error_code ec;
  fs::create_directories(backup_dir, ec);
  if (ec) return Unavailable("cannot create backup directory");
  CT_RETURN_IF_ERROR(log.Backup(backup_dir + "/log"));
  return keys.Backup(backup_dir + "/keys");
}

Result<VerifyReport> RestoreBackup(const std::string& backup_dir, const std::string& data_dir,
                                   const std::array<uint8_t, 32>& signing_seed) {
  for (const char* part : {"log", "keys"}) {
    if (!fs::is_directory(backup_dir + "/" + part)) return NotFound("backup is incomplete");
    if (fs::exists(data_dir + "/" + part)) return AlreadyExists("data directory already holds a store");
  }
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  for (const char* part : {"log", "keys"}) {
    fs::copy(backup_dir + "/" + part, data_dir + "/" + part, fs::copy_options::recursive, ec);
    if (ec) return Unavailable("cannot copy backup into the data directory");
  }
  LogOptions options;
  options.path = data_dir + "/log";
  options.signing_seed = signing_seed;
  CT_ASSIGN_OR_RETURN(auto restored, OpenRocksLog(options));
  CT_ASSIGN_OR_RETURN(VerifyReport report, restored->Verify(nullptr));
  if (!report.ok) {
    return DataLoss("restored log does not verify")
        .With("first_bad_position", std::to_string(report.first_bad_position->value()));
  }
  return report;
}

}  // namespace casetrail::storage
