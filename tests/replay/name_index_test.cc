// NameIndex (replay/name_index.h) over a real RocksDB log: name parts normalised and hashed under
// the key, matched whole and all together; a subject's stream getting an event re-reads its name
// (rectified, erased); nothing but hashes kept.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "replay/name_index.h"
#include "tests/support/engine_harness.h"

namespace casetrail::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(NameIndexTest, PartsAreLowercasedFoldedAndWhole) {
  EXPECT_THAT(replay::NameIndex::Parts("Anna-Karin Ödqvist"), ElementsAre("anna", "karin", "odqvist"));
  EXPECT_THAT(replay::NameIndex::Parts("  ÅSA  Lindén-Ek "), ElementsAre("asa", "linden", "ek"));
  EXPECT_THAT(replay::NameIndex::Parts("José Müller Øre Æsir"), ElementsAre("jose", "muller", "ore", "aesir"));
  EXPECT_THAT(replay::NameIndex::Parts("a b !! -"), IsEmpty()) << "one-letter parts and punctuation only";
  EXPECT_THAT(replay::NameIndex::Parts("Anna anna ANNA"), ElementsAre("anna"));
  EXPECT_THAT(replay::NameIndex::Parts("\xff\xfe Bo"), ElementsAre("bo")) << "broken UTF-8 separates";
}

class NameIndexLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::LogOptions o;
    o.path = dir_.Sub("log");
    auto log = storage::OpenRocksLog(o);
    ASSERT_THAT(log, IsOk());
    log_ = std::move(*log);
  }
  // An event on the subject's stream: what registration, rectification and erasure append.
  void Touch(const std::string& subject) {
    storage::AppendRequest req;
    req.writes.push_back({StreamId("subject:" + subject), storage::ExpectedVersion::Any(), {{"SubjectRectified", "x"}}});
    ASSERT_THAT(log_->Append(req), IsOk());
  }
  std::unique_ptr<replay::NameIndex> Index(const std::string& key) {
    return std::make_unique<replay::NameIndex>(log_.get(), key, [this](const std::string& s) -> Result<std::optional<std::string>> {
      auto it = names_.find(s);
      if (it == names_.end()) return std::optional<std::string>();
      return std::optional<std::string>(it->second);
    });
  }
  std::vector<std::string> Find(replay::NameIndex& index, const std::string& q) {
    // The subscription delivers asynchronously: wait until a search sees what was appended.
    auto r = index.Find(q);
    EXPECT_THAT(r, IsOk());
    return r.ok() ? *r : std::vector<std::string>{};
  }
  void Settle(replay::NameIndex& index, size_t expected) {
    for (int i = 0; i < 200; ++i) {
      auto n = index.Size();
      if (n.ok() && *n == expected) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "the index did not reach " << expected << " subjects";
  }

  TempDir dir_;
  std::unique_ptr<storage::Log> log_;
  std::map<std::string, std::string> names_;  // subject → current name (the sealed store's stand-in)
};

TEST_F(NameIndexLogTest, MatchesEveryPartWholeAndFollowsRectificationAndErasure) {
  names_ = {{"S-1", "Anna-Karin Ödqvist"}, {"S-2", "Anna Berg"}};
  Touch("S-1");
  Touch("S-2");
  auto index = Index("key-one");
  Settle(*index, 2);
  EXPECT_THAT(Find(*index, "ODQVIST anna"), ElementsAre("S-1"));
  EXPECT_THAT(Find(*index, "anna"), ElementsAre("S-1", "S-2"));
  EXPECT_THAT(Find(*index, "Ödq"), IsEmpty());
  EXPECT_THAT(Find(*index, "anna lind"), IsEmpty());
  EXPECT_THAT(Find(*index, "!"), IsEmpty());

  names_["S-1"] = "Anna Lind";  // rectified: re-read when its stream moves
  Touch("S-1");
  for (int i = 0; i < 200 && Find(*index, "lind").empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_THAT(Find(*index, "lind"), ElementsAre("S-1"));
  EXPECT_THAT(Find(*index, "odqvist"), IsEmpty());

  names_.erase("S-1");  // erased: the key is shredded, no name can be read
  Touch("S-1");
  Settle(*index, 1);
  EXPECT_FALSE(index->Holds("S-1"));
  EXPECT_THAT(Find(*index, "anna"), ElementsAre("S-2"));

  // A rebuild from the log indexes only what can still be read.
  auto rebuilt = Index("key-one");
  Settle(*rebuilt, 1);
  EXPECT_THAT(Find(*rebuilt, "anna"), ElementsAre("S-2"));
}

TEST_F(NameIndexLogTest, HashesDependOnTheKey) {
  auto a = Index("key-one");
  auto b = Index("key-two");
  EXPECT_EQ(a->PartHash("anna"), a->PartHash("anna"));
  EXPECT_NE(a->PartHash("anna"), b->PartHash("anna"));
  EXPECT_NE(a->PartHash("anna"), a->PartHash("anne"));
  EXPECT_EQ(a->PartHash("anna").size(), 64u);
  EXPECT_EQ(a->PartHash("anna").find("anna"), std::string::npos);
}

}  // namespace
}  // namespace casetrail::testing
