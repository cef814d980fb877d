// ConsentState: the subject's consent scopes over time, folded from the consent stream.
// Consent is judged at a given time: a scope covers t when a grant recorded at or before t is not
// followed by a withdrawal recorded at or before t. Withdrawal is prospective (GDPR Art. 7(3)).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/event.h"

namespace casetrail::engine {

class ConsentState {
 public:
  // Folds one event of the consent stream (ConsentGranted / ConsentWithdrawn{scopes}).
  void Apply(const Event& event, uint64_t version);

  bool Covers(const std::string& scope, Timestamp at) const;
  // The first of `scopes` not covered at `at`, or "" if all are.
  std::string FirstMissing(const std::vector<std::string>& scopes, Timestamp at) const;
  std::vector<std::string> ActiveScopes(Timestamp at) const;
  uint64_t version() const { return version_; }

  // What was folded, per scope in stream order: for a read model's checkpoint to keep and restore.
  struct Change {
    Timestamp at;
    bool granted;
  };
  const std::map<std::string, std::vector<Change>>& changes() const { return changes_; }
  static ConsentState Restored(std::map<std::string, std::vector<Change>> changes, uint64_t version) {
    ConsentState s;
    s.changes_ = std::move(changes);
    s.version_ = version;
    return s;
  }

 private:
  std::map<std::string, std::vector<Change>> changes_;  // per scope, in stream order
  uint64_t version_ = 0;
};

}  // namespace casetrail::engine
