#include "replay/name_index.h"

#include <sodium.h>

#include <algorithm>
#include <string_view>

#include "storage/base/hex.h"

namespace casetrail::replay {
namespace {

// One UTF-8 code point at s[i] (advancing i), or 0 for a broken sequence.
uint32_t NextCodePoint(const std::string& s, size_t& i) {
  const auto b = static_cast<unsigned char>(s[i]);
  int extra = b < 0x80 ? 0 : (b >> 5) == 6 ? 1 : (b >> 4) == 14 ? 2 : (b >> 3) == 30 ? 3 : -1;
  if (extra < 0 || i + extra >= s.size() + (extra == 0 ? 1 : 0)) {
    ++i;
    return 0;
  }
  uint32_t cp = extra == 0 ? b : b & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += extra + 1;
  return cp;
}

// The ASCII letters a Latin-1 letter folds to ("" for none): Swedish and the common European
// accents (å ä → a, ö ø → o, é → e, æ → ae, ß → ss). Everything else outside ASCII separates parts.
std::string_view Fold(uint32_t cp) {
  static const char kDigitsLetters[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  if (cp < 0x80) {
    if (cp >= 'A' && cp <= 'Z') cp = cp - 'A' + 'a';
    if (cp >= '0' && cp <= '9') return std::string_view(kDigitsLetters + (cp - '0'), 1);
    if (cp >= 'a' && cp <= 'z') return std::string_view(kDigitsLetters + 10 + (cp - 'a'), 1);
    return {};
  }
  if (cp < 0xC0 || cp > 0xFF) return {};
  static const char* const kLatin1[64] = {
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",   // C0–CF
      "d", "n", "o", "o", "o", "o", "o", "",  "o", "u", "u", "u", "u", "y", "th", "ss",  // D0–DF
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",   // E0–EF
      "d", "n", "o", "o", "o", "o", "o", "",  "o", "u", "u", "u", "u", "y", "th", "y",   // F0–FF
  };
  return kLatin1[cp - 0xC0];
}

}  // namespace

NameIndex::NameIndex(storage::Log* log, std::string key, NameOf name_of)
    : key_(std::move(key)), name_of_(std::move(name_of)) {
  subscription_ = log->Subscribe(Position(1), [this](const storage::RecordedEvent& r) { OnEvent(r); });
}

NameIndex::~NameIndex() { subscription_.reset(); }

std::vector<std::string> NameIndex::Parts(const std::string& text) {
  std::vector<std::string> parts;
  std::string cur;
  auto flush = [&] {
    if (cur.size() >= 2 && std::find(parts.begin(), parts.end(), cur) == parts.end()) parts.push_back(cur);
    cur.clear();
  };
  for (size_t i = 0; i < text.size();) {
    const std::string_view folded = Fold(NextCodePoint(text, i));
    if (folded.empty()) flush();
    else cur.append(folded);
  }
  flush();
  return parts;
}

std::string NameIndex::PartHash(const std::string& part) const {
  unsigned char out[32];
  crypto_generichash(out, sizeof(out), reinterpret_cast<const unsigned char*>(part.data()), part.size(),
                     reinterpret_cast<const unsigned char*>(key_.data()), key_.size());
  return ToHex(std::string_view(reinterpret_cast<const char*>(out), sizeof(out)));
}

void NameIndex::OnEvent(const storage::RecordedEvent& r) {
  const std::string& stream = r.stream.value();
  if (stream.rfind("subject:", 0) != 0) return;
  std::lock_guard lock(mu_);
  changed_.insert(stream.substr(8));
}

void NameIndex::Drop(const std::string& subject) {
  auto it = hashes_of_.find(subject);
  if (it == hashes_of_.end()) return;
  for (const auto& h : it->second) {
    auto s = subjects_with_.find(h);
    if (s == subjects_with_.end()) continue;
    s->second.erase(subject);
    if (s->second.empty()) subjects_with_.erase(s);
  }
  hashes_of_.erase(it);
}

Status NameIndex::Refresh() {
  std::set<std::string> todo;
  {
    std::lock_guard lock(mu_);
    todo.swap(changed_);
  }
  for (auto it = todo.begin(); it != todo.end(); ++it) {
    auto name = name_of_(*it);
    if (!name.ok()) {
      std::lock_guard lock(mu_);
      changed_.insert(it, todo.end());  // try these again on the next search
      return Status(StatusCode::kUnavailable, "the name index cannot read a subject").With("code", "unavailable");
    }
    std::vector<std::string> hashes;
    if (*name) for (const auto& p : Parts(**name)) hashes.push_back(PartHash(p));
    std::lock_guard lock(mu_);
    Drop(*it);
    if (hashes.empty()) continue;
    for (const auto& h : hashes) subjects_with_[h].insert(*it);
    hashes_of_[*it] = std::move(hashes);
  }
  return Status::Ok();
}

Result<std::vector<std::string>> NameIndex::Find(const std::string& query) {
  const auto parts = Parts(query);
  std::lock_guard refresh(refresh_mu_);
  if (Status s = Refresh(); !s.ok()) return s;
  if (parts.empty()) return std::vector<std::string>{};
  std::lock_guard lock(mu_);
  std::optional<std::set<std::string>> hits;
  for (const auto& p : parts) {
    auto s = subjects_with_.find(PartHash(p));
    if (s == subjects_with_.end()) return std::vector<std::string>{};
    if (!hits) {
      hits = s->second;
      continue;
    }
    std::set<std::string> both;
    std::set_intersection(hits->begin(), hits->end(), s->second.begin(), s->second.end(), std::inserter(both, both.end()));
    hits = std::move(both);
  }
  return std::vector<std::string>(hits->begin(), hits->end());
}

Result<size_t> NameIndex::Size() {
  std::lock_guard refresh(refresh_mu_);
  if (Status s = Refresh(); !s.ok()) return s;
  std::lock_guard lock(mu_);
  return hashes_of_.size();
}

bool NameIndex::Holds(const std::string& subject) const {
  std::lock_guard lock(mu_);
  return hashes_of_.count(subject) > 0;
}

}  // namespace casetrail::replay
