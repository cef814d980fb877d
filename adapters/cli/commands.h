// The casetrail CLI's subcommands. Each returns a process exit code: 0 success, 1 the operation
// failed (message on stderr), 2 a usage error. None prints personal data.
#pragma once

#include <string>

#include "adapters/cli/data_dir.h"

namespace casetrail::adapters {

int RunKeygen(const std::string& path);
int RunDemo(const DataDirFlags& flags, int cases);
int RunVerify(const DataDirFlags& flags);
int RunBackup(const DataDirFlags& flags, const std::string& to);
int RunRestore(const DataDirFlags& flags, const std::string& from);
int RunRetention(const DataDirFlags& flags, const std::string& policy_file);

}  // namespace casetrail::adapters
