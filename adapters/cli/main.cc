// casetrail: the composition root. Parses the command line, wires the stores, runs one command.
#include <CLI/CLI.hpp>

#include "adapters/cli/commands.h"

int main(int argc, char** argv) {
  using namespace casetrail::adapters;
  CLI::App app{"casetrail — event-sourced case workflows with a tamper-evident, GDPR-aware audit log"};
  app.require_subcommand(1);
  DataDirFlags flags;
  auto add_data_flags = [&flags](CLI::App* cmd) {
    cmd->add_option("--data", flags.data, "data directory (holds log/ and keys/)")->required();
    cmd->add_option("--master-key", flags.master_key, "master key file (default DATA/master.key)");
    cmd->add_option("--signing-key", flags.signing_key,
                    "Ed25519 seed file for checkpoints (default: derived from the master key)");
  };

  std::string key_path;
  auto* keygen = app.add_subcommand("keygen", "write a new random 32-byte key file (hex, mode 0600)");
  keygen->add_option("file", key_path, "where to write the key")->required();

  int cases = 3;
  auto* demo = app.add_subcommand("demo", "append demo cases to a data directory, read them back, verify");
  add_data_flags(demo);
  demo->add_option("--cases", cases, "how many demo cases to append")->check(CLI::Range(1, 100000));

  auto* verify = app.add_subcommand("verify", "check the hash chain, stream index and signed checkpoints");
  add_data_flags(verify);

  std::string backup_to;
  auto* backup = app.add_subcommand("backup", "copy a consistent image of the stores to a new directory");
  add_data_flags(backup);
  backup->add_option("--to", backup_to, "backup directory (must not exist; keep it outside DATA)")->required();

  std::string restore_from;
  auto* restore = app.add_subcommand("restore", "restore a backup into DATA and verify it");
  add_data_flags(restore);
  restore->add_option("--from", restore_from, "backup directory")->required();

  CLI11_PARSE(app, argc, argv);
  if (*keygen) return RunKeygen(key_path);
  if (*demo) return RunDemo(flags, cases);
  if (*verify) return RunVerify(flags);
  if (*backup) return RunBackup(flags, backup_to);
  if (*restore) return RunRestore(flags, restore_from);
  return 2;
}
