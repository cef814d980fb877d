// Runs the real `casetrail` binary with arguments and collects its exit code, stdout and stderr.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include "tests/support/temp_dir.h"

namespace casetrail::testing {

struct CliResult {
  int exit_code = -1;
  std::string out, err;
};

// `timeout_s` > 0: the command is ended (exit 124) if it runs longer, as a server that starts
// when it should have refused would.
inline CliResult Cli(const TempDir& dir, const std::string& args, int timeout_s = 0) {
  const std::string err_file = dir.Sub("cli.err");
  const std::string cmd = (timeout_s > 0 ? "timeout " + std::to_string(timeout_s) + " " : std::string()) +
                          std::string(CASETRAIL_BIN) + " " + args + " 2>" + err_file;
  CliResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_file);
  r.err.assign(std::istreambuf_iterator<char>(err), {});
  return r;
}

}  // namespace casetrail::testing
