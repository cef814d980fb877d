#include "adapters/cli/serve.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include <boost/asio/ip/address.hpp>

#include "adapters/demo/demo_population.h"
#include "adapters/http/oidc/http_fetch.h"
#include "adapters/http/oidc/sign_in.h"
#include "adapters/http/server.h"
#include "adapters/workers/list_jobs.h"
#include "adapters/workers/read_model_checkpointer.h"
#include "engine/case_service.h"
#include "engine/cooperation_records.h"
#include "engine/registered_revisions.h"
#include "replay/case_directory.h"
#include "replay/case_rebuild.h"
#include "replay/name_index.h"
#include "replay/subject_personal.h"
#include "storage/base/hex.h"
#include "storage/key_file.h"
#include "workflows/study_referral.h"

namespace casetrail::adapters {
namespace fs = std::filesystem;

namespace {

int Fail(const Status& s) {
  std::cerr << "casetrail serve: " << s.ToString() << "\n";
  return 1;
}

bool SplitListen(const std::string& listen, std::string* host, uint16_t* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  *host = listen.substr(0, colon);
  int p = std::atoi(listen.c_str() + colon + 1);
  if (p < 0 || p > 65535) return false;
  *port = static_cast<uint16_t>(p);
  return true;
}

// The whole file, or nullopt with errno set when it cannot be opened or read (missing, no
// permission, a directory).
std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return std::nullopt;
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof(buf), f)) > 0;) out.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  const int saved = errno;
  std::fclose(f);
  errno = saved;
  if (failed) return std::nullopt;
  return out;
}

// 127.0.0.0/8 or ::1 (an address that is not one is not loopback either).
bool IsLoopback(const std::string& host) {
  boost::system::error_code ec;
  const auto a = boost::asio::ip::make_address(host, ec);
  return !ec && a.is_loopback();
}

// UsersLoaded on the admin stream when the users file differs from the one last recorded (the
// first start, or an edit): who started the server (the operating-system user), when, and what
// the file gave: how many users, their ids and roles, and a hash of the file. Nothing from which
// a token could be learnt.
Status RecordUsersLoaded(storage::Log& log, const std::string& path, const Users& users, engine::Timestamp now) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string content = text.str();
  unsigned char hash[32];
  crypto_generichash(hash, sizeof(hash), reinterpret_cast<const unsigned char*>(content.data()), content.size(), nullptr, 0);
  const std::string file_hash = ToHex(std::string_view(reinterpret_cast<const char*>(hash), sizeof(hash)));
  CT_ASSIGN_OR_RETURN(auto earlier, replay::ReadStreamEvents(log, engine::AdminStream()));
  for (auto it = earlier.rbegin(); it != earlier.rend(); ++it) {
    if (it->event.type != "UsersLoaded") continue;
    const std::string* last = engine::AsText(it->event.facts, "file_hash");
    if (last && *last == file_hash) return Status::Ok();  // the same users as recorded
    break;
  }
  std::vector<std::string> ids;
  for (const auto& a : users.Actors()) ids.push_back(a.id + ":" + a.role + (a.unit.empty() ? "" : "/" + a.unit));
  const char* login = std::getenv("USER");
  engine::Actor by{std::string("os:") + (login ? login : "operator"), "system", "", "system", ""};
  return engine::AppendRecord(log, engine::AdminStream(), "UsersLoaded", by,
                              {{"users", static_cast<int64_t>(users.size())},
                               {"ids", ids},
                               {"file_hash", file_hash}},
                              now, now)
      .status();
}

// Writes `text` to a new or truncated file that only its owner may read.
Status WriteOwnerOnlyFile(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return Unavailable("cannot write " + path);
  const bool ok = ::fchmod(fd, 0600) == 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok ? Status::Ok() : Unavailable("cannot write " + path);
}

// Creates keys, demo users and the demo population in a fresh data directory; reuses it after.
Status PrepareDemo(ServeFlags& f) {
  if (f.data.data.empty()) f.data.data = "./demo-data";
  fs::create_directories(f.data.data);
  const bool own_users = f.users.empty();
  if (own_users) f.users = f.data.data + "/demo-users.json";
  if (!fs::exists(MasterKeyPath(f.data))) CT_RETURN_IF_ERROR(storage::WriteNewKeyFile(MasterKeyPath(f.data)));
  const bool fresh = !fs::exists(f.data.data + "/log");
  // The users file keeps token hashes; the tokens themselves, for the demo to print, are kept
  // beside it (0600). A demo directory from before hashed tokens gets new users and tokens.
  const std::string tokens_file = f.data.data + "/demo-tokens";
  if (!fs::exists(f.users) || (own_users && !fs::exists(tokens_file))) {
    const auto users = MakeDemoUsers();
    CT_ASSIGN_OR_RETURN(std::string json, DemoUsersJson(users));
    CT_RETURN_IF_ERROR(WriteOwnerOnlyFile(f.users, json + "\n"));
    CT_RETURN_IF_ERROR(WriteOwnerOnlyFile(tokens_file, DemoTokensText(users)));
  }
  if (!fresh) return Status::Ok();
  CT_ASSIGN_OR_RETURN(OpenStores stores, OpenDataDir(f.data));
  engine::MasterKey master;
  master.bytes = stores.master;
  engine::SubjectKeys keys(stores.keys.get(), master);
  engine::DefinitionRegistry registry;
  CT_RETURN_IF_ERROR(workflows::RegisterStudyReferral(&registry));
  engine::FakeClock clock(*engine::ParseRfc3339("2025-01-08T09:00:00+01:00"));
  engine::CaseService service(stores.log.get(), &keys, &registry, &workflows::StudyReferralGuards(), &clock,
                              workflows::kStudyReferral);
  service.SetErasureLedger(stores.ledger.get());  // the demo erases one person
  service.SetReferenceLookup(ListLookup(*stores.log));
  std::cerr << "creating demo data (" << f.demo_cases + 4 << " cases: " << f.demo_cases
            << " generated, the fixture case and three customers already in studies)…\n";
  CT_ASSIGN_OR_RETURN(DemoStats stats, PopulateDemo(service, *stores.log, registry, clock, f.demo_cases, 20250113));
  std::ofstream(f.data.data + "/demo-fixture-case") << stats.fixture_case << "\n";
  std::cerr << "demo data: " << stats.subjects << " subjects, " << stats.cases << " cases, " << stats.commands
            << " commands\n";
  return Status::Ok();
}

// The identity provider's sign-in (--oidc-*), or nullptr without --oidc-issuer. Exit code 2 in
// *code for a wrong flag.
std::unique_ptr<oidc::OidcSignIn> MakeOidc(const ServeFlags& f, const engine::DefinitionRegistry& registry, int* code) {
  if (f.oidc_issuer.empty()) {
    if (!f.oidc_client_id.empty() || !f.oidc_mapping.empty() || !f.oidc_audience.empty()) {
      std::cerr << "casetrail serve: --oidc-* flags need --oidc-issuer\n";
      *code = 2;
    }
    return nullptr;
  }
  *code = 2;
  if (!oidc::UrlAllowed(f.oidc_issuer)) {
    std::cerr << "casetrail serve: --oidc-issuer must be an https URL (http only for a loopback issuer)\n";
    return nullptr;
  }
  if (f.oidc_audience.empty() || f.oidc_mapping.empty()) {
    std::cerr << "casetrail serve: --oidc-issuer needs --oidc-audience and --oidc-mapping\n";
    return nullptr;
  }
  if (!f.public_url.empty() && !oidc::UrlAllowed(f.public_url)) {
    std::cerr << "casetrail serve: --public-url must be https (http only on loopback)\n";
    return nullptr;
  }
  const engine::WorkflowModel& model = *registry.Model(workflows::kStudyReferral);
  auto mapping = oidc::ClaimsMapping::Load(f.oidc_mapping, model);
  if (!mapping.ok()) {
    std::cerr << "casetrail serve: --oidc-mapping: " << mapping.status().message() << "\n";
    return nullptr;
  }
  oidc::OidcOptions o;
  o.issuer = f.oidc_issuer;
  o.audience = f.oidc_audience;
  o.client_id = f.oidc_client_id;
  o.scope = f.oidc_scope;
  o.public_url = f.public_url;
  while (!o.public_url.empty() && o.public_url.back() == '/') o.public_url.pop_back();
  o.leeway = std::chrono::seconds(f.oidc_leeway_s);
  o.jwks_min_refetch = std::chrono::seconds(f.oidc_jwks_refetch_s);
  o.session_idle = std::chrono::seconds(f.session_idle_s);
  o.session_absolute = std::chrono::seconds(f.session_max_s);
  if (!f.oidc_client_secret_file.empty()) {
    auto secret = ReadWholeFile(f.oidc_client_secret_file);
    if (!secret) {
      std::cerr << "casetrail serve: --oidc-client-secret-file: cannot read " << f.oidc_client_secret_file << ": "
                << std::strerror(errno) << "\n";
      return nullptr;
    }
    while (!secret->empty() && (secret->back() == '\n' || secret->back() == '\r')) secret->pop_back();
    o.client_secret = std::move(*secret);
  }
  *code = 0;
  // The model in force when the token arrives: roles and units are checked against it.
  return std::make_unique<oidc::OidcSignIn>(std::move(o), std::move(*mapping), [&registry]() -> const engine::WorkflowModel& {
    return *registry.Model(workflows::kStudyReferral);
  });
}

}  // namespace

int RunServe(ServeFlags f) {
  if (f.demo) {
    spdlog::set_level(spdlog::level::warn);  // the population would log every command
    if (Status s = PrepareDemo(f); !s.ok()) return Fail(s);
    spdlog::set_level(spdlog::level::info);
  }
  if (f.data.data.empty() || f.users.empty()) {
    std::cerr << "casetrail serve: --data and --users are required (or use --demo)\n";
    return 2;
  }
  std::string host;
  uint16_t port = 0;
  if (!SplitListen(f.listen, &host, &port)) {
    std::cerr << "casetrail serve: --listen must be HOST:PORT\n";
    return 2;
  }
  // Plain HTTP only on loopback: anywhere else the bearer tokens would cross the network in clear.
  if (f.tls_cert.empty() != f.tls_key.empty()) {
    std::cerr << "casetrail serve: --tls-cert and --tls-key go together\n";
    return 2;
  }
  if (f.tls_cert.empty() && !f.behind_tls_proxy && !IsLoopback(host)) {
    std::cerr << "casetrail serve: refusing to listen on " << host << " without TLS: give --tls-cert FILE and "
              << "--tls-key FILE (PEM), or --behind-tls-proxy if a reverse proxy on this host terminates TLS "
              << "(docs/operations.md)\n";
    return 2;
  }
  if (!f.tls_key.empty()) {
    if (Status s = CheckOwnerOnly(f.tls_key, "the TLS key file"); !s.ok()) return Fail(s);
  }
  // The webhook key is read before anything is opened: a file that cannot be read is a wrong flag,
  // not an empty key. The message names the flag and the path, never the contents.
  std::string secret;
  if (!f.webhooks.empty()) {
    if (f.webhook_secret.empty()) return Fail(InvalidArgument("--webhook needs --webhook-secret FILE"));
    auto read = ReadWholeFile(f.webhook_secret);
    if (!read) {
      std::cerr << "casetrail serve: --webhook-secret: cannot read " << f.webhook_secret << ": "
                << std::strerror(errno) << "\n";
      return 2;
    }
    secret = std::move(*read);
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  }
  // Key and users files that group or others may read are refused before anything is opened.
  if (Status s = CheckOwnerOnly(MasterKeyPath(f.data), "the master key file"); !s.ok()) return Fail(s);
  if (!f.data.signing_key.empty()) {
    if (Status s = CheckOwnerOnly(f.data.signing_key, "the signing key file"); !s.ok()) return Fail(s);
  }
  if (Status s = CheckOwnerOnly(f.users, "the users file"); !s.ok()) return Fail(s);
  // With --log nats://…, a node that does not write names the writer by this address.
  if (f.data.advertise.empty()) f.data.advertise = "http://" + f.listen;
  auto stores = OpenDataDir(f.data);
  if (!stores.ok()) return Fail(stores.status());
  if (sodium_init() < 0) return Fail(Unavailable("libsodium failed to initialise"));
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return Fail(Unavailable("libcurl failed to initialise"));

  engine::MasterKey master;
  master.bytes = stores->master;
  engine::SubjectKeys keys(stores->keys.get(), master);
  engine::DefinitionRegistry registry;
  if (Status s = workflows::RegisterStudyReferral(&registry); !s.ok()) return Fail(s);
  std::unique_ptr<engine::Clock> system_clock;
  std::unique_ptr<engine::FakeClock> manual_clock;
  engine::Clock* clock;
  if (!f.manual_clock.empty()) {
    auto start = engine::ParseRfc3339(f.manual_clock);
    if (!start.ok()) {
      std::cerr << "casetrail serve: --manual-clock must be an RFC 3339 time\n";
      return 2;
    }
    manual_clock = std::make_unique<engine::FakeClock>(*start);
    clock = manual_clock.get();
  } else {
    system_clock = engine::NewSystemClock();
    clock = system_clock.get();
  }
  // Models and revisions adopted at run time: those in the log, the built-in model on record
  // once, then any new --model and --workflow file.
  if (auto loaded = engine::LoadRegisteredRevisions(*stores->log, &registry); !loaded.ok()) return Fail(loaded.status());
  // On a node that does not write the log (--log nats://…, another node holds the writer lease)
  // the start-up writes are the writer's to make; this node only reads.
  auto not_writer = [](const Status& s) { return s.code() == StatusCode::kUnavailable && !s.Get("writer").empty(); };
  if (Status s = engine::RegisterModel(*stores->log, &registry, workflows::StudyReferralModelJson(), clock->Now());
      !s.ok() && !not_writer(s)) {
    return Fail(s);
  }
  for (const auto& file : f.models) {
    std::ifstream in(file);
    if (!in) return Fail(NotFound("cannot read the --model file"));
    Status s = engine::RegisterModel(*stores->log, &registry, std::string((std::istreambuf_iterator<char>(in)), {}), clock->Now());
    if (!s.ok()) return Fail(s);
  }
  for (const auto& file : f.workflows) {
    std::ifstream in(file);
    if (!in) return Fail(NotFound("cannot read the --workflow file"));
    auto added = engine::RegisterRevision(*stores->log, &registry, workflows::StudyReferralGuards(),
                                          std::string((std::istreambuf_iterator<char>(in)), {}), clock->Now());
    if (!added.ok()) return Fail(added.status());
  }
  // Users are checked against the model in force (its roles and units).
  auto users = Users::Load(f.users, *registry.Model(workflows::kStudyReferral));
  if (!users.ok()) return Fail(users.status());
  // A reading node (not the writer) leaves this record to the writer, like the other start-up writes.
  if (Status s = RecordUsersLoaded(*stores->log, f.users, *users, clock->Now()); !s.ok() && !not_writer(s)) return Fail(s);
  int oidc_code = 0;
  auto oidc = MakeOidc(f, registry, &oidc_code);
  if (oidc_code != 0) return oidc_code;
  engine::CaseService service(stores->log.get(), &keys, &registry, &workflows::StudyReferralGuards(), clock,
                              workflows::kStudyReferral);
  service.SetErasureLedger(stores->ledger.get());
  service.SetReferenceLookup(ListLookup(*stores->log));
  // Registrations cut short between the key store and the log; erasures recorded in the ledger
  // but missing from the stores (a restore, a crash mid-erasure).
  auto reapplied = service.RepairAtStart();
  if (!reapplied.ok() && not_writer(reapplied.status())) reapplied = 0;
  if (!reapplied.ok()) return Fail(reapplied.status());
  if (*reapplied > 0) spdlog::info("start-up repairs: {} (registrations rolled back, erasures re-applied)", *reapplied);
  // The read models resume from their checkpoints (a clean stop writes them; so does every
  // --read-model-checkpoint-minutes while serving), else fold the log from its first event.
  const replay::ReadModelCheckpoints checkpoints(f.data.data + "/read-models");
  replay::CaseDirectory directory(stores->log.get(), &registry, &checkpoints);
  replay::LiveIndicators indicators(stores->log.get(), &registry, &checkpoints);
  Metrics metrics;
  std::string fingerprint_key(32, '\0');
  auto derived = storage::DeriveSubkey(stores->master, 2, "idemfing");
  fingerprint_key.assign(reinterpret_cast<const char*>(derived.data()), derived.size());
  // Lookup records keep personal numbers only as hashes under this key (engine/lookup_trace.h).
  const auto lookup_key = storage::DeriveSubkey(stores->master, 1, "lookupnr");
  // Names are searched through keyed hashes of their parts, under a key of their own
  // (replay/name_index.h); the names themselves stay sealed under each subject's key.
  const auto name_key = storage::DeriveSubkey(stores->master, 1, "namesrch");
  replay::NameIndex names(stores->log.get(), std::string(reinterpret_cast<const char*>(name_key.data()), name_key.size()),
                          [&](const std::string& subject) -> Result<std::optional<std::string>> {
                            // Erased (the SubjectErased event is in the log): gone from the index
                            // even if the key were still being shredded.
                            CT_ASSIGN_OR_RETURN(auto state, service.LoadSubject(subject));
                            if (state.erased) return std::optional<std::string>();
                            CT_ASSIGN_OR_RETURN(auto fields, replay::SubjectPersonal(*stores->log, keys, subject));
                            const std::string* name = fields ? engine::AsText(*fields, "name") : nullptr;
                            return name ? std::optional<std::string>(*name) : std::nullopt;
                          });
  std::optional<engine::RetentionPolicy> retention;
  if (!f.retention.empty()) {
    auto policy = LoadRetentionPolicy(f.retention);
    if (!policy.ok()) return Fail(policy.status());
    retention = std::move(*policy);
  }
  WorkerOptions worker_options;
  worker_options.poll = std::chrono::milliseconds(f.worker_poll_ms);
  worker_options.send_timeout = std::chrono::seconds(f.delivery_timeout_s);
  if (!f.webhooks.empty()) {
    for (const auto& url : f.webhooks) {
      auto w = ParseWebhook(url, secret);
      if (!w.ok()) return Fail(w.status());
      w->ca_file = f.webhook_ca;
      worker_options.webhooks.push_back(*w);
    }
  }
  {
    std::string file_text;
    if (!f.calendar.empty()) {
      std::ifstream in(f.calendar);
      if (!in) return Fail(NotFound("cannot read the --calendar file"));
      file_text.assign(std::istreambuf_iterator<char>(in), {});
    }
    auto calendar = ListCalendarOf(*registry.Model(workflows::kStudyReferral), file_text);
    if (!calendar.ok()) return Fail(calendar.status());
    worker_options.calendar = *calendar;
  }
  if (!f.smtp.empty()) {
    auto target = ParseSmtpTarget(f.smtp, f.mail_from, f.mail_to);
    if (!target.ok()) return Fail(target.status());
    target->require_tls = f.smtp_require_tls;
    target->ca_file = f.smtp_ca;
    worker_options.smtp = *target;
  }
  worker_options.retention = retention ? &*retention : nullptr;
  worker_options.service = &service;
  worker_options.retention_hour = f.retention_hour;
  worker_options.checkpoints = &checkpoints;
  // With the log on JetStream the writer's worker works for the cluster; the others would only
  // forward the same writes (and send the same deliveries) again.
  if (auto* js = dynamic_cast<storage::JetStreamLog*>(stores->log.get())) {
    worker_options.active = [js] { return js->GetStatus().writer; };
  }
  ReminderWorker worker(stores->log.get(), &registry, clock, worker_options);
  Api api(ApiDeps{stores->log.get(), &service, &keys, &registry, clock, manual_clock.get(), &*users, &directory,
                  &metrics, fingerprint_key, retention ? &*retention : nullptr, &indicators, f.suppress_below,
                  &worker, f.web_root, stores->keys.get(), f.backup_root,
                  std::string(reinterpret_cast<const char*>(lookup_key.data()), lookup_key.size()),
                  f.lookups_per_minute, f.sign_in_failures_per_minute, &names, oidc.get()});
  // J10: the worker takes period-end snapshots through the API, which owns the report.
  worker.SetSnapshotTaker([&api](const std::string& period, const std::optional<std::string>& unit) {
    return api.TakeScheduledSnapshot(period, unit);
  });

  ServerOptions options;
  options.address = host;
  options.port = port;
  options.read_timeout = std::chrono::seconds(f.read_timeout_s);
  options.queue_timeout = std::chrono::seconds(f.queue_timeout_s);
  options.write_timeout = std::chrono::seconds(f.write_timeout_s);
  options.max_connections = static_cast<size_t>(f.max_connections);
  options.max_connections_per_address = static_cast<size_t>(f.max_connections_per_address);
  options.max_queue = static_cast<size_t>(f.max_queue);
  options.handler_threads = f.handler_threads;
  options.tls_cert = f.tls_cert;
  options.tls_key = f.tls_key;
  HttpServer server(options, &api, &metrics);
  if (Status s = server.Listen(); !s.ok()) return Fail(s);
  const std::string url = (f.tls_cert.empty() ? "http://" : "https://") + host + ":" + std::to_string(server.port()) + "/";
  if (oidc) {
    if (oidc->web_enabled() && oidc->public_url().empty()) {
      if (!oidc::IsLoopbackUrl(url)) {
        std::cerr << "casetrail serve: --oidc-client-id needs --public-url (the redirect URI) off loopback\n";
        return 2;
      }
      oidc->set_public_url(url.substr(0, url.size() - 1));
    }
    oidc->Start();
  }
  std::cout << "casetrail is serving " << f.data.data << " at " << url << "\n";
  if (oidc && oidc->web_enabled()) std::cout << "OIDC sign-in: redirect URI " << oidc->public_url() << "/auth/callback\n";
  if (f.demo) {
    std::cout << "demo users (tokens for Authorization: Bearer …):\n";
    // Read as text: streaming a missing or empty file's buffer would set failbit on std::cout and
    // swallow everything after (with --users given there is no demo-tokens file).
    std::ifstream in(f.data.data + "/demo-tokens");
    std::cout << std::string((std::istreambuf_iterator<char>(in)), {});
    std::ifstream fixture(f.data.data + "/demo-fixture-case");
    std::string fixture_case;
    if (fixture >> fixture_case) std::cout << "DOMAIN §7 fixture case: " << fixture_case << "\n";
    std::cout << "try: curl -H 'Authorization: Bearer <token>' " << url << "v1/cases\n";
  }
  std::cout << std::flush;
  worker.Start();
  {
    ReadModelCheckpointer checkpointer({{"case-directory", [&] { return directory.SaveCheckpoint(); }},
                                        {"indicators", [&] { return indicators.SaveCheckpoint(); }},
                                        {"reminders", [&] { return worker.SaveCheckpoint(); }}},
                                       std::chrono::minutes(f.read_model_checkpoint_minutes));
    server.Run();
  }  // the checkpointer's last save: what is folded when the server stopped
  worker.Stop();
  spdlog::info("stopped serving; writing a signed checkpoint");
  if (Status s = stores->log->WriteCheckpoint(); !s.ok()) return Fail(s);
  return 0;
}

}  // namespace casetrail::adapters
