// Maps a validated token's claims to a casetrail actor (--oidc-mapping FILE, docs/operations.md):
//   {"person": {"claim": "sub", "prefix": "oidc:"},
//    "role":   {"claim": "groups", "values": {"casetrail-af-officer": "af_officer", "casetrail-syv": "syv"}},
//    "unit":   {"claim": "unit", "values": {"AF-JARVA": "jarva"}}}
// The role claim may be a string or a list; exactly one casetrail role must follow from it. The
// unit's "values" may be left out (the claim holds the unit id itself). Roles and units are those
// of the workflow model in force, checked when the file is loaded and for every token.
// The actor records how it signed in: auth "oidc" plus the token's amr, acr as given.
#pragma once

#include <boost/json.hpp>
#include <map>
#include <string>

#include "engine/event.h"
#include "engine/model.h"
#include "storage/base/result.h"

namespace casetrail::adapters::oidc {

class ClaimsMapping {
 public:
  // kInvalidArgument naming the part of the file that is wrong (never a claim value).
  static Result<ClaimsMapping> Parse(std::string_view json, const engine::WorkflowModel& model);
  static Result<ClaimsMapping> Load(const std::string& path, const engine::WorkflowModel& model);

  // The actor for these claims; kPermissionDenied (with a detail that names no claim value)
  // when they name no single role, no unit for a unit-bound role, or no usable person id.
  Result<engine::Actor> Map(const boost::json::object& claims, const engine::WorkflowModel& model) const;

 private:
  std::string person_claim_ = "sub", person_prefix_;
  std::string role_claim_;
  std::map<std::string, std::string> roles_;  // claim value → role
  std::string unit_claim_;
  std::map<std::string, std::string> units_;  // claim value → unit; empty: verbatim
};

}  // namespace casetrail::adapters::oidc
