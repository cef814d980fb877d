#include "engine/subject_keys.h"

#include "engine/event.h"
#include "storage/base/hex.h"

namespace casetrail::engine {

Status SubjectKeys::Create(const std::string& subject_id, const std::string& canonical_number) {
  auto existing = store_->Get("key:" + subject_id);
  if (existing.ok()) return AlreadyExists("subject key exists");
  DataKey key = NewDataKey();
  std::string index = ToHex(SubjectIndexKey(master_, canonical_number));
  return store_->PutAll({{"intent:" + subject_id, index},
                         {"key:" + subject_id, WrapDataKey(master_, SubjectId(subject_id), key)},
                         {"ridx:" + subject_id, index},
                         {"idx:" + index, subject_id}});
}

std::string SubjectKeys::IndexHash(const std::string& canonical_number) const {
  return ToHex(SubjectIndexKey(master_, canonical_number));
}

Status SubjectKeys::BeginMove(const std::string& subject_id, const std::string& move_id,
                              const std::string& new_canonical_number) {
  return store_->Put("move:" + subject_id, move_id + " " + IndexHash(new_canonical_number));
}

Status SubjectKeys::FinishMove(const std::string& subject_id) {
  auto intent = store_->Get("move:" + subject_id);
  if (!intent.ok()) return intent.status().code() == StatusCode::kNotFound ? Status::Ok() : intent.status();
  const size_t space = intent->find(' ');
  if (space == std::string::npos) return DataLoss("malformed index move of subject " + subject_id);
  const std::string target = intent->substr(space + 1);
  std::vector<std::string> deletes = {"move:" + subject_id};
  if (auto old = store_->Get("ridx:" + subject_id); old.ok() && *old != target) {
    if (auto owner = store_->Get("idx:" + *old); owner.ok() && *owner == subject_id) deletes.push_back("idx:" + *old);
  }
  return store_->Write({{"idx:" + target, subject_id}, {"ridx:" + subject_id, target}}, deletes);
}

Status SubjectKeys::DropMove(const std::string& subject_id) { return store_->Delete("move:" + subject_id); }

Result<std::vector<std::pair<std::string, std::string>>> SubjectKeys::PendingMoves() {
  CT_ASSIGN_OR_RETURN(auto entries, store_->List("move:"));
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [k, v] : entries) out.emplace_back(k.substr(5), v.substr(0, v.find(' ')));
  return out;
}

Status SubjectKeys::CommitIntent(const std::string& subject_id) { return store_->Delete("intent:" + subject_id); }

Result<std::vector<std::string>> SubjectKeys::PendingIntents() {
  CT_ASSIGN_OR_RETURN(auto entries, store_->List("intent:"));
  std::vector<std::string> out;
  for (const auto& [k, v] : entries) out.push_back(k.substr(7));
  return out;
}

Result<std::optional<std::string>> SubjectKeys::FindByNumber(const std::string& canonical_number) {
  auto r = store_->Get("idx:" + ToHex(SubjectIndexKey(master_, canonical_number)));
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kNotFound) return std::optional<std::string>();
    return r.status();
  }
  return std::optional<std::string>(*r);
}

Result<DataKey> SubjectKeys::KeyOf(const std::string& subject_id) {
  CT_ASSIGN_OR_RETURN(std::string wrapped, store_->Get("key:" + subject_id));
  return UnwrapDataKey(master_, SubjectId(subject_id), wrapped);
}

Result<std::string> SubjectKeys::Seal(const std::string& subject_id, const Fields& personal) {
  if (personal.empty()) return std::string();
  CT_ASSIGN_OR_RETURN(DataKey key, KeyOf(subject_id));
  return engine::Seal(key, EncodeFields(personal), subject_id);
}

Result<Fields> SubjectKeys::Open(const std::string& subject_id, const std::string& sealed) {
  if (sealed.empty()) return Fields{};
  CT_ASSIGN_OR_RETURN(DataKey key, KeyOf(subject_id));
  CT_ASSIGN_OR_RETURN(std::string plain, engine::Open(key, sealed, subject_id));
  return DecodeFields(plain);
}

bool SubjectKeys::HasKey(const std::string& subject_id) { return store_->Get("key:" + subject_id).ok(); }

Status SubjectKeys::Shred(const std::string& subject_id) {
  std::vector<std::string> keys = {"key:" + subject_id, "ridx:" + subject_id, "intent:" + subject_id,
                                   "move:" + subject_id};
  // The index entry goes only while it names this subject: never another subject's lookup.
  if (auto index = store_->Get("ridx:" + subject_id); index.ok()) {
    if (auto owner = store_->Get("idx:" + *index); owner.ok() && *owner == subject_id) keys.push_back("idx:" + *index);
  }
  return store_->Shred(keys);
}

Result<std::string> SubjectKeys::TEST_WrappedKey(const std::string& subject_id) {
  return store_->Get("key:" + subject_id);
}

}  // namespace casetrail::engine
