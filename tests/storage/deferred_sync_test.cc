// Appends with sync=false (refused commands' records): written and readable at once, but no fsync
// of their own. They ride the next synced group, or a sync the log forces after a time or a count,
// so a client that sends refusals cannot make the disk sync at will.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "storage/base/status_matchers.h"
#include "storage/rocksdb_log.h"
#include "tests/support/temp_dir.h"

namespace casetrail::storage {
namespace {

class DeferredSyncTest : public ::testing::Test {
 protected:
  void Open(std::chrono::milliseconds interval, size_t max_deferred = 1000) {
    log_.reset();
    LogOptions o;
    o.path = dir_.Sub("log");
    o.signing_seed[0] = 7;
    o.deferred_sync_interval = interval;
    o.max_deferred_appends = max_deferred;
    auto r = OpenRocksLog(o);
    ASSERT_THAT(r, IsOk());
    log_ = std::move(r).value();
  }
  Result<AppendResult> Put(const std::string& stream, bool sync, const std::string& key = "") {
    AppendRequest req;
    req.writes.push_back({StreamId(stream), ExpectedVersion::Any(), {{"E", "payload"}}});
    req.sync = sync;
    req.idempotency_key = key;
    if (!key.empty()) req.idempotency_fingerprint = "fp";
    return log_->Append(req);
  }

  testing::TempDir dir_;
  std::unique_ptr<Log> log_;
};

TEST_F(DeferredSyncTest, UnsyncedAppendsForceNoSyncAndRideTheNextSyncedOne) {
  Open(std::chrono::hours(1));  // no timed sync during the test
  for (int i = 0; i < 50; ++i) ASSERT_THAT(Put("refusals:S-1", /*sync=*/false), IsOk());
  LogStats stats = log_->Stats();
  EXPECT_EQ(stats.synced_writes, 0u) << "a refusal forced an fsync";
  EXPECT_EQ(stats.unsynced_writes, 50u);
  EXPECT_EQ(stats.events, 50u);
  EXPECT_EQ(*log_->CurrentVersion(StreamId("refusals:S-1")), StreamVersion(50)) << "readable at once";
  ASSERT_THAT(Put("case:A", /*sync=*/true), IsOk());
  EXPECT_EQ(log_->Stats().synced_writes, 1u);
  EXPECT_EQ(log_->Stats().deferred_syncs, 0u);
  // A clean close and reopen keeps every one of them, chain intact.
  Open(std::chrono::hours(1));
  EXPECT_EQ(log_->GetHead().position, Position(51));
  EXPECT_TRUE(log_->Verify(nullptr)->ok);
}

TEST_F(DeferredSyncTest, WithoutASyncedAppendTheLogSyncsAfterTheInterval) {
  Open(std::chrono::milliseconds(50));
  for (int i = 0; i < 3; ++i) ASSERT_THAT(Put("refusals:S-1", false), IsOk());
  for (int i = 0; i < 200 && log_->Stats().deferred_syncs == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(log_->Stats().deferred_syncs, 1u);
  EXPECT_EQ(log_->Stats().synced_writes, 0u);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  EXPECT_EQ(log_->Stats().deferred_syncs, 1u) << "nothing new was unsynced: no further sync";
}

TEST_F(DeferredSyncTest, AtMostMaxDeferredAppendsWaitUnsynced) {
  Open(std::chrono::hours(1), /*max_deferred=*/10);
  for (int i = 0; i < 25; ++i) ASSERT_THAT(Put("refusals:S-1", false), IsOk());
  EXPECT_EQ(log_->Stats().synced_writes, 2u) << "the 10th and the 20th synced";
  EXPECT_EQ(log_->Stats().unsynced_writes, 23u);
}

TEST_F(DeferredSyncTest, AnIdempotentAppendMustBeSynced) {
  Open(std::chrono::hours(1));
  EXPECT_THAT(Put("case:A", false, "key-1"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Put("case:A", true, "key-1"), IsOk());
}

}  // namespace
}  // namespace casetrail::storage
