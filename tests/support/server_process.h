// Starts the real `casetrail serve` binary as a child process on a loopback ephemeral port, with
// its own data directory, key and users file, and stops it with SIGTERM (or SIGKILL).
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/support/temp_dir.h"

namespace casetrail::testing {

struct TestUser {
  std::string id, role, unit, token;
};

// Tokens of 192 random bits, so that the server's strength check lets them in.
inline const std::vector<TestUser>& TestUsers() {
  static const std::vector<TestUser> kUsers = {
      {"A-J1", "af_officer", "jarva", "wJCeVHWS-iLLYe9shUxLYV5zb0h__kX0"},
      {"A-J2", "af_officer", "jarva", "cAz2T4dO0e_CI-d_8UCQMxGGNBrRjELL"},
      {"A-G1", "af_officer", "globen", "AJmmq6eWLyQca29pfcWbJsr-XdB-Pmaj"},
      {"V-1", "syv", "", "q2acpucfmfuXq_2C4mpj0VJWmgu1wzuY"},
      {"V-2", "syv", "", "u0GeRiAkxw8bsiyKoypf-PopSmMmxOfF"},
      {"C-1", "compliance", "", "WWELWNCaI3WCp7sMPPrglFWRtGraQhb8"},
      {"G-1", "strategic", "", "t4dJInzgjtkxULeEIIZHkepQxMGnxeK4"},
      {"W-1", "worker", "", "ZCfdbyUMVyO760pfERIs9wrW_9sg5Pz7"},
      {"ADM-1", "admin", "", "1siiWp6ymNW0AGsci_77o-UXwKS990Ft"}};
  return kUsers;
}

// A token's crypto_pwhash_str, as `casetrail users new-token` prints it but with libsodium's
// smallest work factor: the server verifies whatever parameters a hash names, and each test's
// start-up stays fast.
inline std::string TestTokenHash(const std::string& token) {
  char out[crypto_pwhash_STRBYTES];
  if (sodium_init() < 0 || crypto_pwhash_str(out, token.data(), token.size(), crypto_pwhash_OPSLIMIT_MIN,
                                             crypto_pwhash_MEMLIMIT_MIN) != 0) {
    std::abort();
  }
  return out;
}

inline std::string TokenOf(const std::string& id) {
  for (const auto& u : TestUsers()) {
    if (u.id == id) return u.token;
  }
  return "";
}

class ServerProcess {
 public:
  // `dir` holds data/, master.key and users.json; it survives restarts.
  explicit ServerProcess(const TempDir& dir, std::string manual_clock = "2025-01-13T09:00:00+01:00")
      : dir_(dir.path()), clock_(std::move(manual_clock)) {
    ::signal(SIGPIPE, SIG_IGN);  // a peer that closes early is an error to check, not a crash
    std::ofstream users(dir_ + "/users.json");
    users << R"({"users":[)";
    for (size_t i = 0; i < TestUsers().size(); ++i) {
      const auto& u = TestUsers()[i];
      users << (i ? "," : "") << R"({"id":")" << u.id << R"(","token_hash":")" << TestTokenHash(u.token)
            << R"(","role":")" << u.role << '"' << (u.unit.empty() ? "" : R"(,"unit":")" + u.unit + '"') << "}";
    }
    users << "]}";
    users.close();
    ::chmod((dir_ + "/users.json").c_str(), 0600);
    std::string keygen = std::string(CASETRAIL_BIN) + " keygen " + dir_ + "/master.key > /dev/null";
    if (::access((dir_ + "/master.key").c_str(), F_OK) != 0 && std::system(keygen.c_str()) != 0) std::abort();
  }
  ~ServerProcess() { Stop(SIGKILL); }

  // Starts the server and waits until it prints its URL. Returns false on failure.
  bool Start() {
    int fds[2];
    if (::pipe(fds) != 0) return false;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed test
      for (const auto& [name, value] : env_) ::setenv(name.c_str(), value.c_str(), 1);
      ::dup2(fds[1], 1);
      ::close(fds[0]);
      ::close(fds[1]);
      std::vector<std::string> args = {CASETRAIL_BIN, "serve", "--data", dir_ + "/data", "--users", dir_ + "/users.json",
                                       "--master-key", dir_ + "/master.key", "--listen", listen_};
      if (!clock_.empty()) {
        args.push_back("--manual-clock");
        args.push_back(clock_);
      }
      args.insert(args.end(), extra_args_.begin(), extra_args_.end());
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(CASETRAIL_BIN, argv.data());
      std::_Exit(127);
    }
    ::close(fds[1]);
    env_.clear();
    std::string out;
    char buf[512];
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (out.find("/\n") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{fds[0], POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      ssize_t n = ::read(fds[0], buf, sizeof(buf));
      if (n <= 0) break;
      out.append(buf, n);
    }
    ::close(fds[0]);
    // "casetrail is serving DIR at http://HOST:PORT/" (https with TLS)
    size_t at = out.find(" at http");
    if (at == std::string::npos) return false;
    size_t end = out.find("/\n", at);
    size_t colon = end == std::string::npos ? std::string::npos : out.rfind(':', end);
    if (colon == std::string::npos || colon < at) return false;
    port_ = static_cast<uint16_t>(std::atoi(out.c_str() + colon + 1));
    return port_ != 0;
  }

  // Sends `signal` and waits; returns the exit status as waitpid reports it.
  int Stop(int signal = SIGTERM) {
    if (pid_ <= 0) return 0;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // The --listen address for the next Start() (default 127.0.0.1:0).
  void SetListen(std::string listen) { listen_ = std::move(listen); }
  // Further `serve` flags for the next Start().
  void SetExtraArgs(std::vector<std::string> args) { extra_args_ = std::move(args); }
  // Environment for the next Start() only (say CASETRAIL_FAILPOINT); cleared by it.
  void SetEnv(std::string name, std::string value) { env_.emplace_back(std::move(name), std::move(value)); }
  // Waits up to `ms` for the server to exit by itself; true with `*status` as waitpid reports it.
  bool WaitExit(int ms, int* status) {
    for (int i = 0; pid_ > 0 && i < ms / 10; ++i) {
      if (::waitpid(pid_, status, WNOHANG) == pid_) {
        pid_ = -1;
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  std::string data_dir() const { return dir_ + "/data"; }

 private:
  std::string dir_;
  std::string clock_;
  std::vector<std::string> extra_args_;
  std::string listen_ = "127.0.0.1:0";
  std::vector<std::pair<std::string, std::string>> env_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

}  // namespace casetrail::testing
