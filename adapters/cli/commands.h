// The casetrail CLI's subcommands. Each returns a process exit code: 0 success, 1 the operation
// failed (message on stderr), 2 a usage error. None prints personal data.
#pragma once

#include <string>

#include "adapters/cli/data_dir.h"

namespace casetrail::adapters {

int RunKeygen(const std::string& path);
int RunVerify(const DataDirFlags& flags);
int RunBackup(const DataDirFlags& flags, const std::string& to);
int RunRestore(const DataDirFlags& flags, const std::string& from);
int RunRetention(const DataDirFlags& flags, const std::string& policy_file);

// Offline API subcommands (the server must be stopped): JSON on stdout.
struct ReplayFlags {
  std::string case_id;
  std::string version, as_of, valid_at;
};
int RunReplay(const DataDirFlags& flags, const ReplayFlags& replay);
int RunAudit(const DataDirFlags& flags, const std::string& case_id);
int RunExtract(const DataDirFlags& flags, const std::string& subject_id);
int RunErase(const DataDirFlags& flags, const std::string& subject_id, const std::string& legal_basis,
             const std::string& reference);
int RunImport(const DataDirFlags& flags, const std::string& csv_path);
struct IndicatorFlags {
  std::string year, period, unit;
  bool as_strategic = false;  // the suppressed view the strategic group gets
  int suppress_below = 5;
  bool publish = false;       // store it as an IndicatorSnapshotTaken
};
int RunIndicators(const DataDirFlags& flags, const IndicatorFlags& indicators);
// The strategic group's records through the API in-process: decision-audit, sample, decisions,
// deviations. `query` holds year/period/unit (decision-audit) or the sample's body fields.
int RunStrategic(const DataDirFlags& flags, const std::string& what, const IndicatorFlags& scope, int size,
                 long long seed);
// Rebuilds the projections from the log and checks each case against a full replay.
int RunRebuild(const DataDirFlags& flags);

}  // namespace casetrail::adapters
