// Side-by-side benchmark: casetrail embedded (its log on RocksDB, and on a three-node NATS
// JetStream cluster the benchmark starts on loopback), casetrail over HTTP, a PostgreSQL events table
// (Marten-style: events(seq bigserial, stream_id, version, type, data jsonb, recorded_at,
// unique(stream_id, version)) and a streams table), and a bare RocksDB batch loop, on the same
// machine and the same synthetic study-referral population.
//
//   peer_bench --pg "host=127.0.0.1 port=P dbname=bench user=postgres" [--cases N] [--dir DIR]
//              [--seconds S] [--report FILE]
//
// Writes a markdown report (table, ratios, conditions) to --report, and beside it an SVG chart and
// the rows as JSON.
// Run it through scripts/bench-peers, which starts and stops PostgreSQL.
#include <libpq-fe.h>
#include <rocksdb/db.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "tests/bench/bench_measure.h"
#include "tests/bench/bench_population.h"
#include "tests/bench/peer_report.h"
#include "engine/state_machine.h"
#include "replay/case_rebuild.h"
#include "replay/indicators.h"
#include "storage/jetstream/jetstream_log.h"
#include "storage/rocksdb_log.h"
#include "tests/support/http_client.h"
#include "tests/support/nats_cluster.h"
#include "tests/support/server_process.h"
#include "workflows/study_referral.h"

namespace {

using namespace casetrail;
using namespace casetrail::engine;
using namespace casetrail::bench;
namespace json = boost::json;

std::string Number(int n) { return bench::BenchNumber(n); }

long PeakRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}
std::pair<double, double> P50P99(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v[v.size() * 99 / 100]};
}

// ---- the population (tests/bench/bench_population.h) and casetrail embedded ----------------

using Casetrail = bench::PopulationEngine;

// The same engine with its log on JetStream (R3, three nats-server processes on loopback).
struct CasetrailJetStream : Casetrail {
  CasetrailJetStream(std::string d, testing::NatsCluster& cluster, const std::string& stream) : Casetrail(std::move(d)) {
    service.reset();
    log.reset();
    storage::JetStreamLogOptions o;
    o.nats.servers = cluster.Urls();
    o.stream = stream;
    o.node_id = "bench";
    o.index.path = dir + "/jetstream-index";
    log = std::move(storage::OpenJetStreamLog(o)).value();
    service = std::make_unique<CaseService>(log.get(), subject_keys.get(), &registry, &workflows::StudyReferralGuards(),
                                            &clock, workflows::kStudyReferral);
  }
};

// ---- PostgreSQL -----------------------------------------------------------------------------

struct Pg {
  PGconn* c = nullptr;
  explicit Pg(const std::string& conninfo) {
    c = PQconnectdb(conninfo.c_str());
    if (PQstatus(c) != CONNECTION_OK) {
      std::fprintf(stderr, "postgres: %s\n", PQerrorMessage(c));
      std::exit(2);
    }
  }
  ~Pg() { PQfinish(c); }
  void Exec(const std::string& sql) {
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
      std::fprintf(stderr, "postgres: %s\n", PQerrorMessage(c));
      std::exit(2);
    }
    PQclear(r);
  }
  // One event appended under an expected version, as an event store on PostgreSQL does it.
  bool Append(const std::string& stream, long expected, const std::string& type, const std::string& data) {
    const std::string ev = std::to_string(expected), next = std::to_string(expected + 1);
    Exec("BEGIN");
    const char* p1[] = {stream.c_str()};
    PGresult* r = PQexecParams(c, "SELECT version FROM streams WHERE stream_id = $1 FOR UPDATE", 1, nullptr, p1, nullptr, nullptr, 0);
    const long current = PQntuples(r) ? std::atol(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    if (current != expected) {
      Exec("ROLLBACK");
      return false;
    }
    const char* p2[] = {stream.c_str(), next.c_str()};
    PQclear(PQexecParams(c, "INSERT INTO streams(stream_id, version) VALUES ($1, $2) ON CONFLICT (stream_id) DO UPDATE SET version = $2",
                         2, nullptr, p2, nullptr, nullptr, 0));
    const char* p3[] = {stream.c_str(), next.c_str(), type.c_str(), data.c_str()};
    r = PQexecParams(c, "INSERT INTO events(stream_id, version, type, data, recorded_at) VALUES ($1, $2, $3, $4::jsonb, now())",
                     4, nullptr, p3, nullptr, nullptr, 0);
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    Exec(ok ? "COMMIT" : "ROLLBACK");
    return ok;
  }
};

const char* kSchema =
    "DROP TABLE IF EXISTS events; DROP TABLE IF EXISTS streams;"
    "CREATE TABLE streams(stream_id text PRIMARY KEY, version bigint NOT NULL);"
    "CREATE TABLE events(seq bigserial PRIMARY KEY, stream_id text NOT NULL, version bigint NOT NULL, type text NOT NULL,"
    " data jsonb NOT NULL, recorded_at timestamptz NOT NULL, UNIQUE(stream_id, version));";

// A case's events as PostgreSQL rows: the type and the facts as JSON (personal data sealed, as
// in casetrail, is left out: PostgreSQL would store it in clear or need its own encryption).
std::string FactsJson(const Fields& f) {
  json::object o;
  for (const auto& [k, v] : f) {
    std::visit([&](const auto& x) {
      using T = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<T, std::monostate>) o[k] = nullptr;
      else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
        json::array a;
        for (const auto& s : x) a.emplace_back(s);
        o[k] = std::move(a);
      } else o[k] = x;
    }, v);
  }
  return json::serialize(o);
}

// ---- bare RocksDB ---------------------------------------------------------------------------

struct BareRocks {
  rocksdb::DB* db = nullptr;
  std::string dir;
  explicit BareRocks(std::string d) : dir(std::move(d)) {
    std::filesystem::remove_all(dir);
    rocksdb::Options o;
    o.create_if_missing = true;
    rocksdb::DB::Open(o, dir, &db);
  }
  ~BareRocks() { delete db; }
};

// ---- measuring ------------------------------------------------------------------------------

template <typename F>
double Throughput(int writers, double seconds, F&& one) {  // operations/s
  std::atomic<bool> stop{false};
  std::atomic<long> done{0};
  std::vector<std::thread> threads;
  const auto t0 = Steady::now();
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      for (long i = 0; !stop; ++i) done += one(w, i);
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  return done / Seconds(t0);
}

}  // namespace

int main(int argc, char** argv) {
  int cases = 100000;
  double seconds = 5;
  std::string dir = "/tmp/casetrail-peer-bench", pg_conninfo, report = "peer-report.md";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--cases")) cases = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--seconds")) seconds = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
    else if (!std::strcmp(argv[i], "--pg")) pg_conninfo = argv[i + 1];
    else if (!std::strcmp(argv[i], "--report")) report = argv[i + 1];
  }
  if (pg_conninfo.empty()) {
    std::fprintf(stderr, "usage: peer_bench --pg CONNINFO [--cases N] [--seconds S] [--dir DIR] [--report FILE]\n");
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);
  std::filesystem::create_directories(dir);
  std::vector<Row> rows;
  testing::NatsCluster nats;
  if (!nats.Start()) {
    std::fprintf(stderr, "peer_bench: the NATS cluster did not start (nats-server missing?)\n");
    return 3;
  }
  const std::string event_json = R"({"slot":"2030-01-01T10:00:00Z","mode":"digital","attempt":1})";

  // 1. Durable appends/s at 1, 16, 64 writers.
  for (int writers : {1, 16, 64}) {
    Row row{"durable appends/s, " + std::to_string(writers) + " writer(s)", {}, "events/s"};
    {
      Casetrail ct(dir + "/appends");
      std::atomic<int> next{0};
      const long before = ct.log->Stats().events;
      const auto t0 = Steady::now();
      std::atomic<bool> stop{false};
      std::vector<std::thread> threads;
      for (int w = 0; w < writers; ++w) threads.emplace_back([&] { while (!stop) ct.Run(next++); });
      std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
      stop = true;
      for (auto& t : threads) t.join();
      row.value["casetrail"] = (ct.log->Stats().events - before) / Seconds(t0);
    }
    {
      CasetrailJetStream ct(dir + "/appends-js", nats, "PEER_W" + std::to_string(writers));
      std::atomic<int> next{0};
      const auto t0 = Steady::now();
      std::atomic<bool> stop{false};
      std::vector<std::thread> threads;
      for (int w = 0; w < writers; ++w) threads.emplace_back([&] { while (!stop) ct.Run(next++); });
      std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
      stop = true;
      for (auto& t : threads) t.join();
      row.value["casetrail JetStream"] = ct.log->Stats().events / Seconds(t0);
    }
    {
      testing::TempDir http_dir;
      testing::ServerProcess server(http_dir, "2025-03-03T09:00:00+01:00");
      if (!server.Start()) return 3;
      std::atomic<int> next{0};
      std::atomic<long> events{0};
      std::atomic<bool> stop{false};
      std::vector<std::thread> threads;
      const auto t0 = Steady::now();
      for (int w = 0; w < writers; ++w) {
        threads.emplace_back([&] {
          while (!stop) {
            const int n = next++;
            auto tok = testing::TokenOf("A-J1");
            auto s = testing::Http(server.port(), "POST", "/v1/subjects", tok,
                                   R"({"personal_number":")" + Number(n) + R"(","name":"Bench"})");
            const std::string subject = s.Str("subject_id");
            testing::Http(server.port(), "POST", "/v1/subjects/" + subject + "/consents", tok,
                          R"({"scopes":["transfer_referral","share_guidance","share_study_progress"],"method":"signed_form"})");
            auto c = testing::Http(server.port(), "POST", "/v1/cases", tok,
                                   R"({"subject_id":")" + subject + R"(","unit":"jarva","channel":"space","long_term_unemployed":true,"lacks_upper_secondary":true,"resident_stockholm":true,"rom_participant":false,"need_assessed":true})");
            auto b = testing::Http(server.port(), "POST", "/v1/cases/" + c.Str("case_id") + "/commands", testing::TokenOf("V-1"),
                                   R"({"command":"BookConversation","data":{"slot":"2030-01-01T10:00:00Z"}})");
            events += 4 + (b.status == 200);  // subject, consent, case + link, booking
          }
        });
      }
      std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
      stop = true;
      for (auto& t : threads) t.join();
      row.value["casetrail HTTP"] = events / Seconds(t0);
    }
    {
      std::vector<std::unique_ptr<Pg>> conns;
      for (int w = 0; w < writers; ++w) conns.push_back(std::make_unique<Pg>(pg_conninfo));
      conns[0]->Exec(kSchema);
      row.value["PostgreSQL"] = Throughput(writers, seconds, [&](int w, long i) {
        const std::string stream = "case:w" + std::to_string(w) + "-" + std::to_string(i / 10);
        return conns[w]->Append(stream, i % 10, "ConversationBooked", event_json) ? 1 : 0;
      });
    }
    {
      BareRocks bare(dir + "/bare");
      const std::string value(300, 'x');
      rocksdb::WriteOptions wo;
      wo.sync = true;
      row.value["bare RocksDB"] = Throughput(writers, seconds, [&](int w, long i) {
        rocksdb::WriteBatch b;
        b.Put("e" + std::to_string(w) + ":" + std::to_string(i), value);
        b.Put("i" + std::to_string(w) + ":" + std::to_string(i), "p");
        return bare.db->Write(wo, &b).ok() ? 1 : 0;
      });
    }
    std::fprintf(stderr, "%s: casetrail %.0f, JetStream %.0f, HTTP %.0f, PostgreSQL %.0f, bare RocksDB %.0f\n",
                 row.measure.c_str(), row.value["casetrail"], row.value["casetrail JetStream"], row.value["casetrail HTTP"],
                 row.value["PostgreSQL"], row.value["bare RocksDB"]);
    rows.push_back(row);
  }

  // 1b. JetStream only: a new node replays the 64-writer cell's stream into an empty index, and
  // the stream leader is killed under 16 writers (the longest time without a committed event).
  {
    storage::JetStreamLogOptions o;
    o.nats.servers = nats.Urls();
    o.stream = "PEER_W64";
    o.node_id = "replayer";
    o.writer_candidate = false;
    o.index.path = dir + "/replay-index";
    const auto t0 = Steady::now();
    auto reader = storage::OpenJetStreamLog(o);
    if (reader.ok() && (*reader)->CatchUp(std::chrono::minutes(10)).ok()) {
      rows.push_back({"full replay of the stream into a new node's index", {{"casetrail JetStream",
                      (*reader)->GetHead().position.value() / Seconds(t0)}}, "events/s"});
    }
    CasetrailJetStream ct(dir + "/failover-js", nats, "PEER_FAILOVER");
    std::atomic<int> next{0};
    std::atomic<bool> stop{false};
    std::mutex mu;
    std::vector<Steady::time_point> acks;
    std::vector<std::thread> threads;
    for (int w = 0; w < 16; ++w) {
      threads.emplace_back([&] {
        while (!stop) {
          const auto before = ct.log->Stats().events;
          ct.Run(next++);
          if (ct.log->Stats().events > before) {
            std::lock_guard lock(mu);
            acks.push_back(Steady::now());
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const int leader = nats.StreamLeader("PEER_FAILOVER");
    if (leader >= 0) nats.Kill(leader);
    std::this_thread::sleep_for(std::chrono::seconds(15));
    stop = true;
    for (auto& t : threads) t.join();
    std::sort(acks.begin(), acks.end());
    double gap = 0;
    for (size_t i = 1; i < acks.size(); ++i) gap = std::max(gap, std::chrono::duration<double>(acks[i] - acks[i - 1]).count());
    rows.push_back({"failover: stream leader killed under 16 writers, longest time without a commit", {{"casetrail JetStream", gap}}, "s"});
  }

  // 2. The population: N cases into casetrail (64 writers), the same events into PostgreSQL.
  Casetrail ct(dir + "/population");
  {
    std::atomic<int> next{0};
    const auto t0 = Steady::now();
    std::vector<std::thread> threads;
    for (int w = 0; w < 64; ++w) threads.emplace_back([&] {
      for (int n; (n = next++) < cases;) {
        ct.Run(n);
        if (n % 10000 == 0) std::fprintf(stderr, "\rpopulation: %d of %d cases", n, cases);
      }
    });
    for (auto& t : threads) t.join();
    std::fprintf(stderr, "\rpopulation: %d cases, %lu events in %.0f s\n", cases, (unsigned long)ct.log->GetHead().position.value(), Seconds(t0));
  }
  const uint64_t events = ct.log->GetHead().position.value();
  Pg pg(pg_conninfo);
  pg.Exec(kSchema);
  {
    std::string sql;
    int batch = 0;
    for (Position from(1);;) {
      auto recs = ct.log->ReadAll(from, 4096);
      if (!recs.ok() || recs->empty()) break;
      from = Position(recs->back().position.value() + 1);
      for (const auto& r : *recs) {
        auto e = DecodeStored(r);
        if (!e.ok()) continue;
        std::string data = FactsJson(e->event.facts);
        PGconn* c = pg.c;
        char* esc = PQescapeLiteral(c, data.c_str(), data.size());
        sql += (batch ? ",(" : "INSERT INTO events(stream_id, version, type, data, recorded_at) VALUES (") + std::string("'") +
               r.stream.value() + "'," + std::to_string(r.version.value()) + ",'" + r.type + "'," + esc + "::jsonb,'" +
               FormatRfc3339(e->event.meta.recorded_at) + "')";
        PQfreemem(esc);
        if (++batch == 2000) {
          pg.Exec(sql);
          sql.clear();
          batch = 0;
        }
      }
    }
    if (batch) pg.Exec(sql);
    pg.Exec("INSERT INTO streams SELECT stream_id, max(version) FROM events GROUP BY stream_id; ANALYZE;");
  }

  // 3. Full replay: every case's state and the indicators, from the first event. casetrail runs
  // the one fold once (the indicator projection folds each case through engine::Apply); the
  // replay's own memory is its peak RSS growth. PostgreSQL's fold is made to do the same work in
  // its client: parse each event's facts, and per case keep the state, the unit (a transfer moves
  // it), the version and the dated steps the indicators count.
  double replay_growth_mb = 0;
  const long peak_before_replay_mb = PeakRssMb();  // the reset below also resets the peak
  {
    Row row{"full replay (case states + indicators)", {}, "events/s"};
    const long rss_before = StatusKb("VmRSS:");
    std::ofstream("/proc/self/clear_refs") << "5";  // resets VmHWM
    auto t0 = Steady::now();
    auto folded = replay::RebuildIndicators(*ct.log, &ct.registry);
    row.value["casetrail"] = events / Seconds(t0);
    replay_growth_mb = (StatusKb("VmHWM:") - rss_before) / 1024.0;
    std::fprintf(stderr, "replay: %zu cases folded, RSS growth %.0f MiB\n", (*folded)->cases(), replay_growth_mb);
    folded->reset();
    t0 = Steady::now();
    pg.Exec("BEGIN");
    pg.Exec("DECLARE scan NO SCROLL CURSOR FOR SELECT stream_id, version, type, data::text, recorded_at::text FROM events ORDER BY seq");
    struct PgCase {
      std::string state, unit, referred_on, started_on;
      long version = 0;
      std::vector<std::string> booked, held;
    };
    static const std::unordered_map<std::string, std::string> kTo = {
        {"ReferralSubmitted", "referred"}, {"ConversationBooked", "booked"}, {"ConversationHeld", "held"},
        {"IndividualStudyPlanCreated", "planned"}, {"StudiesStarted", "studying"}, {"StudiesInterrupted", "aborted"},
        {"StudiesCompleted", "completed"}, {"CustomerDeclined", "closed"}, {"PlannedEducationNotStarted", "unplanned"}};
    std::unordered_map<std::string, PgCase> pg_cases;
    long rows_read = 0;
    for (;;) {
      PGresult* r = PQexec(pg.c, "FETCH 10000 FROM scan");
      const int n = PQntuples(r);
      for (int i = 0; i < n; ++i) {
        ++rows_read;
        const char* stream = PQgetvalue(r, i, 0);
        if (std::strncmp(stream, "case:", 5) != 0) continue;
        boost::system::error_code ec;
        json::value data = json::parse(PQgetvalue(r, i, 3), ec);
        const std::string type = PQgetvalue(r, i, 2), on(PQgetvalue(r, i, 4), 10);
        PgCase& c = pg_cases[stream + 5];
        c.version = std::atol(PQgetvalue(r, i, 1));
        if (const auto* o = data.if_object()) {
          if (const auto* u = o->if_contains(type == "CaseTransferred" ? "to_unit" : "unit"); u && u->is_string()) {
            c.unit = u->as_string().c_str();
          }
        }
        if (auto it = kTo.find(type); it != kTo.end()) c.state = it->second;
        if (type == "ReferralSubmitted") c.referred_on = on;
        else if (type == "ConversationBooked") c.booked.push_back(on);
        else if (type == "ConversationHeld") c.held.push_back(on);
        else if (type == "StudiesStarted" && c.started_on.empty()) c.started_on = on;
      }
      PQclear(r);
      if (n == 0) break;
    }
    pg.Exec("CLOSE scan; COMMIT");
    row.value["PostgreSQL"] = rows_read / Seconds(t0);
    rows.push_back(row);
  }

  // 4. One case: rebuild, and as of a time, p50/p99.
  {
    std::vector<std::string> ids;
    for (Position from(1); ids.size() < 2000;) {
      auto recs = ct.log->ReadAll(from, 4096);
      if (!recs.ok() || recs->empty()) break;
      from = Position(recs->back().position.value() + 1);
      for (const auto& r : *recs) {
        if (r.type == "ReferralSubmitted") ids.push_back(r.stream.value().substr(5));
      }
    }
    std::vector<double> ct_rebuild, ct_asof, pg_rebuild, pg_asof;
    const auto as_of = ct.clock.Now() - std::chrono::hours(1);
    for (const auto& id : ids) {
      auto t0 = Steady::now();
      (void)ct.service->LoadCase(id);
      ct_rebuild.push_back(Seconds(t0) * 1e6);
      t0 = Steady::now();
      auto evs = replay::ReadCaseEvents(*ct.log, id);
      replay::AsOf a;
      a.recorded_by = as_of;
      (void)replay::Rebuild(*evs, a, ct.registry);
      ct_asof.push_back(Seconds(t0) * 1e6);
      const std::string stream = "case:" + id, t = FormatRfc3339(as_of);
      const char* p[] = {stream.c_str(), t.c_str()};
      t0 = Steady::now();
      PQclear(PQexecParams(pg.c, "SELECT version, type, data FROM events WHERE stream_id = $1 ORDER BY version", 1, nullptr, p, nullptr, nullptr, 0));
      pg_rebuild.push_back(Seconds(t0) * 1e6);
      t0 = Steady::now();
      PQclear(PQexecParams(pg.c, "SELECT version, type, data FROM events WHERE stream_id = $1 AND recorded_at <= $2 ORDER BY version", 2, nullptr, p, nullptr, nullptr, 0));
      pg_asof.push_back(Seconds(t0) * 1e6);
    }
    auto add = [&](const std::string& what, const std::vector<double>& a, const std::vector<double>& b) {
      auto x = P50P99(a), y = P50P99(b);
      rows.push_back({what + " p50", {{"casetrail", x.first}, {"PostgreSQL", y.first}}, "µs"});
      rows.push_back({what + " p99", {{"casetrail", x.second}, {"PostgreSQL", y.second}}, "µs"});
    };
    add("rebuild one case", ct_rebuild, pg_rebuild);
    add("one case as of a time", ct_asof, pg_asof);
  }

  // 5. A year's indicators: from the whole log (casetrail rebuilds its projection; PostgreSQL runs
  // one SQL aggregate) and, for casetrail, answered from the projection a server keeps.
  {
    Row row{"a year's indicators from the whole log", {}, "ms"};
    auto t0 = Steady::now();
    auto p = replay::RebuildIndicators(*ct.log, &ct.registry);
    auto set = (*p)->Compute(*replay::ParsePeriod("2025"), std::nullopt);
    row.value["casetrail"] = Seconds(t0) * 1e3;
    t0 = Steady::now();
    pg.Exec("SELECT count(*) FILTER (WHERE type = 'ReferralSubmitted'),"
            " count(DISTINCT stream_id) FILTER (WHERE type = 'ConversationBooked'),"
            " count(DISTINCT stream_id) FILTER (WHERE type = 'ConversationHeld'),"
            " count(DISTINCT stream_id) FILTER (WHERE type = 'StudiesStarted')"
            " FROM events WHERE recorded_at >= '2025-01-01' AND recorded_at < '2026-01-01'");
    row.value["PostgreSQL"] = Seconds(t0) * 1e3;
    rows.push_back(row);
    std::vector<double> answers;
    for (int i = 0; i < 200; ++i) {
      t0 = Steady::now();
      (void)(*p)->ComputeAll(*replay::ParsePeriod("2025"));
      answers.push_back(Seconds(t0) * 1e3);
    }
    rows.push_back({"a year's indicators, every unit, from the projection p99", {{"casetrail", P50P99(answers).second}}, "ms"});
    std::fprintf(stderr, "indicators 2025: referrals %lu, booked %lu, held %lu\n", (unsigned long)set.referrals,
                 (unsigned long)set.cases_booked, (unsigned long)set.HeldTotal());
  }

  // 6. Bytes on disk per event, and this process's peak memory.
  {
    ct.log.reset();
    ct.keys.reset();
    PGresult* r = PQexec(pg.c, "SELECT pg_total_relation_size('events') + pg_total_relation_size('streams')");
    const double pg_bytes = std::atof(PQgetvalue(r, 0, 0));
    PQclear(r);
    rows.push_back({"bytes on disk per event", {{"casetrail", double(DiskBytes(dir + "/population")) / events},
                                                {"PostgreSQL", pg_bytes / events}}, "bytes"});
    rows.push_back({"peak memory of the benchmark process (casetrail embedded + clients)", {{"casetrail", double(std::max(peak_before_replay_mb, PeakRssMb()))}}, "MiB"});
    rows.push_back({"full replay's own memory (RSS growth)", {{"casetrail", replay_growth_mb}}, "MiB"});
  }

  // 7. Restart: the read models a server start waits for (case directory, indicators, reminder
  // book), from the first event and then from the checkpoints that start wrote, each phase in a
  // process of its own as a restart is (replay_bench --restart, beside this program).
  {
    const std::string replay_bench = (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "replay_bench").string();
    auto phase = [&](const char* name) {
      std::map<std::string, double> out;
      const std::string command = replay_bench + " --dir " + dir + "/population --reuse --restart " + name;
      if (FILE* p = ::popen(command.c_str(), "r")) {
        // Only its "restart-… value" lines: its log lines (spdlog writes to stdout) are passed by.
        char line[512], key[64];
        double value = 0;
        while (std::fgets(line, sizeof(line), p)) {
          if (std::strncmp(line, "restart-", 8) == 0 && std::sscanf(line, "%63s %lf", key, &value) == 2) out[key] = value;
        }
        if (const int status = ::pclose(p); status != 0 || out.empty()) {
          std::fprintf(stderr, "peer_bench: replay_bench --restart %s gave no figure (status %d)\n", name, status);
        }
      }
      return out;
    };
    auto cold = phase("cold");
    auto warm = phase("warm");
    rows.push_back({"restart: read models ready, from the first event", {{"casetrail", cold["restart-ready-seconds"]}}, "s"});
    rows.push_back({"restart: read models ready, from their checkpoints", {{"casetrail", warm["restart-ready-seconds"]}}, "s"});
    rows.push_back({"restart: the checkpoints written at stop", {{"casetrail", cold["restart-checkpoints-written-seconds"]}}, "s"});
    rows.push_back({"restart: the checkpoints' size", {{"casetrail", cold["restart-checkpoints-mib"]}}, "MiB"});
  }

  WriteReport(rows, cases, events, seconds, report);
  std::filesystem::remove_all(dir);
  return 0;
}
