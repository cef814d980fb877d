// SubjectKeys: per-subject data keys and the subject index, kept in the KeyStore (DIR/keys).
//
//   "key:<subject>"   the subject's data key, wrapped by the master key
//   "idx:<hmac hex>"  the subject id, under a keyed hash of the canonical personal number
//   "ridx:<subject>"  that hmac, so that erasure can remove the index entry without the number
//   "intent:<subject>" a registration in flight: written with the three entries above in one
//                      atomic batch before SubjectRegistered is appended, removed after it. An
//                      intent found at start whose subject has no SubjectRegistered in the log is
//                      rolled back (CaseService::RepairRegistrations), so a crash between the two
//                      stores leaves a whole subject or none.
//   "move:<subject>"   a rectified personal number in flight: "<move id> <new number's keyed
//                      hash>", written before SubjectRectified{move: <move id>} is appended;
//                      FinishMove then moves the index in one atomic write (RepairMoves finishes
//                      or drops it at start, by whether the log holds that rectification).
//
// Sealing: personal fields are encoded as a field list and sealed with XChaCha20-Poly1305 under
// the subject's data key, with the subject id as associated data. Once the key is shredded,
// Open answers kNotFound ("erased") for every event of that subject, in every copy of the log.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/sealing.h"
#include "engine/value.h"
#include "storage/key_store.h"

namespace casetrail::engine {

class SubjectKeys {
 public:
  SubjectKeys(storage::KeyStore* store, const MasterKey& master) : store_(store), master_(master) {}

  // Creates the subject's data key, index entry and registration intent in one atomic write.
  // kAlreadyExists if the key exists.
  Status Create(const std::string& subject_id, const std::string& canonical_number);
  // The registration committed to the log: the intent goes.
  Status CommitIntent(const std::string& subject_id);
  // Subjects whose registration intent is still stored (in flight, or cut short by a crash).
  Result<std::vector<std::string>> PendingIntents();
  // The subject registered under this number, if any (erased subjects are not found).
  Result<std::optional<std::string>> FindByNumber(const std::string& canonical_number);

  // "" when `personal` is empty. kNotFound when the subject's key is gone (erased).
  Result<std::string> Seal(const std::string& subject_id, const Fields& personal);
  Result<Fields> Open(const std::string& subject_id, const std::string& sealed);

  // The keyed hash (hex) under which a canonical number is indexed; no personal data.
  std::string IndexHash(const std::string& canonical_number) const;
  // Moving the index to a rectified number: BeginMove records the intent, FinishMove moves the
  // index entry (old number no longer found, new one found) and clears it, DropMove abandons it.
  Status BeginMove(const std::string& subject_id, const std::string& move_id, const std::string& new_canonical_number);
  Status FinishMove(const std::string& subject_id);
  Status DropMove(const std::string& subject_id);
  // (subject, move id) of every move still recorded.
  Result<std::vector<std::pair<std::string, std::string>>> PendingMoves();

  // Whether the subject's data key is stored (false once erased).
  bool HasKey(const std::string& subject_id);
  // Removes the key, the intent and the index entry (if it still names this subject) and purges
  // them from disk.
  Status Shred(const std::string& subject_id);

  // Test only: the wrapped key bytes as stored, to prove they are gone after erasure.
  Result<std::string> TEST_WrappedKey(const std::string& subject_id);

 private:
  Result<DataKey> KeyOf(const std::string& subject_id);

  storage::KeyStore* store_;
  MasterKey master_;
};

}  // namespace casetrail::engine
