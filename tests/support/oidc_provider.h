// The test OIDC provider (tests/oidc/provider.mjs, npm oidc-provider) as a child process on
// loopback, and sign-ins through it with tests/oidc/login.mjs (no browser).
#pragma once

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace casetrail::testing {

inline const char* kOidcAcr = "http://id.elegnamnden.se/loa/1.0/loa3";

class OidcProvider {
 public:
  OidcProvider() = default;
  ~OidcProvider() { Stop(); }
  OidcProvider(const OidcProvider&) = delete;
  OidcProvider& operator=(const OidcProvider&) = delete;

  // Starts `node provider.mjs ARGS…` and waits until it prints its issuer. False on failure.
  bool Start(std::vector<std::string> args = {}) {
    int fds[2];
    if (::pipe(fds) != 0) return false;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::dup2(fds[1], 1);
      ::close(fds[0]);
      ::close(fds[1]);
      std::vector<std::string> argv_s = {NODE_BIN, std::string(OIDC_TEST_DIR) + "/provider.mjs"};
      argv_s.insert(argv_s.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : argv_s) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(NODE_BIN, argv.data());
      std::_Exit(127);
    }
    ::close(fds[1]);
    std::string out;
    char buf[256];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while ((out.find("listening ") == std::string::npos || out.find('\n', out.find("listening ")) == std::string::npos) &&
           std::chrono::steady_clock::now() < deadline) {
      ssize_t n = ::read(fds[0], buf, sizeof(buf));  // blocks; the provider prints or exits
      if (n <= 0) break;
      out.append(buf, n);
    }
    ::close(fds[0]);
    const size_t at = out.find("issuer "), listening = out.find("listening ");
    if (at == std::string::npos || listening == std::string::npos) return false;
    issuer_ = out.substr(at + 7, out.find('\n', at) - at - 7);
    url_ = out.substr(listening + 10, out.find('\n', listening) - listening - 10);
    port_ = std::atoi(url_.c_str() + url_.rfind(':') + 1);
    return true;
  }
  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  const std::string& issuer() const { return issuer_; }
  // Where it listens: its issuer, unless it was started as an impostor with --issuer.
  const std::string& url() const { return url_; }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  std::string issuer_, url_;
  int port_ = 0;
};

// Runs `node login.mjs ARGS…` and returns its JSON answer (null on failure).
inline boost::json::value OidcLogin(const std::vector<std::string>& args) {
  std::string cmd = std::string(NODE_BIN) + " " + OIDC_TEST_DIR + "/login.mjs";
  for (const auto& a : args) cmd += " '" + a + "'";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return nullptr;
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof(buf), p)) > 0;) out.append(buf, n);
  if (::pclose(p) != 0) return nullptr;
  boost::system::error_code ec;
  auto v = boost::json::parse(out, ec);
  return ec ? boost::json::value(nullptr) : v;
}

// An access token for the API from the provider at `url` as `user` (client: casetrail-cli,
// -es256, -short).
inline std::string OidcAccessToken(const std::string& url, const std::string& user,
                                   const std::string& client = "casetrail-cli",
                                   const std::string& resource = "urn:casetrail:api") {
  auto v = OidcLogin({"token", url, user, client, resource});
  if (!v.is_object() || !v.as_object().contains("access_token")) return "";
  return std::string(v.at("access_token").as_string());
}

}  // namespace casetrail::testing
