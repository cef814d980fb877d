// The users file: who may call the API, with which role and unit. API.md "Starting the server":
//   {"users":[{"id":"W-1","token_hash":"$argon2id$…","role":"worker","auth":"system"}]}
// Service tokens are stored only as libsodium crypto_pwhash_str hashes (`casetrail users
// new-token`); a clear-text `token` member is refused at start. Verifying a hash is deliberately
// slow, so each presented token is verified once and the outcome kept in memory under a keyed
// hash of the token (a per-process key), never the token itself.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/event.h"
#include "engine/model.h"
#include "storage/base/result.h"

namespace casetrail::adapters {

class Users {
 public:
  // kInvalidArgument naming the entry (by index, never by token) if the file is malformed, holds
  // a clear-text token, or names a role or unit the workflow's model lacks.
  static Result<Users> Parse(std::string_view json, const engine::WorkflowModel& model);
  // As Parse; kPermissionDenied when group or others may read the file.
  static Result<Users> Load(const std::string& path, const engine::WorkflowModel& model);
  // Users whose tokens this process minted itself and never writes anywhere (the offline CLI).
  static Users Minted(const std::vector<std::pair<engine::Actor, std::string>>& actors_and_tokens);

  Users();
  Users(Users&&) noexcept;
  Users& operator=(Users&&) noexcept;
  ~Users();

  // The actor for a bearer token, or nullopt. A weak token is refused without a look.
  std::optional<engine::Actor> Find(std::string_view token) const;
  size_t size() const { return entries_.size() + minted_.size(); }
  // The users of the file, in its order (for the UsersLoaded record).
  std::vector<engine::Actor> Actors() const {
    std::vector<engine::Actor> out;
    for (const auto& e : entries_) out.push_back(e.actor);
    return out;
  }

 private:
  struct Entry {
    std::string token_hash;  // crypto_pwhash_str
    engine::Actor actor;
  };
  struct Cache;
  std::string KeyedHash(std::string_view token) const;

  std::string hash_key_;
  std::vector<Entry> entries_;
  std::map<std::string, engine::Actor> minted_;  // by keyed hash
  std::unique_ptr<Cache> cache_;
};

// A new service token: 32 random bytes (256 bits), base64url without padding, 43 characters.
std::string NewServiceToken();
// Why `token` cannot be a service token (fewer than 128 bits of randomness by estimate), or
// nullopt. A token from NewServiceToken always passes.
std::optional<std::string> WeakTokenReason(std::string_view token);
// crypto_pwhash_str of a strong token (interactive limits); kInvalidArgument for a weak one.
Result<std::string> HashServiceToken(std::string_view token);
// kPermissionDenied, saying what to run, when group or others may read or write `path`.
Status CheckOwnerOnly(const std::string& path, const std::string& what);

}  // namespace casetrail::adapters
