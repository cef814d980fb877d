#include "adapters/http/users.h"

#include <sodium.h>

#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>

namespace casetrail::adapters {
namespace json = boost::json;

Result<Users> Users::Parse(std::string_view text, const engine::WorkflowModel& model) {
  static const std::set<std::string> kAuth = {"bankid", "service_card", "system"};
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec || !root.is_object() || !root.as_object().contains("users") || !root.at("users").is_array()) {
    return InvalidArgument("users file must be {\"users\": [...]}");
  }
  Users users;
  users.hash_key_.resize(crypto_generichash_KEYBYTES);
  randombytes_buf(users.hash_key_.data(), users.hash_key_.size());
  int i = 0;
  for (const auto& u : root.at("users").as_array()) {
    auto field = [&](const char* k) -> std::string {
      const auto* v = u.is_object() ? u.as_object().if_contains(k) : nullptr;
      return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    engine::Actor a{field("id"), field("role"), field("unit"), field("auth"), ""};
    std::string token = field("token");
    std::string where = "users[" + std::to_string(i++) + "]";
    if (a.id.empty() || token.size() < 16) return InvalidArgument(where + ": id and a token of 16+ characters are required");
    const engine::RoleSpec* role = model.Role(a.role);
    if (!role) return InvalidArgument(where + ": unknown role");
    if (role->UnitBound() && !model.HasUnit(a.unit)) return InvalidArgument(where + ": role " + a.role + " needs a unit");
    if (a.auth.empty()) a.auth = a.role == "worker" ? "system" : "bankid";
    if (!kAuth.count(a.auth)) return InvalidArgument(where + ": unknown auth method");
    if (!users.by_token_hash_.emplace(users.HashToken(token), a).second) return InvalidArgument(where + ": token reused");
  }
  return users;
}

Result<Users> Users::Load(const std::string& path, const engine::WorkflowModel& model) {
  std::ifstream in(path);
  if (!in) return NotFound("users file not found");
  std::stringstream ss;
  ss << in.rdbuf();
  return Parse(ss.str(), model);
}

std::string Users::HashToken(std::string_view token) const {
  unsigned char out[32];
  crypto_generichash(out, sizeof(out), reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                     reinterpret_cast<const unsigned char*>(hash_key_.data()), hash_key_.size());
  return std::string(reinterpret_cast<const char*>(out), sizeof(out));
}

std::optional<engine::Actor> Users::Find(std::string_view token) const {
  auto it = by_token_hash_.find(HashToken(token));
  if (it == by_token_hash_.end()) return std::nullopt;
  return it->second;
}

}  // namespace casetrail::adapters
