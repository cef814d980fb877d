// A RocksDB file system for tests that simulates a power cut, in the spirit of RocksDB's
// FaultInjectionTestFS: it passes everything to the real file system and remembers, per file,
// how much of it was synced, and which files were created since their directory was last synced.
//
// A cut is three steps, so that nothing the database does while it is being torn down can reach
// the "disk":
//   fs->Deactivate();    every later write, sync, create, rename or delete fails (IOError);
//   ...close every database on this file system...
//   fs->DropUnsynced();  truncates each file to its last synced size, removes files created since
//                        the last sync of their directory (restoring a file a rename replaced),
//                        and turns writes on again.
// With `torn` set, DropUnsynced instead keeps a random prefix of each file's unsynced tail, as a
// disk that wrote part of its cache before the power went may do.
//
// Not modelled: the durability of deletes, of directories themselves, and of renames whose source
// was already durable (RocksDB renames only freshly synced temporary files and then syncs the
// directory, which is modelled).
#pragma once

#include <rocksdb/file_system.h>

#include <cstdint>
#include <memory>

namespace casetrail::testing {

// What a cut dropped.
struct CutReport {
  uint64_t bytes_dropped = 0;  // unsynced bytes cut off files that stay
  int files_removed = 0;       // created since their directory's last sync
  int files_restored = 0;      // replaced by a rename since their directory's last sync
};

class PowerCutFileSystem : public rocksdb::FileSystemWrapper {
 public:
  using rocksdb::FileSystemWrapper::FileSystemWrapper;
  virtual void Deactivate() = 0;
  // The power goes when a database next takes its LOCK file (at DB::Open): for a cut between a
  // store's close and its reopen.
  virtual void DeactivateAtNextLock() = 0;
  // `seed` picks the kept prefixes when torn.
  virtual CutReport DropUnsynced(bool torn, uint64_t seed) = 0;
};

std::shared_ptr<PowerCutFileSystem> NewPowerCutFileSystem();

}  // namespace casetrail::testing
