#include "engine/consent.h"

namespace casetrail::engine {

void ConsentState::Apply(const Event& event, uint64_t version) {
  version_ = version;
  bool granted = event.type == "ConsentGranted";
  if (!granted && event.type != "ConsentWithdrawn") return;
  auto it = event.facts.find("scopes");
  if (it == event.facts.end()) return;
  if (auto* list = std::get_if<std::vector<std::string>>(&it->second)) {
    for (const auto& scope : *list) changes_[scope].push_back({event.meta.recorded_at, granted});
  }
}

bool ConsentState::Covers(const std::string& scope, Timestamp at) const {
  auto it = changes_.find(scope);
  if (it == changes_.end()) return false;
  bool active = false;
  for (const auto& c : it->second) {
    if (c.at <= at) active = c.granted;
  }
  return active;
}

std::string ConsentState::FirstMissing(const std::vector<std::string>& scopes, Timestamp at) const {
  for (const auto& s : scopes) {
    if (!Covers(s, at)) return s;
  }
  return "";
}

std::vector<std::string> ConsentState::ActiveScopes(Timestamp at) const {
  std::vector<std::string> out;
  for (const auto& [scope, _] : changes_) {
    if (Covers(scope, at)) out.push_back(scope);
  }
  return out;
}

}  // namespace casetrail::engine
