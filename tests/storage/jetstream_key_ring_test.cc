// Per-person keys shared through JetStream stay erasable: after an erasure neither the person's key
// nor any KEK that could open its wrapped copy is anywhere on disk — not in any nats-server's
// store (stream files, raft logs), not in any casetrail node's local key store, including a node
// that was down during the erasure and a nats node that was down and caught up afterwards.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sodium.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "storage/base/status_matchers.h"
#include "storage/jetstream/key_ring.h"
#include "storage/jetstream/nats_util.h"
#include "tests/support/nats_cluster.h"
#include "tests/support/temp_dir.h"

namespace casetrail::storage {
namespace {

using casetrail::testing::NatsCluster;
using casetrail::testing::TempDir;

std::string Bytes(const KeyBytes& k) { return std::string(reinterpret_cast<const char*>(k.data()), k.size()); }

KeyBytes RandomKey() {
  KeyBytes k;
  randombytes_buf(k.data(), k.size());
  return k;
}

// Every file under `root` holding `needle`, as paths.
std::vector<std::string> FilesHolding(const std::string& root, const std::string& needle) {
  std::vector<std::string> out;
  if (!std::filesystem::exists(root)) return out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(in)), {});
    if (all.find(needle) != std::string::npos) out.push_back(e.path().string());
  }
  return out;
}

TEST(JetStreamKeyRingTest, AnErasedPersonsKeyAndEveryKekThatOpenedItAreGoneFromEveryDisk) {
  ASSERT_GE(sodium_init(), 0);
  NatsCluster cluster;
  ASSERT_TRUE(cluster.Start());
  TempDir dir;
  auto options = [&](const std::string& node) {
    KeyRingOptions o;
    o.nats.servers = cluster.Urls();
    o.stream = "KEYS_TEST";
    o.local_path = dir.Sub(node + "/keys");
    return o;
  };
  const KeyBytes kek0 = RandomKey();
  auto a = KeyRing::Open(options("a"), std::make_pair(uint64_t{0}, kek0));
  ASSERT_THAT(a, IsOk());
  auto b = KeyRing::Open(options("b"), (*a)->ExportKek());  // over an authenticated channel in production
  ASSERT_THAT(b, IsOk());
  std::map<std::string, KeyBytes> keys;
  for (int i = 1; i <= 5; ++i) {
    keys["S-" + std::to_string(i)] = RandomKey();
    ASSERT_THAT((*a)->Put("key:S-" + std::to_string(i), Bytes(keys["S-" + std::to_string(i)])), IsOk());
  }
  ASSERT_THAT((*b)->CatchUp(), IsOk());
  auto on_b = (*b)->Get("key:S-3");
  ASSERT_THAT(on_b, IsOk());
  EXPECT_EQ(*on_b, Bytes(keys["S-3"]));
  // The wrapped put of S-3 as JetStream holds it (the ring's third message), for the end.
  std::string put_of_s3;
  {
    auto conn = jetstream::NatsConnection::Connect(options("a").nats);
    ASSERT_THAT(conn, IsOk());
    natsMsg* raw = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    ASSERT_EQ(js_GetMsg(&raw, (*conn)->js(), "KEYS_TEST", 3, nullptr, &code), NATS_OK);
    put_of_s3.assign(natsMsg_GetData(raw), natsMsg_GetDataLength(raw));
    natsMsg_Destroy(raw);
  }

  // Node b and one nats node are down during the erasure.
  b->reset();
  const int down = 2;
  cluster.Kill(down);
  ASSERT_THAT((*a)->Shred({"key:S-3"}), IsOk());
  EXPECT_EQ((*a)->epoch(), 1u);
  EXPECT_THAT((*a)->Get("key:S-3"), StatusIs(StatusCode::kNotFound));
  auto kept = (*a)->Get("key:S-1");
  ASSERT_THAT(kept, IsOk());
  EXPECT_EQ(*kept, Bytes(keys["S-1"]));
  ASSERT_TRUE(cluster.StartNode(down));
  ASSERT_TRUE(cluster.WaitReady(down));
  for (int i = 0; i < 600 && !cluster.ReplicaCurrent("KEYS_TEST", down); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(cluster.ReplicaCurrent("KEYS_TEST", down));

  // b comes back: it derives KEK(1) from KEK(0) and destroys KEK(0).
  auto b2 = KeyRing::Open(options("b"));
  ASSERT_THAT(b2, IsOk());
  EXPECT_EQ((*b2)->epoch(), 1u);
  EXPECT_THAT((*b2)->Get("key:S-3"), StatusIs(StatusCode::kNotFound));
  auto on_b2 = (*b2)->Get("key:S-4");
  ASSERT_THAT(on_b2, IsOk());
  EXPECT_EQ(*on_b2, Bytes(keys["S-4"]));
  // A new node receives the current KEK from a peer and reads the remaining keys.
  auto c = KeyRing::Open(options("c"), (*a)->ExportKek());
  ASSERT_THAT(c, IsOk());
  auto on_c = (*c)->Get("key:S-5");
  ASSERT_THAT(on_c, IsOk());
  EXPECT_EQ(*on_c, Bytes(keys["S-5"]));
  EXPECT_THAT((*c)->Get("key:S-3"), StatusIs(StatusCode::kNotFound));
  const KeyBytes kek1 = (*a)->ExportKek().second;

  // The byte search, with the stores as they are on disk (nats-server keeps running).
  std::vector<std::string> roots = {dir.Sub("a"), dir.Sub("b"), dir.Sub("c")};
  for (int i = 0; i < cluster.size(); ++i) roots.push_back(cluster.StoreDir(i));
  for (const auto& root : roots) {
    EXPECT_THAT(FilesHolding(root, Bytes(keys["S-3"])), ::testing::IsEmpty()) << "the erased key in " << root;
    EXPECT_THAT(FilesHolding(root, Bytes(kek0)), ::testing::IsEmpty()) << "KEK(0) in " << root;
    // No person key ever reaches a disk in clear.
    EXPECT_THAT(FilesHolding(root, Bytes(keys["S-1"])), ::testing::IsEmpty()) << "a person key in clear in " << root;
  }
  // The search finds what is there: the current KEK in each node's local store, never in NATS.
  for (const char* node : {"a", "b", "c"}) EXPECT_THAT(FilesHolding(dir.Sub(node), Bytes(kek1)), ::testing::Not(::testing::IsEmpty()));
  for (int i = 0; i < cluster.size(); ++i) EXPECT_THAT(FilesHolding(cluster.StoreDir(i), Bytes(kek1)), ::testing::IsEmpty());
  // And the erased subject's sealed put is still in the stream (JetStream never forgets), on
  // every node including the one that was down: what makes it unreadable is the KEKs' absence.
  // Entry names are sealed too: not even the erased entry's name is in clear.
  for (int i = 0; i < cluster.size(); ++i) {
    EXPECT_THAT(FilesHolding(cluster.StoreDir(i), put_of_s3), ::testing::Not(::testing::IsEmpty())) << "node " << i;
    EXPECT_THAT(FilesHolding(cluster.StoreDir(i), "key:S-3"), ::testing::IsEmpty()) << "node " << i;
  }
}

// The KEK hand-over (`kek export | kek import`) is authenticated by the master key: an export
// opens only under the same master key and for the same ring, and a changed byte is refused.
TEST(JetStreamKeyRingTest, AnExportedKekOpensOnlyUnderTheSameMasterKeyAndRing) {
  ASSERT_GE(sodium_init(), 0);
  const KeyBytes master = RandomKey();
  const Kek kek{7, RandomKey()};
  const std::string text = SealKekExport(master, "CASETRAIL_LOG_KEYS", kek);
  EXPECT_EQ(text.find(Bytes(kek.second)), std::string::npos);
  auto opened = OpenKekExport(master, "CASETRAIL_LOG_KEYS", text + "\n");
  ASSERT_THAT(opened, IsOk());
  EXPECT_EQ(opened->first, 7u);
  EXPECT_EQ(opened->second, kek.second);
  EXPECT_THAT(OpenKekExport(RandomKey(), "CASETRAIL_LOG_KEYS", text), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(OpenKekExport(master, "OTHER_KEYS", text), StatusIs(StatusCode::kPermissionDenied));
  std::string changed = text;
  changed.back() = changed.back() == '0' ? '1' : '0';
  EXPECT_THAT(OpenKekExport(master, "CASETRAIL_LOG_KEYS", changed), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(OpenKekExport(master, "CASETRAIL_LOG_KEYS", "not an export"), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace casetrail::storage
