#include "adapters/cli/commands.h"

#include <filesystem>
#include <iostream>

#include "storage/backup.h"
#include "storage/base/hex.h"

namespace casetrail::adapters {
namespace {

int Fail(const Status& s) {
  std::cerr << "casetrail: " << s.ToString() << "\n";
  return 1;
}

std::string HexOf(const storage::Hash& h) {
  return ToHex(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

void PrintProgress(uint64_t done, uint64_t total) {
  std::cerr << "\rverified " << done << " of " << total << " events" << std::flush;
  if (done == total) std::cerr << "\n";
}

}  // namespace

int RunKeygen(const std::string& path) {
  Status s = storage::WriteNewKeyFile(path);
  if (!s.ok()) return Fail(s);
  std::cout << "wrote a new key to " << path << " (mode 0600)\n";
  return 0;
}

int RunDemo(const DataDirFlags& flags, int cases) {
  std::filesystem::create_directories(flags.data);
  if (!std::filesystem::exists(MasterKeyPath(flags))) {
    if (Status s = storage::WriteNewKeyFile(MasterKeyPath(flags)); !s.ok()) return Fail(s);
  }
  auto stores = OpenDataDir(flags);
  if (!stores.ok()) return Fail(stores.status());
  storage::Log& log = *stores->log;
  const uint64_t before = log.GetHead().position.value();
  // Demo events carry ids and facts only: no personal data, even in a demo.
  const char* steps[] = {"ReferralSubmitted", "ConversationBooked", "ConversationHeld",
                         "IndividualStudyPlanCreated", "StudiesStarted"};
  for (int i = 0; i < cases; ++i) {
    StreamId stream("case:C-demo-" + std::to_string(before + i));
    storage::AppendRequest req;
    req.writes.push_back({stream, storage::ExpectedVersion::NoStream(), {}});
    for (const char* step : steps) req.writes[0].events.push_back({step, R"({"unit":"jarva"})"});
    auto r = log.Append(req);
    if (!r.ok()) return Fail(r.status());
  }
  auto read = log.ReadStream(StreamId("case:C-demo-" + std::to_string(before)), StreamVersion(1),
                             storage::Direction::kForward, 100);
  if (!read.ok()) return Fail(read.status());
  std::cout << "appended " << cases << " demo cases to " << flags.data << "\n";
  for (const auto& ev : *read) {
    std::cout << "  #" << ev.position.value() << " " << ev.stream.value() << " v" << ev.version.value()
              << " " << ev.type << " " << HexOf(ev.hash).substr(0, 16) << "\n";
  }
  auto report = log.Verify(nullptr);
  if (!report.ok()) return Fail(report.status());
  std::cout << "verify: " << (report->ok ? "ok" : "BROKEN") << ", " << report->events << " events, head "
            << HexOf(report->head.hash).substr(0, 16) << "\n";
  return report->ok ? 0 : 1;
}

int RunVerify(const DataDirFlags& flags) {
  auto stores = OpenDataDir(flags);
  if (!stores.ok()) return Fail(stores.status());
  auto report = stores->log->Verify(PrintProgress);
  if (!report.ok()) return Fail(report.status());
  if (report->ok) {
    std::cout << "ok: " << report->events << " events, head " << report->head.position.value() << " "
              << HexOf(report->head.hash) << "\n";
    return 0;
  }
  std::cout << "BROKEN at position " << report->first_bad_position->value() << ": " << report->problem << "\n";
  return 1;
}

int RunBackup(const DataDirFlags& flags, const std::string& to) {
  auto stores = OpenDataDir(flags);
  if (!stores.ok()) return Fail(stores.status());
  if (Status s = storage::CreateBackup(*stores->log, *stores->keys, to); !s.ok()) return Fail(s);
  std::cout << "backup written to " << to << " (head " << stores->log->GetHead().position.value() << ")\n";
  return 0;
}

int RunRestore(const DataDirFlags& flags, const std::string& from) {
  auto seed = SigningSeed(flags);
  if (!seed.ok()) return Fail(seed.status());
  auto report = storage::RestoreBackup(from, flags.data, *seed);
  if (!report.ok()) return Fail(report.status());
  std::cout << "restored " << report->events << " events into " << flags.data << "; verify ok\n";
  // A backup taken before an erasure still holds the subject's key: erase it again now.
  auto stores = OpenDataDir(flags);
  if (!stores.ok()) return Fail(stores.status());
  auto reapplied = ReapplyErasureLedger(*stores);
  if (!reapplied.ok()) return Fail(reapplied.status());
  std::cout << "erasure ledger re-applied: " << *reapplied << " subject(s) erased again\n";
  return 0;
}

int RunRetention(const DataDirFlags& flags, const std::string& policy_file) {
  auto policy = LoadRetentionPolicy(policy_file);
  if (!policy.ok()) return Fail(policy.status());
  auto stores = OpenDataDir(flags);
  if (!stores.ok()) return Fail(stores.status());
  auto e = BuildEngine(*stores);
  if (!e.ok()) return Fail(e.status());
  auto report = engine::RunRetention(*(*e)->service, *stores->log, (*e)->registry, *policy, (*e)->clock->Now(),
                                     [](uint64_t done, uint64_t total) {
                                       std::cerr << "\rexamined " << done << " of " << total << " subjects" << std::flush;
                                       if (done == total) std::cerr << "\n";
                                     });
  if (!report.ok()) return Fail(report.status());
  std::cout << "retention (policy " << policy->version << "): " << report->examined << " subjects examined, "
            << report->erased << " erased, " << report->held << " held by a legal hold\n";
  return 0;
}

}  // namespace casetrail::adapters
