// Person keys shared between casetrail nodes through the key ring (storage/jetstream/key_ring.h),
// end to end: three real nats-server processes, two `casetrail serve --log nats://…` processes on
// loopback with the same master key. A person registered through the writer is read, name and
// all, on the reading node; erased through the writer, the reading node answers the subject as
// erased, and a byte search of both casetrail data directories and every nats store finds neither
// the person's data key nor the KEK that wrapped it. A third node that joins after the erasure,
// with the KEK imported from a peer, reads the remaining person.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "engine/sealing.h"
#include "storage/base/status_matchers.h"
#include "storage/jetstream/key_ring.h"
#include "tests/support/cli_runner.h"
#include "tests/support/http_client.h"
#include "tests/support/nats_cluster.h"
#include "tests/support/referral_over_http.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

constexpr const char* kStream = "KEYS_E2E";

template <typename A>
std::string Bytes(const A& k) {
  return std::string(reinterpret_cast<const char*>(k.data()), k.size());
}

// Every file under the roots holding `needle`, as paths.
std::vector<std::string> FilesHolding(const std::vector<std::string>& roots, const std::string& needle) {
  std::vector<std::string> out;
  for (const auto& root : roots) {
    if (!std::filesystem::exists(root)) continue;
    for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::string all((std::istreambuf_iterator<char>(in)), {});
      if (all.find(needle) != std::string::npos) out.push_back(e.path().string());
    }
  }
  return out;
}

// GET `path` on `port` as `token` until `done` holds for the answer (or 20 s pass).
HttpResponse GetUntil(uint16_t port, const std::string& path, const std::string& token,
                      const std::function<bool(const HttpResponse&)>& done) {
  HttpResponse r;
  for (int i = 0; i < 200; ++i) {
    r = Http(port, "GET", path, token);
    if (done(r)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return r;
}

bool NamesSubject(const HttpResponse& r, const std::string& name) {
  if (r.status != 200) return false;
  const auto* subject = r.Json().as_object().if_contains("subject");
  const auto* n = subject && subject->is_object() ? subject->as_object().if_contains("name") : nullptr;
  return n && n->is_string() && n->as_string() == name;
}

bool ShowsErased(const HttpResponse& r) {
  if (r.status != 200) return false;
  const auto* subject = r.Json().as_object().if_contains("subject");
  const auto* e = subject && subject->is_object() ? subject->as_object().if_contains("erased") : nullptr;
  return e && e->is_bool() && e->as_bool();
}

TEST(JetStreamKeysE2ETest, APersonRegisteredOnOneNodeIsReadOnAnotherAndErasedFromEveryDisk) {
  NatsCluster cluster;
  ASSERT_TRUE(cluster.Start());
  std::string urls;
  for (const auto& u : cluster.Urls()) urls += (urls.empty() ? "" : ",") + u;
  // Three nodes with one master key: a writes, b and c read.
  TempDir dir_a, dir_b, dir_c, dir_probe;
  ServerProcess a(dir_a);
  for (auto* d : {&dir_b, &dir_c}) std::filesystem::copy_file(dir_a.Sub("master.key"), d->Sub("master.key"));
  ServerProcess b(dir_b), c(dir_c);
  auto log_args = [&](const std::string& node) {
    return std::vector<std::string>{"--log", urls, "--nats-stream", kStream, "--node-id", node};
  };
  auto kek_flags = [&](const TempDir& d, ServerProcess& s) {
    return " --data " + s.data_dir() + " --master-key " + d.Sub("master.key") + " --log " + urls +
           " --nats-stream " + kStream;
  };
  a.SetExtraArgs(log_args("a"));
  ASSERT_TRUE(a.Start());
  const ReferredCase gone = ReferOverHttp(a.port(), "19800101-0001", "Borta Bortasson");
  const ReferredCase kept = ReferOverHttp(a.port(), "19121212-1212", "Tolvan Tolvansson");
  ASSERT_FALSE(gone.subject_id.empty());
  ASSERT_FALSE(kept.subject_id.empty());

  // A node without the KEK refuses to start, and says how to get it.
  std::filesystem::create_directories(b.data_dir());
  auto refused = Cli(dir_b, "serve --users " + dir_b.Sub("users.json") + " --listen 127.0.0.1:0 --node-id b" +
                                kek_flags(dir_b, b), 60);
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_THAT(refused.err, ::testing::HasSubstr("kek import"));

  // The KEK from the running writer, piped into the new node (ssh between machines).
  auto imported = Cli(dir_b, "kek export" + kek_flags(dir_a, a) + " | " + CASETRAIL_BIN + " kek import" + kek_flags(dir_b, b));
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_THAT(imported.out, ::testing::HasSubstr("imported the KEK of epoch 0"));
  b.SetExtraArgs(log_args("b"));
  ASSERT_TRUE(b.Start());

  // The reading node opens the person's sealed data (its read record goes through the writer).
  auto read = GetUntil(b.port(), "/v1/cases/" + gone.case_id, TokenOf("C-1"),
                       [](const HttpResponse& r) { return NamesSubject(r, "Borta Bortasson"); });
  EXPECT_TRUE(NamesSubject(read, "Borta Bortasson")) << read.status << " " << read.body;
  // It writes no key: a registration there is refused, naming the writer.
  auto registered = Http(b.port(), "POST", "/v1/subjects", TokenOf("A-J1"),
                         R"({"personal_number":"19850505-1238","name":"Komma Citat"})");
  EXPECT_EQ(registered.status, 503) << registered.body;

  // The person's data key, as the ring holds it before the erasure (a probe node with the KEK),
  // and the KEK that wraps it now.
  auto master = storage::ReadKeyFile(dir_a.Sub("master.key"));
  ASSERT_THAT(master, IsOk());
  auto exported = Cli(dir_a, "kek export" + kek_flags(dir_a, a));
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  auto kek = storage::OpenKekExport(*master, std::string(kStream) + "_KEYS", exported.out);
  ASSERT_THAT(kek, IsOk());
  storage::KeyRingOptions probe_options;
  probe_options.nats.servers = cluster.Urls();
  probe_options.stream = std::string(kStream) + "_KEYS";
  probe_options.local_path = dir_probe.Sub("kek");
  probe_options.follow_interval = std::chrono::milliseconds(0);
  auto probe = storage::KeyRing::Open(probe_options, *kek);
  ASSERT_THAT(probe, IsOk());
  auto wrapped = (*probe)->Get("key:" + gone.subject_id);
  ASSERT_THAT(wrapped, IsOk());
  engine::MasterKey master_key;
  master_key.bytes = *master;
  auto data_key = engine::UnwrapDataKey(master_key, SubjectId(gone.subject_id), *wrapped);
  ASSERT_THAT(data_key, IsOk());
  const std::string key_bytes = Bytes(data_key->bytes);
  const std::string kek_bytes = Bytes(kek->second);

  // Erasure through the writer; the reading node answers the subject as erased.
  auto erased = Http(a.port(), "POST", "/v1/subjects/" + gone.subject_id + "/erasure", TokenOf("C-1"),
                     R"({"legal_basis":"art17_1a","reference":"dnr-2025-1"})");
  ASSERT_EQ(erased.status, 200) << erased.body;
  auto on_b = GetUntil(b.port(), "/v1/cases/" + gone.case_id, TokenOf("C-1"), ShowsErased);
  EXPECT_TRUE(ShowsErased(on_b)) << on_b.status << " " << on_b.body;
  EXPECT_TRUE(NamesSubject(Http(b.port(), "GET", "/v1/cases/" + kept.case_id, TokenOf("C-1")), "Tolvan Tolvansson"));
  ASSERT_THAT((*probe)->CatchUp(), IsOk());
  EXPECT_EQ((*probe)->epoch(), kek->first + 1);
  EXPECT_THAT((*probe)->Get("key:" + gone.subject_id), StatusIs(StatusCode::kNotFound));

  // A third node joins after the erasure with the KEK from a peer: it reads the remaining person.
  std::filesystem::create_directories(c.data_dir());
  auto imported_c = Cli(dir_c, "kek export" + kek_flags(dir_b, b) + " | " + CASETRAIL_BIN + " kek import" + kek_flags(dir_c, c));
  ASSERT_EQ(imported_c.exit_code, 0) << imported_c.err;
  c.SetExtraArgs(log_args("c"));
  ASSERT_TRUE(c.Start());
  auto on_c = GetUntil(c.port(), "/v1/cases/" + kept.case_id, TokenOf("C-1"),
                       [](const HttpResponse& r) { return NamesSubject(r, "Tolvan Tolvansson"); });
  EXPECT_TRUE(NamesSubject(on_c, "Tolvan Tolvansson")) << on_c.status << " " << on_c.body;
  EXPECT_TRUE(ShowsErased(Http(c.port(), "GET", "/v1/cases/" + gone.case_id, TokenOf("C-1"))));

  // The byte search: every casetrail node's data (log index, local KEK store), the probe's, and
  // every nats-server's store (stream files and raft logs). The reading nodes destroy the old KEK
  // as their follower applies the rotation (every 250 ms): give them a few seconds.
  std::vector<std::string> roots = {a.data_dir(), b.data_dir(), c.data_dir(), dir_probe.path()};
  for (int i = 0; i < cluster.size(); ++i) roots.push_back(cluster.StoreDir(i));
  for (int i = 0; i < 100 && !FilesHolding(roots, kek_bytes).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_THAT(FilesHolding(roots, kek_bytes), ::testing::IsEmpty()) << "the KEK that wrapped the erased key";
  EXPECT_THAT(FilesHolding(roots, key_bytes), ::testing::IsEmpty()) << "the erased person's data key";
  // The search finds what is there: the current KEK, in each node's local store only.
  auto current = storage::OpenKekExport(*master, std::string(kStream) + "_KEYS", Cli(dir_a, "kek export" + kek_flags(dir_a, a)).out);
  ASSERT_THAT(current, IsOk());
  EXPECT_EQ(current->first, kek->first + 1);
  for (auto* s : {&a, &b, &c}) {
    EXPECT_THAT(FilesHolding({s->data_dir() + "/kek"}, Bytes(current->second)), ::testing::Not(::testing::IsEmpty()));
  }
  std::vector<std::string> nats_stores;
  for (int i = 0; i < cluster.size(); ++i) nats_stores.push_back(cluster.StoreDir(i));
  EXPECT_THAT(FilesHolding(nats_stores, Bytes(current->second)), ::testing::IsEmpty());
  probe->reset();
  for (auto* s : {&c, &b, &a}) EXPECT_EQ(s->Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace casetrail::testing
