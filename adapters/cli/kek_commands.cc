// `casetrail kek export` and `kek import`: a new JetStream node receives the key ring's current
// key-encryption key (storage/jetstream/key_ring.h) from a peer, never through JetStream. The text
// is sealed under a key derived from the master key every node holds, so only a holder of the
// master key can open it or make one that opens; the operator carries it over ssh, best as a pipe
// (`ssh app-1 casetrail kek export … | casetrail kek import …`) so no file keeps it.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "adapters/cli/commands.h"

namespace casetrail::adapters {
namespace {

int Fail(const char* what, const Status& s) {
  std::cerr << "casetrail kek " << what << ": " << s.ToString() << "\n";
  return 1;
}

}  // namespace

int RunKekExport(const DataDirFlags& flags) {
  if (flags.data.empty()) {
    std::cerr << "casetrail kek export: give --data DIR of a node of the cluster\n";
    return 2;
  }
  auto master = storage::ReadKeyFile(MasterKeyPath(flags));
  if (!master.ok()) return Fail("export", master.status());
  // Read-only: the node may be running and holding DATA/kek open.
  auto kek = storage::ReadLocalKek(flags.data + "/kek");
  if (!kek.ok()) return Fail("export", kek.status());
  std::cout << storage::SealKekExport(*master, KeyRingOptionsFor(flags).stream, *kek) << "\n";
  std::cerr << "exported the KEK of epoch " << kek->first << " (give it to `casetrail kek import` on the new node)\n";
  return 0;
}

int RunKekImport(const DataDirFlags& flags, const std::string& from) {
  if (flags.data.empty() || flags.log.empty()) {
    std::cerr << "casetrail kek import: give --data DIR and --log nats://… of the new node\n";
    return 2;
  }
  std::stringstream text;
  if (from.empty() || from == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(from);
    if (!in) return Fail("import", NotFound("cannot read the --from file"));
    text << in.rdbuf();
  }
  auto master = storage::ReadKeyFile(MasterKeyPath(flags));
  if (!master.ok()) return Fail("import", master.status());
  const storage::KeyRingOptions options = KeyRingOptionsFor(flags);
  auto kek = storage::OpenKekExport(*master, options.stream, text.str());
  if (!kek.ok()) return Fail("import", kek.status());
  const std::string local = options.local_path;
  const bool had_store = std::filesystem::exists(local);
  std::filesystem::create_directories(flags.data);
  // Opening the ring with it stores it and catches up: a KEK that does not open the ring's current
  // messages is refused here, not at the node's next start.
  auto ring = storage::KeyRing::Open(options, *kek);
  if (!ring.ok()) {
    if (!had_store) std::filesystem::remove_all(local);
    return Fail("import", ring.status());
  }
  std::cout << "imported the KEK of epoch " << kek->first << "; the key ring is at epoch " << (*ring)->epoch() << "\n";
  return 0;
}

}  // namespace casetrail::adapters
