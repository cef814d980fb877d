// Engine benchmark: commands decided and appended per second for a realistic study-referral mix
// (referral, booking, conversation, plan, start, pace reports) from concurrent clients, and the
// time to rebuild a 100-event case cold (from the first event) and from a snapshot.
//
//   engine_bench [--cases N] [--clients C] [--dir DIR]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include <spdlog/spdlog.h>

#include "engine/snapshot_codec.h"
#include "tests/bench/bench_engine.h"

namespace {

using namespace casetrail;
using namespace casetrail::engine;
using SteadyClock = std::chrono::steady_clock;

using bench::BenchEngine;
using World = BenchEngine;
std::string Number(int n) { return bench::BenchNumber(n); }

std::unique_ptr<World> Open(const std::string& dir) { return std::make_unique<World>(dir, "2025-01-13T09:00:00Z"); }

RequestContext As(const std::string& id, const std::string& role) { return {{id, role, "jarva", "bankid", ""}, "public_task", "", ""}; }

// One case's life: 9 commands, every one decided and appended durably.
int RunCase(World& w, int n) {
  const auto officer = As("A-J1", "af_officer"), syv = As("V-1", "syv");
  auto s = w.service->RegisterSubject(officer, {Number(n), "Bench Person", n % 2 ? "female" : "male", "", ""});
  if (!s.ok()) return 0;
  (void)w.service->GrantConsent(officer, s->subject_id, {"transfer_referral", "share_guidance", "share_study_progress"},
                                "signed_form", "");
  Fields f = {{"unit", std::string("jarva")}, {"channel", std::string("space")}, {"long_term_unemployed", true},
              {"lacks_upper_secondary", true}, {"resident_stockholm", true}, {"need_assessed", true},
              {"note", std::string("bench note")}};
  auto c = w.service->OpenCase(officer, s->subject_id, f);
  if (!c.ok()) return 0;
  auto run = [&](const char* cmd, Fields fields) {
    return w.service->Execute(syv, c->case_id, Command{cmd, std::move(fields), std::nullopt}, std::nullopt).ok() ? 1 : 0;
  };
  int ok = 3;
  ok += run("BookConversation", {{"slot", std::string("2030-01-01T10:00:00Z")}});
  ok += run("RecordStudyApplication", {{"level", std::string("upper_secondary")}});
  ok += run("RecordConversationHeld", {{"outcome", std::string("plan")}});
  ok += run("RecordStudiesStarted", {{"start_date", std::string("2025-01-20")}, {"pace", std::string("part_time")}});
  ok += run("RecordStudyPace", {{"pace", std::string("full_time")}});
  ok += run("RecordLackOfProgression", {});
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  int cases = 2000, clients = 16;
  std::string dir = "/tmp/casetrail-engine-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--cases")) cases = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--clients")) clients = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
  }
  spdlog::set_level(spdlog::level::warn);  // the per-command info lines would dominate the run
  auto w = Open(dir);
  std::atomic<int> next{0}, commands{0};
  auto start = SteadyClock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&] {
      for (int n; (n = next++) < cases;) commands += RunCase(*w, n);
    });
  }
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(SteadyClock::now() - start).count();
  std::printf("| measure | value |\n|---|---:|\n");
  std::printf("| commands decided and appended (%d clients, %d cases, realistic mix) | %.0f commands/s |\n", clients,
              cases, commands / secs);

  // A 100-event case: referral, booking, then pace reports back and forth.
  const auto syv = As("V-1", "syv");
  auto s = w->service->RegisterSubject(As("A-J1", "af_officer"), {Number(cases + 1), "Long Case", "female", "", ""});
  (void)w->service->GrantConsent(syv, s->subject_id, {"transfer_referral", "share_guidance", "share_study_progress"},
                                 "verbal", "");
  Fields f = {{"unit", std::string("jarva")}, {"channel", std::string("group_activity")},
              {"long_term_unemployed", true}, {"lacks_upper_secondary", true}, {"resident_stockholm", true},
              {"need_assessed", true}};
  auto c = w->service->OpenCase(syv, s->subject_id, f);
  auto run = [&](const char* cmd, Fields fields) {
    (void)w->service->Execute(syv, c->case_id, Command{cmd, std::move(fields), std::nullopt}, std::nullopt);
  };
  run("BookConversation", {{"slot", std::string("2030-01-01T10:00:00Z")}});
  run("RecordConversationHeld", {{"outcome", std::string("plan")}});
  run("RecordStudiesStarted", {{"start_date", std::string("2025-01-20")}});
  while (w->service->LoadCase(c->case_id)->version < 100) {
    run("RecordStudyPace", {{"pace", std::string(w->service->LoadCase(c->case_id)->version % 2 ? "full_time" : "part_time")}});
  }
  auto time_it = [&](bool snapshots) {
    std::vector<double> us;
    for (int i = 0; i < 2000; ++i) {
      auto t0 = SteadyClock::now();
      auto st = w->service->LoadCase(c->case_id, std::nullopt, snapshots);
      us.push_back(std::chrono::duration<double, std::micro>(SteadyClock::now() - t0).count());
      if (!st.ok() || st->version != 100) std::exit(1);
    }
    std::sort(us.begin(), us.end());
    return std::make_pair(us[us.size() / 2], us[us.size() * 99 / 100]);
  };
  auto cold = time_it(false);
  auto snap = time_it(true);
  std::printf("| rebuild a 100-event case from its first event, p50 / p99 | %.0f µs / %.0f µs |\n", cold.first, cold.second);
  std::printf("| rebuild a 100-event case from its latest snapshot, p50 / p99 | %.0f µs / %.0f µs |\n", snap.first,
              snap.second);
  w.reset();
  std::filesystem::remove_all(dir);
}
