// casetrail: the composition root. Parses the command line, wires the stores, runs one command.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>

#include "adapters/cli/commands.h"
#include "adapters/cli/serve.h"

int main(int argc, char** argv) {
  using namespace casetrail::adapters;
  // Logs go to stderr: stdout carries results (and the server's URL) for scripts to read.
  spdlog::set_default_logger(spdlog::stderr_color_mt("casetrail"));
  // A closed pipe or socket must be an error code, not a dead process.
  std::signal(SIGPIPE, SIG_IGN);
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

  std::string retention_policy;
  auto* retention = app.add_subcommand("retention", "apply the retention policy now: erase subjects whose period has passed");
  add_data_flags(retention);
  retention->add_option("--policy", retention_policy, "retention policy file (JSON, see docs/gdpr.md)")->required();

  ServeFlags serve_flags;
  auto* serve = app.add_subcommand("serve", "serve the HTTP/JSON API (and, with --demo, a ready demo)");
  serve->add_option("--data", serve_flags.data.data, "data directory (default with --demo: ./demo-data)");
  serve->add_option("--master-key", serve_flags.data.master_key, "master key file (default DATA/master.key)");
  serve->add_option("--signing-key", serve_flags.data.signing_key, "Ed25519 seed file for checkpoints");
  serve->add_option("--listen", serve_flags.listen, "HOST:PORT to listen on")->capture_default_str();
  serve->add_option("--users", serve_flags.users, "users file (default with --demo: DATA/demo-users.json)");
  serve->add_option("--manual-clock", serve_flags.manual_clock,
                    "start the clock at this RFC 3339 time and let admin move it (POST /v1/admin/clock)");
  serve->add_option("--suppress-below", serve_flags.suppress_below,
                    "indicator cells below this count are hidden from the strategic role")->capture_default_str();
  serve->add_option("--retention", serve_flags.retention,
                    "retention policy file (JSON, see docs/gdpr.md); enables POST /v1/retention/run");
  serve->add_flag("--demo", serve_flags.demo, "create keys, demo users and demo cases if DATA is new, print tokens");
  serve->add_option("--demo-cases", serve_flags.demo_cases, "how many demo cases to create")->check(CLI::Range(1, 100000));

  CLI11_PARSE(app, argc, argv);
  if (*serve) return RunServe(serve_flags);
  if (*keygen) return RunKeygen(key_path);
  if (*demo) return RunDemo(flags, cases);
  if (*verify) return RunVerify(flags);
  if (*backup) return RunBackup(flags, backup_to);
  if (*restore) return RunRestore(flags, restore_from);
  if (*retention) return RunRetention(flags, retention_policy);
  return 2;
}
