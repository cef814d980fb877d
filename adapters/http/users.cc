#include "adapters/http/users.h"

#include <sodium.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <cmath>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <unordered_map>

namespace casetrail::adapters {
namespace json = boost::json;

// Outcomes of verified tokens by keyed hash: the index of the matching entry, or -1 for none.
// Bounded: a flood of distinct wrong tokens empties it rather than growing it. Verification is
// one at a time (each takes crypto_pwhash's memory), so a flood costs one core at most.
struct Users::Cache {
  static constexpr size_t kMax = 4096;
  std::mutex mu;
  std::unordered_map<std::string, int> outcome;
  std::mutex verify_mu;
};

Users::Users() : cache_(std::make_unique<Cache>()) {}
Users::Users(Users&&) noexcept = default;
Users& Users::operator=(Users&&) noexcept = default;
Users::~Users() = default;

Result<Users> Users::Parse(std::string_view text, const engine::WorkflowModel& model) {
  static const std::set<std::string> kAuth = {"bankid", "service_card", "system"};
  if (sodium_init() < 0) return Unavailable("libsodium failed to initialise");
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec || !root.is_object() || !root.as_object().contains("users") || !root.at("users").is_array()) {
    return InvalidArgument("users file must be {\"users\": [...]}");
  }
  Users users;
  users.hash_key_.resize(crypto_generichash_KEYBYTES);
  randombytes_buf(users.hash_key_.data(), users.hash_key_.size());
  std::set<std::string> hashes;
  int i = 0;
  for (const auto& u : root.at("users").as_array()) {
    auto field = [&](const char* k) -> std::string {
      const auto* v = u.is_object() ? u.as_object().if_contains(k) : nullptr;
      return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    engine::Actor a{field("id"), field("role"), field("unit"), field("auth"), ""};
    std::string where = "users[" + std::to_string(i++) + "]";
    if (u.is_object() && u.as_object().contains("token")) {
      // Never accepted, weak or strong: the file would keep a credential in clear.
      const std::string token = field("token");
      return InvalidArgument(where + ": holds a clear-text \"token\"" +
                             (WeakTokenReason(token) ? " (and a weak one)" : "") +
                             "; store only its hash: run `casetrail users new-token` for a new token and its "
                             "hash, or `casetrail users hash-token` to hash an existing strong one, and put the "
                             "hash in \"token_hash\"");
    }
    const std::string hash = field("token_hash");
    if (a.id.empty() || hash.rfind("$argon2", 0) != 0 || hash.size() >= crypto_pwhash_STRBYTES) {
      return InvalidArgument(where + ": id and a token_hash (from `casetrail users new-token`) are required");
    }
    const engine::RoleSpec* role = model.Role(a.role);
    if (!role) return InvalidArgument(where + ": unknown role");
    if (role->UnitBound() && !model.HasUnit(a.unit)) return InvalidArgument(where + ": role " + a.role + " needs a unit");
    if (a.auth.empty()) a.auth = a.role == "worker" ? "system" : "bankid";
    if (!kAuth.count(a.auth)) return InvalidArgument(where + ": unknown auth method");
    if (!hashes.insert(hash).second) return InvalidArgument(where + ": token_hash reused");
    users.entries_.push_back({hash, a});
  }
  return users;
}

Result<Users> Users::Load(const std::string& path, const engine::WorkflowModel& model) {
  std::ifstream in(path);
  if (!in) return NotFound("users file not found");
  CT_RETURN_IF_ERROR(CheckOwnerOnly(path, "the users file"));
  std::stringstream ss;
  ss << in.rdbuf();
  return Parse(ss.str(), model);
}

Users Users::Minted(const std::vector<std::pair<engine::Actor, std::string>>& actors_and_tokens) {
  Users users;
  users.hash_key_.resize(crypto_generichash_KEYBYTES);
  randombytes_buf(users.hash_key_.data(), users.hash_key_.size());
  for (const auto& [actor, token] : actors_and_tokens) users.minted_.emplace(users.KeyedHash(token), actor);
  return users;
}

std::string Users::KeyedHash(std::string_view token) const {
  unsigned char out[32];
  crypto_generichash(out, sizeof(out), reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                     reinterpret_cast<const unsigned char*>(hash_key_.data()), hash_key_.size());
  return std::string(reinterpret_cast<const char*>(out), sizeof(out));
}

std::optional<engine::Actor> Users::Find(std::string_view token) const {
  if (token.empty() || token.size() > 512 || WeakTokenReason(token)) return std::nullopt;
  const std::string key = KeyedHash(token);
  if (auto it = minted_.find(key); it != minted_.end()) return it->second;
  if (entries_.empty()) return std::nullopt;
  auto cached = [&]() -> std::optional<int> {
    std::lock_guard lock(cache_->mu);
    auto it = cache_->outcome.find(key);
    return it == cache_->outcome.end() ? std::nullopt : std::optional<int>(it->second);
  };
  std::optional<int> outcome = cached();
  if (!outcome) {
    std::lock_guard verifying(cache_->verify_mu);
    outcome = cached();  // another request may have verified the same token meanwhile
    if (!outcome) {
      const std::string t(token);
      int match = -1;
      for (size_t i = 0; i < entries_.size() && match < 0; ++i) {
        if (crypto_pwhash_str_verify(entries_[i].token_hash.c_str(), t.data(), t.size()) == 0) match = static_cast<int>(i);
      }
      std::lock_guard lock(cache_->mu);
      if (cache_->outcome.size() >= Cache::kMax) cache_->outcome.clear();
      cache_->outcome.emplace(key, match);
      outcome = match;
    }
  }
  if (*outcome < 0) return std::nullopt;
  return entries_[static_cast<size_t>(*outcome)].actor;
}

std::string NewServiceToken() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof(bytes));
  char out[sodium_base64_ENCODED_LEN(sizeof(bytes), sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof(out), bytes, sizeof(bytes), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(bytes, sizeof(bytes));
  return out;
}

std::optional<std::string> WeakTokenReason(std::string_view token) {
  // Two estimates, both needed: length times the bits per character of the alphabet the token
  // draws from (hex, or the classes it uses), and length times the spread of its characters
  // (Shannon entropy of their frequencies), which catches repeats and words. The second
  // underestimates short random tokens, hence its lower bar.
  bool hex = !token.empty(), lower = false, upper = false, digit = false, other = false;
  std::map<char, int> counts;
  for (char c : token) {
    ++counts[c];
    const bool is_hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    hex = hex && is_hex;
    if (c >= 'a' && c <= 'z') lower = true;
    else if (c >= 'A' && c <= 'Z') upper = true;
    else if (c >= '0' && c <= '9') digit = true;
    else other = true;
  }
  const double alphabet = hex ? 16 : (lower ? 26 : 0) + (upper ? 26 : 0) + (digit ? 10 : 0) + (other ? 33 : 0);
  const double n = static_cast<double>(token.size());
  const double alphabet_bits = alphabet > 1 ? n * std::log2(alphabet) : 0;
  double spread = 0;
  for (const auto& [c, k] : counts) spread -= (k / n) * std::log2(k / n);
  if (alphabet_bits < 128) return "shorter than 128 bits of randomness (e.g. 32 hexadecimal digits)";
  if (n * spread < 96) return "too little variety in its characters to hold 128 random bits";
  return std::nullopt;
}

Result<std::string> HashServiceToken(std::string_view token) {
  if (sodium_init() < 0) return Unavailable("libsodium failed to initialise");
  if (auto weak = WeakTokenReason(token)) return InvalidArgument("the token is weak: " + *weak);
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, token.data(), token.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Unavailable("out of memory while hashing the token");
  }
  return std::string(out);
}

Status CheckOwnerOnly(const std::string& path, const std::string& what) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return NotFound(what + " not found: " + path);
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    return PermissionDenied(what + " " + path + " may be read by group or others; run `chmod 600 " + path + "`");
  }
  return Status::Ok();
}

}  // namespace casetrail::adapters
