// `casetrail serve`: composes the stores, the engine, the projections and the HTTP server.
#pragma once

#include <string>
#include <vector>

#include "adapters/cli/data_dir.h"

namespace casetrail::adapters {

struct ServeFlags {
  DataDirFlags data;
  std::string listen = "127.0.0.1:8080";
  std::string users;
  std::string manual_clock;
  int suppress_below = 5;
  std::string retention;  // retention policy file (JSON, engine/retention.h)
  int retention_hour = 2;  // the worker runs it daily at this Stockholm hour
  std::vector<std::string> webhooks;  // reminder delivery: http://HOST:PORT/PATH
  std::string webhook_secret;         // file holding the HMAC secret
  int worker_poll_ms = 1000;
  int read_model_checkpoint_minutes = 10;  // 0: only when the server stops
  std::string web_root;  // serve the web UI from this directory instead of the embedded files
  std::string backup_root;  // POST /v1/admin/backup writes backups into folders here
  std::string calendar;  // the lists' calendar (JSON, replay/follow_up_lists.h ListCalendar)
  std::vector<std::string> workflows;  // revision files to register (engine/registered_revisions.h)
  std::vector<std::string> models;     // model files to register: roles, units, consent scopes (engine/model.h)
  std::string smtp, mail_from, mail_to;  // reminder e-mail: HOST:PORT and functional addresses
  bool smtp_require_tls = false;         // refuse to mail unless the relay's STARTTLS succeeds
  std::string smtp_ca, webhook_ca;       // PEM files to trust instead of the system's store
  // The HTTP server's limits (adapters/http/server.h, docs/reliability.md).
  int read_timeout_s = 30, queue_timeout_s = 10, write_timeout_s = 30;
  int max_connections = 1024, max_connections_per_address = 128, max_queue = 256, handler_threads = 64;
  int delivery_timeout_s = 10;  // each webhook POST and each SMTP conversation
  // Rate limits (adapters/http/rate_limits.h); 0 disables one.
  int lookups_per_minute = 60, sign_in_failures_per_minute = 10;
  // TLS: PEM certificate chain and key (docs/operations.md). Without them the server listens
  // only on a loopback address, unless a reverse proxy terminates TLS (--behind-tls-proxy).
  std::string tls_cert, tls_key;
  bool behind_tls_proxy = false;
  // Sign-in through the organisation's identity provider (adapters/http/oidc/sign_in.h).
  std::string oidc_issuer, oidc_audience, oidc_client_id, oidc_client_secret_file, oidc_mapping, public_url;
  std::string oidc_scope = "openid";
  int oidc_leeway_s = 30, oidc_jwks_refetch_s = 10;
  int session_idle_s = 1800, session_max_s = 8 * 3600;
  bool demo = false;
  int demo_cases = 240;
};

int RunServe(ServeFlags flags);

}  // namespace casetrail::adapters
