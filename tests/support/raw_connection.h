// A plain TCP connection for tests that misbehave on purpose: connections left idle, headers
// without the body they announce, clients from other loopback addresses (127.0.0.2, …). Reads
// have a deadline, so a server that never answers fails the test instead of hanging it.
#pragma once

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

namespace casetrail::testing {

struct RawResponse {
  int status = 0;  // 0: no answer within the deadline, or the connection closed first
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

class RawConnection {
 public:
  explicit RawConnection(uint16_t port, const std::string& from = "127.0.0.1") {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, from.c_str(), &local.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
      Close();
      return;
    }
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0) Close();
  }
  ~RawConnection() { Close(); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool ok() const { return fd_ >= 0; }
  bool Send(const std::string& bytes) {
    size_t sent = 0;
    while (fd_ >= 0 && sent < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return fd_ >= 0;
  }
  // One response: status line, headers, and a Content-Length body.
  RawResponse ReadResponse(int timeout_ms) {
    RawResponse out;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    size_t end;
    while ((end = in_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return out;
    }
    size_t line_end = in_.find("\r\n");
    const std::string status_line = in_.substr(0, line_end);
    for (size_t at = line_end + 2; at < end;) {
      size_t next = in_.find("\r\n", at);
      std::string line = in_.substr(at, next - at);
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      out.headers[name] = line.substr(std::min(line.size(), colon + 2));
      at = next + 2;
    }
    const size_t length = out.headers.count("content-length") ? std::stoul(out.headers["content-length"]) : 0;
    while (in_.size() < end + 4 + length) {
      if (!Fill(deadline)) return out;
    }
    out.body = in_.substr(end + 4, length);
    in_.erase(0, end + 4 + length);
    out.status = status_line.size() > 12 ? std::atoi(status_line.c_str() + 9) : 0;
    return out;
  }
  // True when the server closed the connection within `timeout_ms` (after any answer).
  bool ClosedWithin(int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (Fill(deadline)) {
    }
    return eof_;
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  // Appends what arrives before `deadline`; false on close, error or deadline.
  bool Fill(std::chrono::steady_clock::time_point deadline) {
    if (fd_ < 0 || eof_) return false;
    const int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, left) <= 0) return false;
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    in_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool eof_ = false;
  std::string in_;
};

// What a process holds, from /proc: open descriptors, and its peak resident memory (VmHWM) in KiB.
inline int OpenDescriptors(pid_t pid) {
  int n = 0;
  std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  if (auto* d = ::opendir(dir.c_str())) {
    while (auto* e = ::readdir(d)) n += e->d_name[0] != '.';
    ::closedir(d);
  }
  return n;
}

inline long PeakResidentKiB(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

}  // namespace casetrail::testing
