// What only the durable log promises: reopen, group commit, sticky I/O errors, tamper evidence,
// signed checkpoints, exclusive open, backup and restore.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sodium.h>

#include <rocksdb/db.h>

#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "storage/backup.h"
#include "storage/base/fault.h"
#include "storage/base/status_matchers.h"
#include "storage/internal/codec.h"
#include "storage/key_file.h"
#include "storage/rocksdb_log.h"
#include "tests/support/rocksdb_head.h"
#include "tests/support/temp_dir.h"

namespace casetrail::storage {
namespace {

class RocksLogTest : public ::testing::Test {
 protected:
  LogOptions Options() {
    LogOptions o;
    o.path = dir_.Sub("log");
    o.signing_seed[0] = 42;
    o.checkpoint_interval = checkpoint_interval_;
    o.TEST_sync_faults = faults_;
    return o;
  }
  void Open() {
    log_.reset();
    auto r = OpenRocksLog(Options());
    ASSERT_THAT(r, IsOk());
    log_ = std::move(r).value();
  }
  void SetUp() override { Open(); }

  Result<AppendResult> Put(const std::string& stream, const std::string& type,
                           const std::string& key = "") {
    AppendRequest req;
    req.writes.push_back({StreamId(stream), ExpectedVersion::Any(), {{type, "payload-" + type}}});
    req.idempotency_key = key;
    if (!key.empty()) req.idempotency_fingerprint = "fp";
    return log_->Append(req);
  }

  testing::TempDir dir_;
  uint64_t checkpoint_interval_ = 10000;
  std::shared_ptr<SyncFaults> faults_ = std::make_shared<SyncFaults>();
  std::unique_ptr<Log> log_;
};

TEST_F(RocksLogTest, EverythingSurvivesReopen) {
  ASSERT_THAT(Put("case:A", "a", "k1"), IsOk());
  ASSERT_THAT(Put("case:A", "b"), IsOk());
  Head before = log_->GetHead();
  Open();
  EXPECT_EQ(log_->GetHead().position, before.position);
  EXPECT_EQ(log_->GetHead().hash, before.hash);
  EXPECT_EQ(*log_->CurrentVersion(StreamId("case:A")), StreamVersion(2));
  auto repeat = Put("case:A", "a", "k1");
  ASSERT_THAT(repeat, IsOk());
  EXPECT_TRUE(repeat->deduplicated);
  ASSERT_THAT(Put("case:A", "c"), IsOk());
  EXPECT_EQ(log_->GetHead().position, Position(3));
  EXPECT_TRUE(log_->Verify(nullptr)->ok);
}

// The names of the compressions the log column family's SSTs were written with.
std::set<std::string> LogCompressions(const std::string& path) {
  std::vector<std::string> names;
  EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const auto& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  EXPECT_TRUE(rocksdb::DB::OpenForReadOnly(rocksdb::Options(), path, cfs, &handles, &raw).ok());
  std::set<std::string> out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] != "log") continue;
    rocksdb::TablePropertiesCollection props;
    EXPECT_TRUE(raw->GetPropertiesOfAllTables(handles[i], &props).ok());
    for (const auto& [file, p] : props) out.insert(p->compression_name);
  }
  for (auto* h : handles) raw->DestroyColumnFamilyHandle(h);
  delete raw;
  return out;
}

// Compression is no part of the format: a store whose SSTs were written under Snappy (the
// options before LZ4/ZSTD) opens, reads, verifies and appends; new SSTs take the new options.
TEST_F(RocksLogTest, AStoreWrittenUnderSnappyOpensAndReads) {
  for (int i = 0; i < 200; ++i) ASSERT_THAT(Put("case:S" + std::to_string(i % 7), "t" + std::to_string(i)), IsOk());
  const Head head = log_->GetHead();
  log_.reset();
  {  // Rewrite every SST of every column family under Snappy, as an older release left them.
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir_.Sub("log"), &names).ok());
    rocksdb::ColumnFamilyOptions snappy;
    snappy.compression = rocksdb::kSnappyCompression;
    snappy.bottommost_compression = rocksdb::kSnappyCompression;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const auto& n : names) cfs.emplace_back(n, snappy);
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir_.Sub("log"), cfs, &handles, &raw).ok());
    rocksdb::CompactRangeOptions all;
    all.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    for (auto* h : handles) ASSERT_TRUE(raw->CompactRange(all, h, nullptr, nullptr).ok());
    for (auto* h : handles) raw->DestroyColumnFamilyHandle(h);
    delete raw;
  }
  ASSERT_EQ(LogCompressions(dir_.Sub("log")), (std::set<std::string>{"Snappy"}));
  Open();
  EXPECT_EQ(log_->GetHead().hash, head.hash);
  auto all = log_->ReadAll(Position(1), 1000);
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 200u);
  EXPECT_EQ((*all)[199].type, "t199");
  EXPECT_EQ(log_->ReadStream(StreamId("case:S3"), StreamVersion(1), Direction::kForward, 100)->size(), 29u);
  EXPECT_TRUE(log_->Verify(nullptr)->ok);
  ASSERT_THAT(Put("case:S0", "after"), IsOk());
  log_.reset();  // a clean close flushes: the new records land in an SST under the new options
  const auto compressions = LogCompressions(dir_.Sub("log"));
  EXPECT_TRUE(compressions.count("Snappy"));
  EXPECT_TRUE(compressions.count("LZ4") || compressions.count("ZSTD")) << "new SSTs are written under LZ4/ZSTD";
  Open();
  EXPECT_EQ(log_->GetHead().position, Position(201));
}

TEST_F(RocksLogTest, ConcurrentAppendsShareSyncedWrites) {
  constexpr int kThreads = 32, kPerThread = 20;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) ASSERT_THAT(Put("s" + std::to_string(t), "e"), IsOk());
    });
  }
  for (auto& t : threads) t.join();
  LogStats stats = log_->Stats();
  EXPECT_EQ(stats.appends, static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_EQ(stats.events, static_cast<uint64_t>(kThreads * kPerThread));
  // With 32 callers queued behind one synced write, groups must form.
  EXPECT_LT(stats.synced_writes, stats.appends / 2) << "no group commit happened";
  EXPECT_TRUE(log_->Verify(nullptr)->ok);
}

TEST_F(RocksLogTest, FailedSyncRefusesEveryLaterWriteUntilReopen) {
  ASSERT_THAT(Put("case:A", "before"), IsOk());
  faults_->fail_wal = true;
  EXPECT_THAT(Put("case:A", "lost"), StatusIs(StatusCode::kUnavailable));
  faults_->fail_wal = false;
  EXPECT_THAT(Put("case:A", "after"), StatusIs(StatusCode::kUnavailable)) << "error must be sticky";
  // Reads still work.
  EXPECT_EQ(*log_->CurrentVersion(StreamId("case:A")), StreamVersion(1));
  Open();
  ASSERT_THAT(Put("case:A", "after-reopen"), IsOk());
  auto events = log_->ReadStream(StreamId("case:A"), StreamVersion(1), Direction::kForward, 10);
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].type, "before");
  EXPECT_EQ((*events)[1].type, "after-reopen");
  EXPECT_TRUE(log_->Verify(nullptr)->ok);
}

TEST_F(RocksLogTest, TamperedRecordIsNamedByVerify) {
  for (int i = 0; i < 10; ++i) ASSERT_THAT(Put("case:" + std::to_string(i % 3), "e" + std::to_string(i)), IsOk());
  ASSERT_TRUE(log_->Verify(nullptr)->ok);
  auto value = TEST_ReadStoredValue(*log_, Position(7));
  ASSERT_THAT(value, IsOk());
  std::string tampered = *value;
  tampered[tampered.size() - 9] ^= 0x01;  // a byte inside the record
  ASSERT_THAT(TEST_OverwriteStoredValue(*log_, Position(7), tampered), IsOk());
  auto report = log_->Verify(nullptr);
  ASSERT_THAT(report, IsOk());
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_position, Position(7));
}

TEST_F(RocksLogTest, ForgedHashBreaksTheNextLink) {
  for (int i = 0; i < 10; ++i) ASSERT_THAT(Put("case:x", "e" + std::to_string(i)), IsOk());
  // An attacker rewrites record 4 and recomputes its own hash: record 5's link then breaks.
  auto ev = log_->ReadAll(Position(4), 1);
  std::string bytes = internal::EncodeRecord(StreamId("case:x"), StreamVersion(4), "forged", "x");
  Hash h = internal::ChainHash((*ev)[0].prev_hash, Position(4), bytes);
  ASSERT_THAT(TEST_OverwriteStoredValue(*log_, Position(4), internal::MakeStoredValue((*ev)[0].prev_hash, h, bytes)), IsOk());
  auto report = log_->Verify(nullptr);
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_position, Position(5));
}

// VerifyRecords checks a few records in place: a record changed, or rehashed so that only the
// next link breaks, is named when it (or its neighbour) is checked; others still pass.
TEST_F(RocksLogTest, VerifyRecordsChecksTheGivenRecordsAndTheirLinks) {
  for (int i = 0; i < 10; ++i) ASSERT_THAT(Put("case:" + std::to_string(i % 3), "e" + std::to_string(i)), IsOk());
  auto all = log_->VerifyRecords({Position(1), Position(5), Position(10)});
  ASSERT_THAT(all, IsOk());
  EXPECT_TRUE(all->ok);
  EXPECT_EQ(all->events, 3u);
  EXPECT_FALSE(log_->VerifyRecords({Position(11)})->ok) << "beyond the head";

  auto value = TEST_ReadStoredValue(*log_, Position(7));
  std::string tampered = *value;
  tampered[tampered.size() - 9] ^= 0x01;
  ASSERT_THAT(TEST_OverwriteStoredValue(*log_, Position(7), tampered), IsOk());
  auto report = log_->VerifyRecords({Position(2), Position(7)});
  ASSERT_THAT(report, IsOk());
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_position, Position(7));
  EXPECT_EQ(report->problem, "hash does not match record");
  EXPECT_TRUE(log_->VerifyRecords({Position(2), Position(9)})->ok) << "records away from the change still pass";
  ASSERT_THAT(TEST_OverwriteStoredValue(*log_, Position(7), *value), IsOk());

  // Rehashed: its own hash matches, the next record's link does not.
  auto ev = log_->ReadAll(Position(4), 1);
  std::string bytes = internal::EncodeRecord((*ev)[0].stream, (*ev)[0].version, "forged", "x");
  Hash h = internal::ChainHash((*ev)[0].prev_hash, Position(4), bytes);
  ASSERT_THAT(TEST_OverwriteStoredValue(*log_, Position(4), internal::MakeStoredValue((*ev)[0].prev_hash, h, bytes)), IsOk());
  report = log_->VerifyRecords({Position(4)});
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_position, Position(5));
  EXPECT_FALSE(log_->VerifyRecords({Position(5)})->ok) << "the next record's link back breaks too";
}

TEST_F(RocksLogTest, CheckpointsAreSignedAtIntervalsAndAtClose) {
  checkpoint_interval_ = 10;
  Open();
  for (int i = 0; i < 25; ++i) ASSERT_THAT(Put("s", "e"), IsOk());
  auto latest = log_->LatestCheckpoint();
  ASSERT_THAT(latest, IsOk());
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->position, Position(20));
  std::string msg = internal::CheckpointMessage((*latest)->position, (*latest)->hash);
  EXPECT_EQ(crypto_sign_verify_detached((*latest)->signature.data(), reinterpret_cast<const uint8_t*>(msg.data()),
                                        msg.size(), (*latest)->public_key.data()),
            0);
  Open();  // closing writes one at the head
  EXPECT_EQ((*log_->LatestCheckpoint())->position, Position(25));
  EXPECT_TRUE(log_->Verify(nullptr)->ok);
}

TEST_F(RocksLogTest, CheckpointSignedByAnotherKeyFailsVerify) {
  for (int i = 0; i < 5; ++i) ASSERT_THAT(Put("s", "e"), IsOk());
  log_.reset();  // writes a checkpoint at 5 with seed 42
  LogOptions other = Options();
  other.signing_seed[0] = 43;
  auto r = OpenRocksLog(other);
  ASSERT_THAT(r, IsOk());
  auto report = (*r)->Verify(nullptr);
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_position, Position(5));
}

TEST_F(RocksLogTest, SecondOpenOfTheSameDirectoryIsRefused) {
  EXPECT_THAT(OpenRocksLog(Options()), StatusIs(StatusCode::kUnavailable));
}

TEST_F(RocksLogTest, BackupRestoresToAVerifiedCopy) {
  for (int i = 0; i < 20; ++i) ASSERT_THAT(Put("case:" + std::to_string(i % 4), "e"), IsOk());
  auto keys = OpenKeyStore(dir_.Sub("keys"));
  ASSERT_THAT(keys, IsOk());
  ASSERT_THAT((*keys)->Put("subject-key", "wrapped"), IsOk());
  Head at_backup = log_->GetHead();
  ASSERT_THAT(CreateBackup(*log_, **keys, dir_.Sub("backup")), IsOk());
  ASSERT_THAT(Put("case:later", "e"), IsOk());

  auto report = RestoreBackup(dir_.Sub("backup"), dir_.Sub("restored"), Options().signing_seed);
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->ok);
  EXPECT_EQ(report->events, at_backup.position.value());
  LogOptions restored = Options();
  restored.path = dir_.Sub("restored/log");
  auto log = OpenRocksLog(restored);
  ASSERT_THAT(log, IsOk());
  EXPECT_EQ((*log)->GetHead().hash, at_backup.hash);
  EXPECT_EQ(*(*log)->CurrentVersion(StreamId("case:later")), StreamVersion(0));
  auto restored_keys = OpenKeyStore(dir_.Sub("restored/keys"));
  EXPECT_EQ(*(*restored_keys)->Get("subject-key"), "wrapped");
  // Restoring over an existing store is refused rather than overwriting it.
  EXPECT_THAT(RestoreBackup(dir_.Sub("backup"), dir_.Sub("restored"), Options().signing_seed),
              StatusIs(StatusCode::kAlreadyExists));
}

TEST(KeyFileTest, WritesReadsAndRefusesToOverwrite) {
  testing::TempDir dir;
  ASSERT_THAT(WriteNewKeyFile(dir.Sub("k")), IsOk());
  auto key = ReadKeyFile(dir.Sub("k"));
  ASSERT_THAT(key, IsOk());
  EXPECT_NE(*key, KeyBytes{});
  EXPECT_THAT(WriteNewKeyFile(dir.Sub("k")), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(ReadKeyFile(dir.Sub("missing")), StatusIs(StatusCode::kNotFound));
  EXPECT_NE(DeriveSubkey(*key, 1, "ckptsign"), DeriveSubkey(*key, 2, "ckptsign"));
}


// ---- the head must agree with the stored log -------------------------------------------------

namespace integrity {

void SetRawHead(const std::string& path, const std::optional<std::string>& value) {
  ASSERT_TRUE(testing::EditRawHead(path, [&](const std::optional<std::string>&) { return value; }));
}

}  // namespace integrity

TEST_F(RocksLogTest, OpenRefusesAHeadThatCannotBeDecoded) {
  for (int i = 0; i < 3; ++i) ASSERT_THAT(Put("case:A", "e"), IsOk());
  log_.reset();
  integrity::SetRawHead(dir_.Sub("log"), std::string("short"));
  auto r = OpenRocksLog(Options());
  ASSERT_THAT(r, StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(std::string(r.status().message()), ::testing::HasSubstr("position 3"));
}

TEST_F(RocksLogTest, OpenRefusesAHeadBehindTheStoredLogAndOverwritesNothing) {
  for (int i = 0; i < 3; ++i) ASSERT_THAT(Put("case:A", "e"), IsOk());
  const Head real = log_->GetHead();
  log_.reset();
  std::string stale;
  internal::PutBigEndian64(&stale, 1);  // names position 1 while 3 are stored
  stale.append(reinterpret_cast<const char*>(real.hash.data()), 32);
  integrity::SetRawHead(dir_.Sub("log"), stale);
  auto r = OpenRocksLog(Options());
  ASSERT_THAT(r, StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(std::string(r.status().message()), ::testing::HasSubstr("names position 1"));
  EXPECT_THAT(std::string(r.status().message()), ::testing::HasSubstr("position 3"));
  // Put the true head back: every record is still there, unchanged.
  std::string good;
  internal::PutBigEndian64(&good, 3);
  good.append(reinterpret_cast<const char*>(real.hash.data()), 32);
  integrity::SetRawHead(dir_.Sub("log"), good);
  Open();
  auto report = log_->Verify(nullptr);
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->ok);
  EXPECT_EQ(report->events, 3u);
}

TEST_F(RocksLogTest, OpenRefusesAMissingHeadOrAHeadWithAnotherHash) {
  for (int i = 0; i < 2; ++i) ASSERT_THAT(Put("case:A", "e"), IsOk());
  log_.reset();
  integrity::SetRawHead(dir_.Sub("log"), std::nullopt);
  EXPECT_THAT(OpenRocksLog(Options()), StatusIs(StatusCode::kDataLoss));
  std::string forged;
  internal::PutBigEndian64(&forged, 2);
  forged.append(32, '\x5a');
  integrity::SetRawHead(dir_.Sub("log"), forged);
  auto r = OpenRocksLog(Options());
  ASSERT_THAT(r, StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(std::string(r.status().message()), ::testing::HasSubstr("hash"));
}

// ---- subscriptions never stop on a failed read ---------------------------------------------

TEST_F(RocksLogTest, ASubscriptionRetriesFailedReadsAndReportsThem) {
  std::mutex mu;
  std::vector<uint64_t> seen;
  TEST_ArmFault("subscription-read", 1000000);  // every read fails until disarmed
  auto sub = log_->Subscribe(Position(1), [&](const RecordedEvent& e) {
    std::lock_guard lock(mu);
    seen.push_back(e.position.value());
  });
  for (int i = 0; i < 5; ++i) ASSERT_THAT(Put("case:A", "e"), IsOk());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (sub->Health().failures < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  SubscriptionHealth failing = sub->Health();
  EXPECT_GE(failing.failures, 2u);
  EXPECT_THAT(failing.last_error, ::testing::HasSubstr("injected"));
  EXPECT_EQ(failing.delivered, 0u);

  TEST_ArmFault("subscription-read", 0);
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (sub->Health().delivered < 5 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  SubscriptionHealth healthy = sub->Health();
  EXPECT_EQ(healthy.delivered, 5u);
  EXPECT_EQ(healthy.failures, 0u);
  EXPECT_TRUE(healthy.last_error.empty());
  std::lock_guard lock(mu);
  EXPECT_EQ(seen, (std::vector<uint64_t>{1, 2, 3, 4, 5}));  // no gap, no repeat
}

}  // namespace
}  // namespace casetrail::storage
