// The engine is generic: no role, unit, party, consent scope or state of the study-referral
// workflow appears in engine/ — they all come from workflows/study-referral/ as data. Roles,
// units, parties and scopes are identifiers no English sentence needs, so they may not appear
// at all (comments included); states are English words, so they may not appear as literals.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace casetrail::testing {
namespace {
namespace fs = std::filesystem;
namespace json = boost::json;

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Words {
  std::set<std::string> identifiers;  // roles, units, parties, scopes
  std::set<std::string> states;
};

Words StudyReferralWords() {
  const fs::path dir = fs::path(CASETRAIL_SOURCE_DIR) / "workflows" / "study-referral";
  Words w;
  json::object model = json::parse(Read(dir / "model.json")).as_object();
  for (const auto& [role, _] : model.at("roles").as_object()) w.identifiers.insert(std::string(role));
  for (const auto& u : model.at("units").as_array()) w.identifiers.insert(std::string(u.at("id").as_string()));
  for (const auto& p : model.at("parties").as_array()) w.identifiers.insert(std::string(p.as_string()));
  for (const auto& [scope, _] : model.at("consent").at("scopes").as_object()) w.identifiers.insert(std::string(scope));
  w.identifiers.erase("system");  // the engine's own party for the events it writes
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("rev", 0) != 0) continue;
    json::object def = json::parse(Read(entry.path())).as_object();
    for (const auto& s : def.at("states").as_array()) w.states.insert(std::string(s.as_string()));
  }
  return w;
}

TEST(ModelWordsTest, TheEngineNamesNoRoleUnitScopeOrStateOfTheStudyReferralWorkflow) {
  const Words words = StudyReferralWords();
  ASSERT_GE(words.identifiers.size(), 10u);  // six roles, three units, two parties, three scopes
  ASSERT_GE(words.states.size(), 8u);
  int files = 0;
  std::vector<std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(CASETRAIL_SOURCE_DIR) / "engine")) {
    const std::string ext = entry.path().extension().string();
    if (ext != ".h" && ext != ".cc" && ext != ".capnp" && entry.path().filename() != "CMakeLists.txt") continue;
    ++files;
    const std::string text = Read(entry.path());
    for (const auto& w : words.identifiers) {
      if (std::regex_search(text, std::regex("\\b" + w + "\\b", std::regex::icase))) {
        found.push_back(entry.path().filename().string() + ": " + w);
      }
    }
    for (const auto& s : words.states) {
      if (text.find("\"" + s + "\"") != std::string::npos) found.push_back(entry.path().filename().string() + ": \"" + s + "\"");
    }
  }
  EXPECT_GT(files, 20);
  EXPECT_TRUE(found.empty()) << ::testing::PrintToString(found);
}

}  // namespace
}  // namespace casetrail::testing
