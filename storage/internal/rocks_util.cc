#include "storage/internal/rocks_util.h"

namespace casetrail::storage::internal {

Status FromRocks(const rocksdb::Status& s, const char* what) {
  if (s.ok()) return Status::Ok();
  std::string m = std::string(what) + ": " + s.ToString();
  if (s.IsNotFound()) return NotFound(m);
  if (s.IsCorruption()) return DataLoss(m);
  if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
    return Unavailable(std::string(what) + ": the data directory is in use by another process");
  }
  if (s.IsIOError() || s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) return Unavailable(m);
  if (s.IsInvalidArgument()) return InvalidArgument(m);
  return Internal(m);
}

}  // namespace casetrail::storage::internal
