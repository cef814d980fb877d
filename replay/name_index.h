// NameIndex: search for people by name without keeping names in clear. Names are sealed at rest
// (each subject's fields under the subject's own key, engine/subject_keys.h); the index holds only
// keyed BLAKE2b hashes of the normalised parts of each name ("Anna-Karin Ödqvist" → "anna",
// "karin", "odqvist"), under a sub-key of the master key. A query is normalised and hashed the
// same way and matches the subjects whose name has every one of its parts.
//
// It is a projection: a subscription marks a subject as changed when its stream gets an event
// (registration, rectification, erasure); the next search re-reads those subjects' current names
// through `NameOf` (which opens the sealed fields) before answering. An erased subject's key is
// shredded, so `NameOf` answers nothing and its hashes are dropped; a rebuild from the log never
// indexes it again. Nothing here is written to disk.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "storage/log.h"

namespace casetrail::replay {

class NameIndex {
 public:
  // The subject's current name, nullopt once erased (or never registered with a name).
  using NameOf = std::function<Result<std::optional<std::string>>(const std::string& subject_id)>;

  // `key`: the hashing key (bytes). Follows `log` from its first event.
  NameIndex(storage::Log* log, std::string key, NameOf name_of);
  ~NameIndex();

  // Lowercased parts of a name or query: split at anything not a letter or digit, diacritics
  // folded (å ä → a, ö → o, é → e …), parts shorter than two characters dropped.
  static std::vector<std::string> Parts(const std::string& text);
  // Keyed hash (hex) of one normalised part.
  std::string PartHash(const std::string& part) const;

  // The subjects (ids, sorted) whose name contains every part of `query`; empty if the query has
  // no part. Brings changed subjects up to date first (kUnavailable if a name cannot be read).
  Result<std::vector<std::string>> Find(const std::string& query);
  // How many subjects are indexed (after bringing changed ones up to date).
  Result<size_t> Size();
  // True if the subject has hashes in the index now (for tests of erasure).
  bool Holds(const std::string& subject_id) const;

 private:
  void OnEvent(const storage::RecordedEvent& record);
  Status Refresh();  // re-reads the changed subjects; called with refresh_mu_ held
  void Drop(const std::string& subject_id);  // with mu_ held

  std::string key_;
  NameOf name_of_;
  std::mutex refresh_mu_;     // one refresh at a time
  mutable std::mutex mu_;     // guards the maps and the changed set
  std::set<std::string> changed_;
  std::map<std::string, std::vector<std::string>> hashes_of_;     // subject → part hashes
  std::map<std::string, std::set<std::string>> subjects_with_;    // part hash → subjects
  std::unique_ptr<storage::Subscription> subscription_;           // last: stops before the maps die
};

}  // namespace casetrail::replay
