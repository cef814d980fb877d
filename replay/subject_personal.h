// The subject's personal data as answers show it: opened from the subject stream with the
// subject's key, or absent once the key is shredded (erased).
#pragma once

#include <optional>
#include <string>

#include "engine/subject_keys.h"
#include "engine/value.h"
#include "storage/log.h"

namespace casetrail::replay {

// The subject's current personal data (registration merged with rectifications), or nullopt
// once erased (the key is gone).
Result<std::optional<engine::Fields>> SubjectPersonal(storage::Log& log, engine::SubjectKeys& keys,
                                                      const std::string& subject);

}  // namespace casetrail::replay
