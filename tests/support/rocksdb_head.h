// Reads and rewrites a RocksDB log's head ("head" in the default column family) directly, for
// tests of a head that disagrees with the stored log. The log must not be open.
#pragma once

#include <rocksdb/db.h>

#include <optional>
#include <string>
#include <vector>

namespace casetrail::testing {

// `edit` receives the current head (nullopt if none) and returns the new one (nullopt: delete).
// False if the database could not be opened or written.
template <typename Edit>
bool EditRawHead(const std::string& path, Edit edit) {
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok()) return false;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& n : names) descriptors.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> cfs;
  rocksdb::DB* db = nullptr;
  if (!rocksdb::DB::Open(rocksdb::DBOptions(), path, descriptors, &cfs, &db).ok()) return false;
  std::string current;
  const bool found = db->Get(rocksdb::ReadOptions(), "head", &current).ok();
  std::optional<std::string> next = edit(found ? std::optional<std::string>(current) : std::nullopt);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  const bool ok = (next ? db->Put(wo, "head", *next) : db->Delete(wo, "head")).ok();
  for (auto* cf : cfs) db->DestroyColumnFamilyHandle(cf);
  delete db;
  return ok;
}

}  // namespace casetrail::testing
