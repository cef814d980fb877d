// Test helper: does any file under a directory contain a byte string?
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace casetrail::testing {

// Returns the first file under `dir` whose bytes contain `needle`, or "" if none does.
inline std::string FindBytesUnder(const std::string& dir, const std::string& needle) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (ss.str().find(needle) != std::string::npos) return entry.path().string();
  }
  return "";
}

}  // namespace casetrail::testing
