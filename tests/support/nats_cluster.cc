#include "tests/support/nats_cluster.h"

#include <nats/nats.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

namespace casetrail::testing {
namespace {

const char* NatsServerBinary() {
  const char* env = std::getenv("NATS_SERVER");
  if (env && *env) return env;
  return ::access("/usr/sbin/nats-server", X_OK) == 0 ? "/usr/sbin/nats-server" : "nats-server";
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Asks one server for JetStream account info: it answers once the cluster has a meta leader.
bool JetStreamAnswers(const std::string& url) {
  natsConnection* nc = nullptr;
  natsOptions* opts = nullptr;
  natsOptions_Create(&opts);
  natsOptions_SetURL(opts, url.c_str());
  natsOptions_SetTimeout(opts, 1000);
  natsOptions_SetMaxReconnect(opts, 0);
  natsStatus s = natsConnection_Connect(&nc, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK) return false;
  jsCtx* js = nullptr;
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = 1000;
  bool ok = false;
  if (natsConnection_JetStream(&js, nc, &jo) == NATS_OK) {
    jsAccountInfo* ai = nullptr;
    ok = js_GetAccountInfo(&ai, js, nullptr, nullptr) == NATS_OK;
    if (ai) jsAccountInfo_Destroy(ai);
    jsCtx_Destroy(js);
  }
  natsConnection_Destroy(nc);
  return ok;
}

}  // namespace

NatsCluster::NatsCluster(int nodes) {
  nats_Open(-1);
  for (int i = 0; i < nodes; ++i) {
    ports_.push_back(FreePort());
    cluster_ports_.push_back(FreePort());
    pids_.push_back(0);
  }
  for (int i = 0; i < nodes; ++i) {
    std::ofstream conf(dir_.Sub(ServerName(i) + ".conf"));
    conf << "server_name: " << ServerName(i) << "\n"
         << "listen: 127.0.0.1:" << ports_[i] << "\n"
         << "max_payload: 8MB\n"
         << "jetstream { store_dir: \"" << StoreDir(i) << "\", max_file_store: 1G, max_memory_store: 64M }\n"
         << "cluster {\n  name: casetrail-test\n  listen: 127.0.0.1:" << cluster_ports_[i] << "\n  routes: [";
    for (int j = 0; j < nodes; ++j) {
      if (j != i) conf << "\n    nats-route://127.0.0.1:" << cluster_ports_[j];
    }
    conf << "\n  ]\n}\n";
  }
}

NatsCluster::~NatsCluster() {
  for (int i = 0; i < size(); ++i) {
    if (pids_[i] > 0) {
      ::kill(pids_[i], SIGCONT);
      Kill(i);
    }
  }
}

std::string NatsCluster::Url(int i) const { return "nats://127.0.0.1:" + std::to_string(ports_[i]); }

std::vector<std::string> NatsCluster::Urls() const {
  std::vector<std::string> out;
  for (int i = 0; i < size(); ++i) out.push_back(Url(i));
  return out;
}

std::string NatsCluster::StoreDir(int i) const { return dir_.Sub(ServerName(i) + "-store"); }

bool NatsCluster::StartNode(int i) {
  if (pids_[i] > 0) return true;
  const std::string conf = dir_.Sub(ServerName(i) + ".conf");
  const std::string log = dir_.Sub(ServerName(i) + ".log");
  pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    const char* bin = NatsServerBinary();
    ::execlp(bin, bin, "-c", conf.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  pids_[i] = pid;
  return true;
}

bool NatsCluster::WaitReady(int i, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (JetStreamAnswers(Url(i))) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

bool NatsCluster::Start() {
  for (int i = 0; i < size(); ++i) {
    if (!StartNode(i)) return false;
  }
  for (int i = 0; i < size(); ++i) {
    if (!WaitReady(i)) return false;
  }
  return true;
}

void NatsCluster::Kill(int i) {
  if (pids_[i] <= 0) return;
  ::kill(pids_[i], SIGKILL);
  int status = 0;
  ::waitpid(pids_[i], &status, 0);
  pids_[i] = 0;
}

void NatsCluster::Pause(int i) {
  if (pids_[i] > 0) ::kill(pids_[i], SIGSTOP);
}

void NatsCluster::Resume(int i) {
  if (pids_[i] > 0) ::kill(pids_[i], SIGCONT);
}

void NatsCluster::WipeStore(int i) {
  std::error_code ec;
  std::filesystem::remove_all(StoreDir(i), ec);
}

int NatsCluster::StreamLeader(const std::string& stream) {
  for (int i = 0; i < size(); ++i) {
    if (pids_[i] <= 0) continue;
    natsConnection* nc = nullptr;
    if (natsConnection_ConnectTo(&nc, Url(i).c_str()) != NATS_OK) continue;
    jsCtx* js = nullptr;
    int leader = -1;
    if (natsConnection_JetStream(&js, nc, nullptr) == NATS_OK) {
      jsStreamInfo* info = nullptr;
      if (js_GetStreamInfo(&info, js, stream.c_str(), nullptr, nullptr) == NATS_OK) {
        if (info->Cluster && info->Cluster->Leader) {
          for (int j = 0; j < size(); ++j) {
            if (ServerName(j) == info->Cluster->Leader) leader = j;
          }
        }
        jsStreamInfo_Destroy(info);
      }
      jsCtx_Destroy(js);
    }
    natsConnection_Destroy(nc);
    if (leader >= 0) return leader;
  }
  return -1;
}

bool NatsCluster::ReplicaCurrent(const std::string& stream, int node) {
  for (int i = 0; i < size(); ++i) {
    if (pids_[i] <= 0) continue;
    natsConnection* nc = nullptr;
    if (natsConnection_ConnectTo(&nc, Url(i).c_str()) != NATS_OK) continue;
    jsCtx* js = nullptr;
    int answer = -1;
    if (natsConnection_JetStream(&js, nc, nullptr) == NATS_OK) {
      jsStreamInfo* info = nullptr;
      if (js_GetStreamInfo(&info, js, stream.c_str(), nullptr, nullptr) == NATS_OK && info->Cluster) {
        answer = info->Cluster->Leader && ServerName(node) == info->Cluster->Leader;
        for (int r = 0; r < info->Cluster->ReplicasLen; ++r) {
          const jsPeerInfo* p = info->Cluster->Replicas[r];
          if (ServerName(node) == p->Name) answer = p->Current && !p->Offline && p->Lag == 0;
        }
      }
      if (info) jsStreamInfo_Destroy(info);
      jsCtx_Destroy(js);
    }
    natsConnection_Destroy(nc);
    if (answer >= 0) return answer == 1;
  }
  return false;
}

std::string NatsCluster::NewStreamName(const std::string& prefix) {
  return prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(++stream_counter_);
}

NatsCluster& SharedNatsCluster() {
  static NatsCluster* cluster = [] {
    auto* c = new NatsCluster(3);
    if (!c->Start()) {
      std::fprintf(stderr, "the NATS cluster did not start (is nats-server installed?)\n");
      std::abort();
    }
    std::atexit([] { delete cluster; });
    return c;
  }();
  return *cluster;
}

}  // namespace casetrail::testing
