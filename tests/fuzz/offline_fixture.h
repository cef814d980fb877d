// The HTTP API's handlers in-process (adapters::OfflineApi) on a fresh data directory, shared by
// the fuzz targets that go through the API. The directory lives under $TMPDIR (scripts/fuzz
// points it at /dev/shm, where RocksDB's syncs cost nothing) and is removed at exit.
//
// The stores persist across inputs, as a server's do: an input may depend on what earlier ones
// wrote. A crash that does not reproduce from its artifact alone is rerun with the corpus.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "adapters/cli/offline_api.h"
#include "storage/key_file.h"

namespace casetrail::fuzz {

// One scratch directory per process, removed at exit. Never destroyed itself: the exit handler
// that removes it runs after the destructors of statics made before it was registered.
inline const std::string& FuzzScratchDir() {
  static const std::string* const dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    auto* path = new std::string(std::string(tmp && *tmp ? tmp : "/tmp") + "/casetrail-fuzz-XXXXXX");
    if (!::mkdtemp(path->data())) std::abort();
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(FuzzScratchDir(), ec);
    });
    return path;
  }();
  return *dir;
}

inline std::unique_ptr<adapters::OfflineApi> OpenFuzzApi() {
  adapters::DataDirFlags flags;
  flags.data = FuzzScratchDir() + "/data";
  std::filesystem::create_directories(flags.data);
  if (!storage::WriteNewKeyFile(flags.data + "/master.key").ok()) std::abort();
  auto api = adapters::OfflineApi::Open(flags);
  if (!api.ok()) std::abort();
  return std::move(api).value();
}

}  // namespace casetrail::fuzz
