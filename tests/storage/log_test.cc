// The Log contract, run against every implementation: RocksDB on a real temporary directory and
// the in-memory fake (storage_tests), and JetStream on three real nats-server processes
// (jetstream_log_tests compiles this file again with CASETRAIL_LOG_TEST_JETSTREAM).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "storage/base/status_matchers.h"
#include "storage/mem_log.h"
#include "storage/rocksdb_log.h"
#include "tests/support/temp_dir.h"
#ifdef CASETRAIL_LOG_TEST_JETSTREAM
#include "storage/jetstream/jetstream_log.h"
#include "tests/support/nats_cluster.h"
#endif

namespace casetrail::storage {
namespace {

using ::testing::ElementsAre;

enum class Impl { kRocks, kMem, kJetStream };

class LogTest : public ::testing::TestWithParam<Impl> {
 protected:
  void SetUp() override {
    if (GetParam() == Impl::kMem) {
      log_ = NewMemLog();
    } else if (GetParam() == Impl::kJetStream) {
#ifdef CASETRAIL_LOG_TEST_JETSTREAM
      // One stream (and lease bucket) per test on the binary's shared cluster.
      auto& cluster = casetrail::testing::SharedNatsCluster();
      JetStreamLogOptions o;
      o.nats.servers = cluster.Urls();
      o.stream = cluster.NewStreamName("LOGTEST");
      o.node_id = "node-1";
      o.index.path = dir_.Sub("index");
      auto r = OpenJetStreamLog(o);
      ASSERT_THAT(r, IsOk());
      log_ = std::move(r).value();
#endif
    } else {
      LogOptions o;
      o.path = dir_.Sub("log");
      auto r = OpenRocksLog(o);
      ASSERT_THAT(r, IsOk());
      log_ = std::move(r).value();
    }
  }

  Result<AppendResult> Put(const std::string& stream, ExpectedVersion expected,
                           std::vector<std::string> types) {
    AppendRequest req;
    req.writes.push_back({StreamId(stream), expected, {}});
    for (auto& t : types) req.writes[0].events.push_back({t, "data:" + t});
    return log_->Append(req);
  }

  std::vector<std::string> Types(const std::string& stream) {
    auto r = log_->ReadStream(StreamId(stream), StreamVersion(1), Direction::kForward, 1000);
    EXPECT_THAT(r, IsOk());
    std::vector<std::string> out;
    for (auto& e : *r) out.push_back(e.type);
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<Log> log_;
};

TEST_P(LogTest, AppendsAndReadsAStreamBothWays) {
  auto r = Put("case:A", ExpectedVersion::NoStream(), {"a", "b", "c"});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->first_position, Position(1));
  EXPECT_EQ(r->last_position, Position(3));
  EXPECT_THAT(r->stream_versions, ElementsAre(StreamVersion(3)));
  EXPECT_THAT(Types("case:A"), ElementsAre("a", "b", "c"));

  auto back = log_->ReadStream(StreamId("case:A"), StreamVersion(0), Direction::kBackward, 2);
  ASSERT_THAT(back, IsOk());
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].type, "c");
  EXPECT_EQ((*back)[1].version, StreamVersion(2));
  EXPECT_EQ((*back)[0].data, "data:c");

  auto from2 = log_->ReadStream(StreamId("case:A"), StreamVersion(2), Direction::kForward, 10);
  ASSERT_EQ(from2->size(), 2u);
  EXPECT_EQ((*from2)[0].type, "b");
  EXPECT_TRUE(log_->ReadStream(StreamId("case:none"), StreamVersion(1), Direction::kForward, 10)->empty());
}

TEST_P(LogTest, StreamsDoNotBleedIntoEachOther) {
  ASSERT_THAT(Put("case:A", ExpectedVersion::Any(), {"a1"}), IsOk());
  ASSERT_THAT(Put("case:AB", ExpectedVersion::Any(), {"ab1"}), IsOk());
  ASSERT_THAT(Put("case:A", ExpectedVersion::Any(), {"a2"}), IsOk());
  EXPECT_THAT(Types("case:A"), ElementsAre("a1", "a2"));
  EXPECT_THAT(Types("case:AB"), ElementsAre("ab1"));
  EXPECT_EQ(*log_->CurrentVersion(StreamId("case:A")), StreamVersion(2));
  EXPECT_EQ(*log_->CurrentVersion(StreamId("case:none")), StreamVersion(0));
}

TEST_P(LogTest, ExpectedVersionIsEnforced) {
  ASSERT_THAT(Put("s", ExpectedVersion::NoStream(), {"a"}), IsOk());
  auto again = Put("s", ExpectedVersion::NoStream(), {"b"});
  EXPECT_THAT(again, StatusIs(StatusCode::kAborted));
  EXPECT_EQ(again.status().Get("current_version"), "1");
  EXPECT_THAT(Put("s", ExpectedVersion::Exact(0), {"b"}), StatusIs(StatusCode::kAborted));
  auto stale = Put("s", ExpectedVersion::Exact(5), {"b"});
  EXPECT_THAT(stale, StatusIs(StatusCode::kAborted));
  EXPECT_EQ(stale.status().Get("stream"), "s");
  ASSERT_THAT(Put("s", ExpectedVersion::Exact(1), {"b"}), IsOk());
  ASSERT_THAT(Put("s", ExpectedVersion::Any(), {"c"}), IsOk());
  EXPECT_THAT(Types("s"), ElementsAre("a", "b", "c"));
  EXPECT_EQ(log_->GetHead().position, Position(3));
}

TEST_P(LogTest, MultiStreamAppendIsAllOrNothing) {
  ASSERT_THAT(Put("consent:S1", ExpectedVersion::Any(), {"granted"}), IsOk());
  AppendRequest req;
  req.writes.push_back({StreamId("consent:S1"), ExpectedVersion::Exact(1), {{"withdrawn", ""}}});
  req.writes.push_back({StreamId("case:C1"), ExpectedVersion::Exact(7), {{"closed", ""}}});
  EXPECT_THAT(log_->Append(req), StatusIs(StatusCode::kAborted));
  EXPECT_THAT(Types("consent:S1"), ElementsAre("granted"));
  EXPECT_EQ(log_->GetHead().position, Position(1));

  req.writes[1].expected = ExpectedVersion::Any();
  auto ok = log_->Append(req);
  ASSERT_THAT(ok, IsOk());
  EXPECT_THAT(ok->stream_versions, ElementsAre(StreamVersion(2), StreamVersion(1)));
  EXPECT_THAT(Types("case:C1"), ElementsAre("closed"));
}

TEST_P(LogTest, ConditionsOnOtherStreamsAreChecked) {
  ASSERT_THAT(Put("consent:S1", ExpectedVersion::Any(), {"granted"}), IsOk());
  AppendRequest req;
  req.writes.push_back({StreamId("case:C1"), ExpectedVersion::Any(), {{"booked", ""}}});
  req.conditions.push_back({StreamId("consent:S1"), StreamVersion(1)});
  ASSERT_THAT(log_->Append(req), IsOk());
  ASSERT_THAT(Put("consent:S1", ExpectedVersion::Any(), {"withdrawn"}), IsOk());
  auto refused = log_->Append(req);
  EXPECT_THAT(refused, StatusIs(StatusCode::kAborted));
  EXPECT_EQ(refused.status().Get("stream"), "consent:S1");
  EXPECT_THAT(Types("case:C1"), ElementsAre("booked"));
}

TEST_P(LogTest, IdempotentRepeatReturnsFirstResultAndWritesNothing) {
  AppendRequest req;
  req.writes.push_back({StreamId("case:C1"), ExpectedVersion::Any(), {{"referred", ""}}});
  req.idempotency_key = "key-1";
  req.idempotency_fingerprint = "fp-1";
  auto first = log_->Append(req);
  ASSERT_THAT(first, IsOk());
  EXPECT_FALSE(first->deduplicated);
  auto repeat = log_->Append(req);
  ASSERT_THAT(repeat, IsOk());
  EXPECT_TRUE(repeat->deduplicated);
  EXPECT_EQ(repeat->first_position, first->first_position);
  EXPECT_EQ(repeat->stream_versions, first->stream_versions);
  EXPECT_EQ(log_->GetHead().position, Position(1));

  req.idempotency_fingerprint = "fp-other";
  EXPECT_THAT(log_->Append(req), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_EQ(log_->GetHead().position, Position(1));
}

TEST_P(LogTest, MalformedRequestsAreRefused) {
  AppendRequest empty;
  EXPECT_THAT(log_->Append(empty), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Put("", ExpectedVersion::Any(), {"a"}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Put(std::string("a\0b", 3), ExpectedVersion::Any(), {"a"}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Put("s", ExpectedVersion::Any(), {}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Put("s", ExpectedVersion::Any(), {""}), StatusIs(StatusCode::kInvalidArgument));
  AppendRequest twice;
  twice.writes.push_back({StreamId("s"), ExpectedVersion::Any(), {{"a", ""}}});
  twice.writes.push_back({StreamId("s"), ExpectedVersion::Any(), {{"b", ""}}});
  EXPECT_THAT(log_->Append(twice), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(log_->GetHead().position, Position(0));
}

TEST_P(LogTest, GlobalReadAndHashChainLinkRecords) {
  ASSERT_THAT(Put("a", ExpectedVersion::Any(), {"1", "2"}), IsOk());
  ASSERT_THAT(Put("b", ExpectedVersion::Any(), {"3"}), IsOk());
  auto all = log_->ReadAll(Position(1), 100);
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[2].stream, StreamId("b"));
  EXPECT_EQ((*all)[0].prev_hash, Hash{});
  EXPECT_EQ((*all)[1].prev_hash, (*all)[0].hash);
  EXPECT_EQ((*all)[2].prev_hash, (*all)[1].hash);
  EXPECT_NE((*all)[1].hash, (*all)[2].hash);
  EXPECT_EQ(log_->GetHead().hash, (*all)[2].hash);
  auto tail = log_->ReadAll(Position(3), 100);
  ASSERT_EQ(tail->size(), 1u);
  EXPECT_EQ((*tail)[0].position, Position(3));
  auto report = log_->Verify(nullptr);
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->events, 3u);
}

TEST_P(LogTest, SnapshotsReturnTheLatestAtOrBeforeAVersion) {
  ASSERT_THAT(log_->PutSnapshot(StreamId("case:A"), StreamVersion(10), "s10"), IsOk());
  ASSERT_THAT(log_->PutSnapshot(StreamId("case:A"), StreamVersion(20), "s20"), IsOk());
  ASSERT_THAT(log_->PutSnapshot(StreamId("case:AB"), StreamVersion(5), "other"), IsOk());
  EXPECT_FALSE(log_->LatestSnapshot(StreamId("case:A"), StreamVersion(9))->has_value());
  EXPECT_EQ((*log_->LatestSnapshot(StreamId("case:A"), StreamVersion(15)))->data, "s10");
  EXPECT_EQ((*log_->LatestSnapshot(StreamId("case:A"), StreamVersion(99)))->version, StreamVersion(20));
  EXPECT_FALSE(log_->LatestSnapshot(StreamId("case:B"), StreamVersion(99))->has_value());
}

TEST_P(LogTest, SubscriptionCatchesUpThenGoesLiveWithoutGapsOrDuplicates) {
  for (int i = 0; i < 50; ++i) ASSERT_THAT(Put("h" + std::to_string(i % 5), ExpectedVersion::Any(), {"e"}), IsOk());
  std::mutex mu;
  std::vector<uint64_t> seen;
  auto sub = log_->Subscribe(Position(1), [&](const RecordedEvent& e) {
    std::lock_guard lock(mu);
    seen.push_back(e.position.value());
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) (void)Put("live" + std::to_string(t), ExpectedVersion::Any(), {"e"});
    });
  }
  for (auto& w : writers) w.join();
  for (int wait = 0; wait < 500; ++wait) {
    {
      std::lock_guard lock(mu);
      if (seen.size() >= 250) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  sub.reset();
  ASSERT_EQ(seen.size(), 250u);
  for (size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], i + 1);
}

TEST_P(LogTest, ConcurrentAppendersRaceAndExactlyOneWinsEachVersion) {
  constexpr int kThreads = 8, kVersions = 40;
  std::atomic<int> wins{0};
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<std::string> winners(kVersions + 1);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (;;) {
        uint64_t v = log_->CurrentVersion(StreamId("case:race"))->value();
        if (v >= kVersions) return;
        auto r = Put("case:race", ExpectedVersion::Exact(v), {"by-" + std::to_string(t)});
        if (r.ok()) {
          wins++;
          std::lock_guard lock(mu);
          EXPECT_TRUE(winners[v + 1].empty()) << "version " << v + 1 << " won twice";
          winners[v + 1] = "by-" + std::to_string(t);
        } else {
          EXPECT_THAT(r, StatusIs(StatusCode::kAborted));
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), kVersions);
  auto types = Types("case:race");
  ASSERT_EQ(types.size(), static_cast<size_t>(kVersions));
  for (int v = 1; v <= kVersions; ++v) EXPECT_EQ(types[v - 1], winners[v]);
}

#ifdef CASETRAIL_LOG_TEST_JETSTREAM
INSTANTIATE_TEST_SUITE_P(JetStream, LogTest, ::testing::Values(Impl::kJetStream),
                         [](const auto&) { return "JetStream"; });
#else
INSTANTIATE_TEST_SUITE_P(Both, LogTest, ::testing::Values(Impl::kRocks, Impl::kMem),
                         [](const auto& info) { return info.param == Impl::kRocks ? "Rocks" : "Mem"; });
#endif

}  // namespace
}  // namespace casetrail::storage

namespace casetrail::storage {
namespace {

TEST_P(LogTest, IdempotencyLookupFindsTheFirstResult) {
  AppendRequest req;
  req.writes.push_back({StreamId("case:C1"), ExpectedVersion::Any(), {{"referred", ""}}});
  req.idempotency_key = "k";
  req.idempotency_fingerprint = "fp";
  EXPECT_FALSE(log_->LookupIdempotency("k", "fp")->has_value());
  auto first = log_->Append(req);
  ASSERT_THAT(first, IsOk());
  auto found = log_->LookupIdempotency("k", "fp");
  ASSERT_THAT(found, IsOk());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->last_position, first->last_position);
  EXPECT_TRUE((*found)->deduplicated);
  EXPECT_THAT(log_->LookupIdempotency("k", "other"), StatusIs(StatusCode::kAlreadyExists));
}

}  // namespace
}  // namespace casetrail::storage
