// The users file: who may call the API, with which role and unit. API.md "Starting the server":
//   {"users":[{"id":"A-J1","token":"…","role":"af_officer","unit":"jarva","auth":"bankid"}]}
// Tokens are kept only as keyed hashes in memory and compared by hash.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "engine/event.h"
#include "engine/model.h"
#include "storage/base/result.h"

namespace casetrail::adapters {

class Users {
 public:
  // kInvalidArgument naming the entry (by index, never by token) if the file is malformed or
  // names a role or unit the workflow's model lacks.
  static Result<Users> Parse(std::string_view json, const engine::WorkflowModel& model);
  static Result<Users> Load(const std::string& path, const engine::WorkflowModel& model);

  // The actor for a bearer token, or nullopt.
  std::optional<engine::Actor> Find(std::string_view token) const;
  size_t size() const { return by_token_hash_.size(); }

 private:
  std::string HashToken(std::string_view token) const;

  std::string hash_key_;
  std::map<std::string, engine::Actor> by_token_hash_;
};

}  // namespace casetrail::adapters
