// Checkpoints of the read models (DESIGN: "read models are projections with checkpoints"): the
// state a projection had folded up to a log position, in a file of its own under DIR/read-models/,
// so that a start resumes from that position instead of folding the whole log again.
//
// A checkpoint is only a shortcut: it is read only when it names the same read model and format
// and the log still holds the event it was folded to, with the same record hash (a restored or
// replaced log does not); anything else, a torn or damaged file included, is ignored and the read
// model folds from the first event. `casetrail rebuild` removes them all. Files, not a column
// family of the log: a checkpoint of a million cases is some hundred MB, written whole and
// replaced by a rename, which a RocksDB value would keep in older SST files until compaction.
// They hold only what the log holds in clear (no personal data, no sealed field).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <capnp/common.h>

#include "storage/log.h"

namespace casetrail::replay {

// The last event a read model folded: what its checkpoint is taken at.
struct FoldedTo {
  Position position{0};
  storage::Hash hash{};
};

class ReadModelCheckpoints {
 public:
  explicit ReadModelCheckpoints(std::string dir) : dir_(std::move(dir)) {}

  struct Loaded {
    Position position{0};
    storage::Hash hash{};
    std::string_view body;  // into `file`, word-aligned: a Cap'n Proto reader reads it in place
    std::vector<capnp::word> file;
    Loaded() = default;
    Loaded(Loaded&&) = default;  // moves keep `file`'s buffer, so `body` stays valid
    Loaded(const Loaded&) = delete;
  };
  // The checkpoint of `name` in `format`, if the log at its position holds the event it names.
  std::optional<Loaded> Load(const std::string& name, uint32_t format, storage::Log& log) const;
  // Loads `name` and hands its body to `decode` (false: not usable). The position the read model
  // resumes after: the checkpoint's, or 0 to fold from the first event. Logs which it is.
  Position Resume(const std::string& name, uint32_t format, storage::Log& log,
                  const std::function<bool(const Loaded&)>& decode) const;
  // Written to a temporary file, synced, renamed over the last one (mode 0600, folder 0700).
  Status Save(const std::string& name, uint32_t format, Position position, const storage::Hash& hash,
              std::string_view body) const;
  // Save at what a read model folded; nothing (and Ok) if it has folded nothing yet.
  Status SaveFolded(const std::string& name, uint32_t format, const FoldedTo& at, std::string_view body) const;
  // Removes every checkpoint (the next start folds every read model from the first event).
  Status DropAll() const;
  std::string PathOf(const std::string& name) const { return dir_ + "/" + name + ".ckpt"; }

 private:
  std::string dir_;
};


}  // namespace casetrail::replay
