#include "storage/erasure_ledger.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace casetrail::storage {

Status ErasureLedger::Append(const ErasureEntry& e) {
  for (const std::string* f : {&e.subject_id, &e.erased_at, &e.legal_basis, &e.reference}) {
    if (f->empty() || f->find_first_of("\t\n") != std::string::npos) {
      return InvalidArgument("erasure ledger fields must be non-empty and hold no tab or newline");
    }
  }
  const std::string line = e.subject_id + '\t' + e.erased_at + '\t' + e.legal_basis + '\t' + e.reference + '\n';
  const bool created = !std::filesystem::exists(path_);
  int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Unavailable("cannot open the erasure ledger");
  // A torn last line (a crash mid-append) was never acknowledged: cut it before appending.
  off_t size = ::lseek(fd, 0, SEEK_END);
  off_t keep = size;
  char ch = 0;
  while (keep > 0 && ::pread(fd, &ch, 1, keep - 1) == 1 && ch != '\n') --keep;
  bool ok = size >= 0 && (keep == size || ::ftruncate(fd, keep) == 0);
  ok = ok && ::pwrite(fd, line.data(), line.size(), keep) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (ok && created) {
    // Make the new file's directory entry durable too.
    const std::string dir = std::filesystem::path(path_).parent_path().string();
    int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ok = dfd >= 0 && ::fsync(dfd) == 0;
    if (dfd >= 0) ::close(dfd);
  }
  return ok ? Status::Ok() : Unavailable("cannot write the erasure ledger");
}

Result<std::vector<ErasureEntry>> ErasureLedger::ReadAll() const {
  std::vector<ErasureEntry> out;
  std::ifstream in(path_, std::ios::binary);
  if (!in) return out;
  std::stringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    if (end == std::string::npos) break;  // torn last line
    std::vector<std::string> parts;
    std::stringstream line(text.substr(start, end - start));
    for (std::string part; std::getline(line, part, '\t');) parts.push_back(part);
    if (parts.size() != 4) return DataLoss("erasure ledger line is malformed");
    out.push_back({parts[0], parts[1], parts[2], parts[3]});
    start = end + 1;
  }
  return out;
}

}  // namespace casetrail::storage
