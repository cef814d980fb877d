// casetrail: the composition root. Parses the command line, wires the stores, runs one command.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <sys/stat.h>

#include <csignal>

#include "adapters/cli/commands.h"
#include "adapters/cli/serve.h"

namespace {
// Where the log lives: DATA/log (RocksDB, the default) or a NATS JetStream cluster.
void AddLogFlags(CLI::App* cmd, casetrail::adapters::DataDirFlags& flags) {
  cmd->add_option("--log", flags.log, "keep the log in NATS JetStream: nats://HOST:PORT,… (DATA/log is then this node's index)");
  cmd->add_option("--nats-creds", flags.nats_creds, "NATS credentials file (.creds) for --log");
  cmd->add_option("--nats-tls-ca", flags.nats_tls_ca, "CA bundle: connect to NATS over TLS, trusting it");
  cmd->add_option("--nats-stream", flags.nats_stream, "the JetStream stream that holds the log")->capture_default_str();
  cmd->add_option("--node-id", flags.node_id, "this node's name in the writer lease (default: the host name)");
}
}  // namespace

int main(int argc, char** argv) {
  using namespace casetrail::adapters;
  // Logs go to stderr: stdout carries results (and the server's URL) for scripts to read.
  spdlog::set_default_logger(spdlog::stderr_color_mt("casetrail"));
  // Everything casetrail creates (the data directory, RocksDB's and the key store's files, the
  // erasure ledger, backups, exported lists, key files) is for its owner alone, whatever the
  // umask it was started with: 0600 files, 0700 folders.
  ::umask(077);
  // A closed pipe or socket must be an error code, not a dead process.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"casetrail — event-sourced case workflows with a tamper-evident, GDPR-aware audit log"};
  app.require_subcommand(1);
  DataDirFlags flags;
  auto add_data_flags = [&flags](CLI::App* cmd) {
    cmd->add_option("--data", flags.data, "data directory (holds log/ and keys/); the server must be stopped");
    cmd->add_option("--url", flags.url, "or a running server, http://HOST:PORT (needs --token-file)")->excludes("--data");
    cmd->add_option("--token-file", flags.token_file, "file holding the bearer token for --url (mode 0600)");
    cmd->add_option("--master-key", flags.master_key, "master key file (default DATA/master.key)");
    cmd->add_option("--signing-key", flags.signing_key,
                    "Ed25519 seed file for checkpoints (default: derived from the master key)");
    AddLogFlags(cmd, flags);
  };

  std::string key_path;
  auto* keygen = app.add_subcommand("keygen", "write a new random 32-byte key file (hex, mode 0600)");
  keygen->add_option("file", key_path, "where to write the key")->required();

  auto* users = app.add_subcommand("users", "service tokens for the users file (stored only as hashes)");
  users->require_subcommand(1);
  auto* new_token = users->add_subcommand("new-token", "print a new random token (256 bits) and its token_hash, once");
  auto* hash_token = users->add_subcommand("hash-token", "read a token on standard input and print its token_hash");

  auto* verify = app.add_subcommand("verify", "check the hash chain, stream index and signed checkpoints");
  add_data_flags(verify);

  std::string backup_to;
  auto* backup = app.add_subcommand("backup", "copy a consistent image of the stores to a new directory");
  add_data_flags(backup);
  backup->add_option("--to", backup_to, "backup directory (must not exist; keep it outside DATA); with --url a folder name under the server's --backup-root")->required();

  std::string restore_from;
  auto* restore = app.add_subcommand("restore", "restore a backup into DATA and verify it");
  add_data_flags(restore);
  restore->add_option("--from", restore_from, "backup directory")->required();

  std::string kek_from;
  auto* kek = app.add_subcommand("kek", "the key ring's key-encryption key, for a new node of a JetStream cluster");
  kek->require_subcommand(1);
  auto* kek_export = kek->add_subcommand("export", "print this node's KEK sealed under the master key (the node may run)");
  add_data_flags(kek_export);
  auto* kek_import = kek->add_subcommand("import", "store a KEK from `kek export` in DATA/kek and check it opens the ring");
  add_data_flags(kek_import);
  kek_import->add_option("--from", kek_from, "file holding the export (default: standard input)");

  std::string retention_policy;
  auto* retention = app.add_subcommand("retention", "apply the retention policy now: erase subjects whose period has passed");
  add_data_flags(retention);
  retention->add_option("--policy", retention_policy, "retention policy file (JSON, see docs/gdpr.md); with --url the server's own");

  ReplayFlags replay_flags;
  auto* replay = app.add_subcommand("replay", "rebuild one case at a version, as recorded by a time, or as effective on a date");
  add_data_flags(replay);
  replay->add_option("case", replay_flags.case_id, "case id (C-…)")->required();
  replay->add_option("--version", replay_flags.version, "after this many case events");
  replay->add_option("--as-of", replay_flags.as_of, "as recorded by this date or RFC 3339 time");
  replay->add_option("--valid-at", replay_flags.valid_at, "as effective on this date, as known now (or --as-of)");

  std::string audit_case;
  auto* audit = app.add_subcommand("audit", "a case's audit trail: events, refused commands, reads, chain status");
  add_data_flags(audit);
  audit->add_option("case", audit_case, "case id (C-…)")->required();

  std::string extract_subject;
  auto* extract = app.add_subcommand("extract", "a subject's register extract (GDPR Art. 15); recorded as a read");
  add_data_flags(extract);
  extract->add_option("subject", extract_subject, "subject id (S-…)")->required();

  std::string erase_subject, erase_basis, erase_reference;
  auto* erase = app.add_subcommand("erase", "erase a subject by crypto-shredding (GDPR Art. 17)");
  add_data_flags(erase);
  erase->add_option("subject", erase_subject, "subject id (S-…)")->required();
  erase->add_option("--legal-basis", erase_basis, "legal basis code, e.g. art17_1a")->required();
  erase->add_option("--reference", erase_reference, "decision or registry reference")->required();

  std::string import_csv;
  auto* import = app.add_subcommand("import", "import referrals from CSV (columns: docs/operations.md)");
  add_data_flags(import);
  import->add_option("csv", import_csv, "CSV file with a header row")->required()->check(CLI::ExistingFile);

  IndicatorFlags indicator_flags;
  auto* indicators = app.add_subcommand("indicators", "the cooperation's indicators (I1–I4, A1) for a period, with the previous year");
  add_data_flags(indicators);
  indicators->add_option("--year", indicator_flags.year, "calendar year, e.g. 2025");
  indicators->add_option("--period", indicator_flags.period, "or a period: 2025-03, 2025-Q2, 2025-T1, 2025-H1, 2025-VT, 2025-HT");
  indicators->add_option("--unit", indicator_flags.unit, "a unit of the workflow model, e.g. jarva (default: all units)");
  indicators->add_flag("--as-strategic", indicator_flags.as_strategic, "the strategic group's view, small cells suppressed");
  indicators->add_option("--suppress-below", indicator_flags.suppress_below, "suppression threshold")->capture_default_str();
  indicators->add_flag("--publish", indicator_flags.publish, "store the strategic view as an IndicatorSnapshotTaken event");

  IndicatorFlags audit_scope;
  int sample_size = 10;
  long long sample_seed = -1;
  auto* decision_audit = app.add_subcommand("decision-audit", "a period's case decisions grouped by kind, reason, revision and unit");
  auto* sample = app.add_subcommand("sample", "draw a seeded, recorded sample of case ids with decisions, for review");
  for (auto* cmd : {decision_audit, sample}) {
    add_data_flags(cmd);
    cmd->add_option("--year", audit_scope.year, "calendar year");
    cmd->add_option("--period", audit_scope.period, "or a period: 2025-03, 2025-Q2, 2025-T1, 2025-H1, 2025-VT, 2025-HT");
    cmd->add_option("--unit", audit_scope.unit, "a unit of the workflow model, e.g. jarva");
  }
  sample->add_option("--size", sample_size, "how many case ids")->capture_default_str()->check(CLI::Range(1, 1000));
  sample->add_option("--seed", sample_seed, "seed (default: random, printed and recorded)");
  auto* decisions = app.add_subcommand("decisions", "the decision register (DecisionRecorded, WorkflowRevisionAdopted)");
  add_data_flags(decisions);
  auto* deviations = app.add_subcommand("deviations", "the deviation log with each deviation's handling");
  add_data_flags(deviations);

  ListFlags list_flags;
  auto* lists = app.add_subcommand("lists", "a generated monthly or quarterly follow-up list, as JSON, CSV or XLSX");
  add_data_flags(lists);
  lists->add_option("--unit", list_flags.unit, "a unit of the workflow model, e.g. jarva")->required();
  lists->add_option("--month", list_flags.month, "the monthly list of YYYY-MM");
  lists->add_option("--quarter", list_flags.quarter, "or the progression list of YYYY-Qn");
  lists->add_option("--format", list_flags.format, "json, csv or xlsx")->check(CLI::IsMember({"json", "csv", "xlsx"}))->capture_default_str();
  lists->add_option("--out", list_flags.out, "write to this file (required for xlsx)");

  auto* rebuild = app.add_subcommand("rebuild", "rebuild the projections from the log and check them against full replay");
  add_data_flags(rebuild);

  ServeFlags serve_flags;
  auto* serve = app.add_subcommand("serve", "serve the HTTP/JSON API (and, with --demo, a ready demo)");
  serve->add_option("--data", serve_flags.data.data, "data directory (default with --demo: ./demo-data)");
  serve->add_option("--master-key", serve_flags.data.master_key, "master key file (default DATA/master.key)");
  serve->add_option("--signing-key", serve_flags.data.signing_key, "Ed25519 seed file for checkpoints");
  AddLogFlags(serve, serve_flags.data);
  serve->add_option("--listen", serve_flags.listen, "HOST:PORT to listen on")->capture_default_str();
  serve->add_option("--users", serve_flags.users, "users file (default with --demo: DATA/demo-users.json)");
  serve->add_option("--manual-clock", serve_flags.manual_clock,
                    "start the clock at this RFC 3339 time and let admin move it (POST /v1/admin/clock)");
  serve->add_option("--suppress-below", serve_flags.suppress_below,
                    "indicator cells below this count are hidden from the strategic role")->capture_default_str();
  serve->add_option("--retention", serve_flags.retention,
                    "retention policy file (JSON, see docs/gdpr.md); enables POST /v1/retention/run");
  serve->add_option("--retention-hour", serve_flags.retention_hour,
                    "with --retention: the Stockholm hour at which the worker runs the policy each day")
      ->check(CLI::Range(0, 23))
      ->capture_default_str();
  serve->add_option("--webhook", serve_flags.webhooks,
                    "deliver fired reminders to https://HOST[:PORT]/PATH (http:// only to loopback; repeatable)");
  serve->add_option("--webhook-ca", serve_flags.webhook_ca, "trust this PEM file for the webhooks' certificates (default: the system's)")
      ->check(CLI::ExistingFile);
  serve->add_option("--webhook-secret", serve_flags.webhook_secret, "file with the webhooks' HMAC-SHA256 secret (16+ bytes)");
  serve->add_option("--smtp", serve_flags.smtp, "e-mail fired reminders through this SMTP relay, HOST:PORT");
  serve->add_flag("--smtp-require-tls", serve_flags.smtp_require_tls,
                  "mail only over STARTTLS (by default it is used whenever the relay offers it)");
  serve->add_option("--smtp-ca", serve_flags.smtp_ca, "trust this PEM file for the relay's certificate (default: the system's)")
      ->check(CLI::ExistingFile);
  serve->add_option("--mail-from", serve_flags.mail_from, "sender address of reminder e-mail");
  serve->add_option("--mail-to", serve_flags.mail_to, "functional mailbox that receives reminder e-mail");
  serve->add_option("--calendar", serve_flags.calendar,
                    "the follow-up lists' calendar: meeting weekday, lead days, hours, feedback days (JSON; docs/workers.md)");
  serve->add_option("--workflow", serve_flags.workflows,
                    "adopt this workflow revision file (JSON, docs/workflows.md); kept in the log, so later starts need it no more (repeatable)")
      ->check(CLI::ExistingFile);
  serve->add_option("--model", serve_flags.models,
                    "adopt this workflow model version (JSON: roles, units, consent scopes; docs/workflows.md §6); kept in the log (repeatable)")
      ->check(CLI::ExistingFile);
  serve->add_option("--backup-root", serve_flags.backup_root,
                    "folder for backups taken while serving (POST /v1/admin/backup, `casetrail backup --url`)");
  serve->add_option("--web-root", serve_flags.web_root, "serve the web UI from this directory (development); default: the embedded UI");
  serve->add_option("--worker-poll-ms", serve_flags.worker_poll_ms, "how often the reminder worker looks for due work")
      ->capture_default_str()->check(CLI::Range(10, 600000));
  serve->add_option("--read-model-checkpoint-minutes", serve_flags.read_model_checkpoint_minutes,
                    "how often the case directory and indicators write their checkpoints (DIR/read-models) "
                    "for the next start to resume from; 0: only when the server stops")
      ->capture_default_str()->check(CLI::Range(0, 24 * 60));
  // The server's limits: docs/reliability.md says what each guards against.
  serve->add_option("--read-timeout", serve_flags.read_timeout_s,
                    "seconds to wait for a request and read it, headers and body (an idle kept-alive connection closes after it)")
      ->capture_default_str()->check(CLI::Range(1, 3600));
  serve->add_option("--queue-timeout", serve_flags.queue_timeout_s,
                    "seconds a request may wait for a handler thread; later it is answered 503 without running")
      ->capture_default_str()->check(CLI::Range(1, 3600));
  serve->add_option("--write-timeout", serve_flags.write_timeout_s,
                    "seconds to write an answer, counted from the handler's end (a started handler is never cut short)")
      ->capture_default_str()->check(CLI::Range(1, 3600));
  serve->add_option("--max-connections", serve_flags.max_connections,
                    "connections held open in all; more are answered 503 with Retry-After and closed")
      ->capture_default_str()->check(CLI::Range(1, 1000000));
  serve->add_option("--max-connections-per-address", serve_flags.max_connections_per_address,
                    "connections held open per client address (raise it behind a reverse proxy); more are answered 503")
      ->capture_default_str()->check(CLI::Range(1, 1000000));
  serve->add_option("--max-queue", serve_flags.max_queue,
                    "requests that may wait for a handler thread; more are answered 503 with Retry-After")
      ->capture_default_str()->check(CLI::Range(0, 1000000));
  serve->add_option("--lookups-per-minute", serve_flags.lookups_per_minute,
                    "lookups by personal identity number one user may make in a minute; more are answered 429 (0: no limit)")
      ->capture_default_str()->check(CLI::Range(0, 1000000));
  serve->add_option("--sign-in-failures-per-minute", serve_flags.sign_in_failures_per_minute,
                    "failed sign-ins from one address in a minute before it is locked out, 1 s doubling to 15 min (0: no limit)")
      ->capture_default_str()->check(CLI::Range(0, 1000000));
  serve->add_option("--handler-threads", serve_flags.handler_threads,
                    "threads that run requests (they block on synced appends; many in flight share one sync)")
      ->capture_default_str()->check(CLI::Range(1, 1024));
  serve->add_option("--delivery-timeout", serve_flags.delivery_timeout_s,
                    "seconds one webhook POST or one SMTP conversation may take before it counts as failed")
      ->capture_default_str()->check(CLI::Range(1, 600));
  serve->add_option("--tls-cert", serve_flags.tls_cert, "serve HTTPS (TLS 1.2 and 1.3) with this PEM certificate chain")
      ->check(CLI::ExistingFile);
  serve->add_option("--tls-key", serve_flags.tls_key, "the PEM private key of --tls-cert (mode 0600)")->check(CLI::ExistingFile);
  serve->add_flag("--behind-tls-proxy", serve_flags.behind_tls_proxy,
                  "plain HTTP on a non-loopback --listen address is allowed: a reverse proxy terminates TLS");
  serve->add_option("--oidc-issuer", serve_flags.oidc_issuer,
                    "accept access tokens (JWT, RS256/ES256) of this OpenID Connect issuer beside the users file; "
                    "https, or http only for a loopback issuer (tests)");
  serve->add_option("--oidc-audience", serve_flags.oidc_audience, "the `aud` API access tokens must name (with --oidc-issuer)");
  serve->add_option("--oidc-mapping", serve_flags.oidc_mapping,
                    "JSON file mapping token claims to person, role and unit (docs/operations.md)");
  serve->add_option("--oidc-client-id", serve_flags.oidc_client_id,
                    "the web UI's client at the issuer: enables sign-in through the provider (/auth/login)");
  serve->add_option("--oidc-client-secret-file", serve_flags.oidc_client_secret_file,
                    "file holding the client's secret (client_secret_basic); without it a public client, PKCE only");
  serve->add_option("--oidc-scope", serve_flags.oidc_scope, "scopes the web sign-in asks for")->capture_default_str();
  serve->add_option("--public-url", serve_flags.public_url,
                    "the URL users reach casetrail at; the redirect URI is PUBLIC_URL/auth/callback "
                    "(default on a loopback address: http://HOST:PORT)");
  serve->add_option("--oidc-leeway", serve_flags.oidc_leeway_s, "seconds of clock skew allowed on exp, nbf and iat")
      ->capture_default_str()->check(CLI::Range(0, 300));
  serve->add_option("--oidc-jwks-refetch-interval", serve_flags.oidc_jwks_refetch_s,
                    "least seconds between two fetches of the issuer's keys caused by an unknown key id")
      ->capture_default_str()->check(CLI::Range(0, 86400));
  serve->add_option("--session-idle-timeout", serve_flags.session_idle_s,
                    "seconds without a request after which a web session ends")
      ->capture_default_str()->check(CLI::Range(1, 86400));
  serve->add_option("--session-max-age", serve_flags.session_max_s, "seconds after sign-in at which a web session ends")
      ->capture_default_str()->check(CLI::Range(1, 7 * 86400));
  serve->add_flag("--demo", serve_flags.demo, "create keys, demo users and demo cases if DATA is new, print tokens");
  serve->add_option("--demo-cases", serve_flags.demo_cases, "how many demo cases to generate (the fixture case comes on top)")->check(CLI::Range(1, 100000));

  CLI11_PARSE(app, argc, argv);
  if (*serve) return RunServe(serve_flags);
  if (*keygen) return RunKeygen(key_path);
  if (*new_token) return RunNewToken();
  if (*hash_token) return RunHashToken();
  if (*verify) return RunVerify(flags);
  if (*backup) return RunBackup(flags, backup_to);
  if (*restore) return RunRestore(flags, restore_from);
  if (*retention) return RunRetention(flags, retention_policy);
  if (*kek_export) return RunKekExport(flags);
  if (*kek_import) return RunKekImport(flags, kek_from);
  if (*replay) return RunReplay(flags, replay_flags);
  if (*audit) return RunAudit(flags, audit_case);
  if (*extract) return RunExtract(flags, extract_subject);
  if (*erase) return RunErase(flags, erase_subject, erase_basis, erase_reference);
  if (*import) return RunImport(flags, import_csv);
  if (*rebuild) return RunRebuild(flags);
  if (*indicators) return RunIndicators(flags, indicator_flags);
  if (*lists) return RunLists(flags, list_flags);
  if (*decision_audit) return RunStrategic(flags, "decision-audit", audit_scope, 0, -1);
  if (*sample) return RunStrategic(flags, "sample", audit_scope, sample_size, sample_seed);
  if (*decisions) return RunStrategic(flags, "decisions", audit_scope, 0, -1);
  if (*deviations) return RunStrategic(flags, "deviations", audit_scope, 0, -1);
  return 2;
}
