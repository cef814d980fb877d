#include "storage/jetstream/nats_util.h"

#include <mutex>
#include <thread>
#include <vector>

namespace casetrail::storage::jetstream {

Result<std::unique_ptr<NatsConnection>> NatsConnection::Connect(const NatsConnectOptions& options) {
  static std::once_flag once;
  std::call_once(once, [] { nats_Open(-1); });
  if (options.servers.empty()) return InvalidArgument("no NATS server given");
  natsOptions* opts = nullptr;
  if (natsOptions_Create(&opts) != NATS_OK) return Internal("cannot create NATS options");
  std::unique_ptr<natsOptions, void (*)(natsOptions*)> guard(opts, natsOptions_Destroy);
  std::vector<const char*> urls;
  for (const auto& s : options.servers) urls.push_back(s.c_str());
  natsStatus s = natsOptions_SetServers(opts, urls.data(), static_cast<int>(urls.size()));
  if (s == NATS_OK) s = natsOptions_SetName(opts, options.name.c_str());
  // Keep reconnecting for ever: a node that restarts must not lose its log.
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, 100);
  if (s == NATS_OK) s = natsOptions_SetRetryOnFailedConnect(opts, false, nullptr, nullptr);
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts, 2000);
  if (s == NATS_OK) s = natsOptions_SetReconnectBufSize(opts, 64 << 20);
  if (s == NATS_OK && !options.creds_file.empty()) {
    s = natsOptions_SetUserCredentialsFromFiles(opts, options.creds_file.c_str(), nullptr);
  }
  if (s == NATS_OK && !options.tls_ca_file.empty()) {
    s = natsOptions_SetSecure(opts, true);
    if (s == NATS_OK) s = natsOptions_LoadCATrustedCertificates(opts, options.tls_ca_file.c_str());
  }
  if (s != NATS_OK) return InvalidArgument(std::string("NATS options: ") + natsStatus_GetText(s));
  auto conn = std::unique_ptr<NatsConnection>(new NatsConnection());
  s = natsConnection_Connect(&conn->nc_, opts);
  if (s != NATS_OK) return Unavailable(std::string("cannot connect to NATS: ") + natsStatus_GetText(s));
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = 2000;
  s = natsConnection_JetStream(&conn->js_, conn->nc_, &jo);
  if (s != NATS_OK) return Unavailable(std::string("no JetStream context: ") + natsStatus_GetText(s));
  return conn;
}

NatsConnection::~NatsConnection() {
  if (js_) jsCtx_Destroy(js_);
  if (nc_) {
    natsConnection_Close(nc_);
    natsConnection_Destroy(nc_);
  }
}

Status FromNats(natsStatus s, jsErrCode code, const std::string& what) {
  if (s == NATS_OK) return Status::Ok();
  std::string text = what + ": " + natsStatus_GetText(s);
  if (code != 0) text += " (JetStream error " + std::to_string(static_cast<int>(code)) + ")";
  if (code == JSStreamWrongLastSequenceErr) return Aborted(text);
  switch (s) {
    case NATS_TIMEOUT: case NATS_NO_RESPONDERS: case NATS_CONNECTION_CLOSED: case NATS_CONNECTION_DISCONNECTED:
    case NATS_STALE_CONNECTION: case NATS_NO_SERVER: case NATS_IO_ERROR:
      return Unavailable(text);
    default:
      // Cluster states ("no leader", "stream offline", "insufficient resources") come back as
      // NATS_ERR with a JetStream error code; all of them pass.
      return Unavailable(text);
  }
}

Status EnsureStream(jsCtx* js, const std::string& name, const std::string& subject, int replicas,
                    std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    jsStreamInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_GetStreamInfo(&info, js, name.c_str(), nullptr, &code);
    if (s == NATS_OK) {
      jsStreamInfo_Destroy(info);
      return Status::Ok();
    }
    if (s == NATS_NOT_FOUND) {
      jsStreamConfig cfg;
      jsStreamConfig_Init(&cfg);
      cfg.Name = name.c_str();
      const char* subjects[] = {subject.c_str()};
      cfg.Subjects = subjects;
      cfg.SubjectsLen = 1;
      cfg.Storage = js_FileStorage;
      cfg.Replicas = replicas;
      cfg.DenyDelete = true;  // the log is append-only
      cfg.DenyPurge = true;
      cfg.Duplicates = int64_t(120) * 1000 * 1000 * 1000;  // Nats-Msg-Id window for retried publishes
      code = static_cast<jsErrCode>(0);
      s = js_AddStream(&info, js, &cfg, nullptr, &code);
      if (s == NATS_OK) {
        jsStreamInfo_Destroy(info);
        return Status::Ok();
      }
    }
    if (std::chrono::steady_clock::now() > deadline) return FromNats(s, code, "create stream");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Result<uint64_t> LastSequence(jsCtx* js, const std::string& stream) {
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, js, stream.c_str(), nullptr, &code);
  CT_RETURN_IF_ERROR(FromNats(s, code, "stream info"));
  StreamInfoPtr guard(info);
  return info->State.LastSeq;
}

}  // namespace casetrail::storage::jetstream
