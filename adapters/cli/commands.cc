#include "adapters/cli/commands.h"

#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include <boost/json.hpp>
#include <chrono>

#include "adapters/cli/csv_import.h"
#include "adapters/cli/offline_api.h"
#include "adapters/cli/online_api.h"
#include "adapters/http/users.h"
#include "replay/case_rebuild.h"
#include "replay/read_model_checkpoints.h"
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

// The server at --url, or the data directory (which no server may hold).
Result<std::unique_ptr<ApiClient>> OpenApi(const DataDirFlags& flags, int suppress_below = 5) {
  if (!flags.url.empty()) {
    CT_ASSIGN_OR_RETURN(auto online, OnlineApi::Connect(flags.url, flags.token_file));
    return std::unique_ptr<ApiClient>(std::move(online));
  }
  if (flags.data.empty()) return InvalidArgument("give --data DIR (with the server stopped) or --url URL --token-file FILE");
  CT_ASSIGN_OR_RETURN(auto offline, OfflineApi::Open(flags, suppress_below));
  return std::unique_ptr<ApiClient>(std::move(offline));
}

template <typename F>
int WithApi(const DataDirFlags& flags, F&& f) {
  auto api = OpenApi(flags);
  if (!api.ok()) return Fail(api.status());
  return f(**api);
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

int RunNewToken() {
  const std::string token = NewServiceToken();
  auto hash = HashServiceToken(token);
  if (!hash.ok()) return Fail(hash.status());
  std::cout << "token:      " << token << "\n"
            << "token_hash: " << *hash << "\n"
            << "Give the token to the service once (it is not kept anywhere); put the hash in the users file:\n"
            << "  {\"id\": \"…\", \"role\": \"…\", \"token_hash\": \"" << *hash << "\"}\n";
  return 0;
}

int RunHashToken() {
  std::string token;
  std::getline(std::cin, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  auto hash = HashServiceToken(token);
  sodium_memzero(token.data(), token.size());
  if (!hash.ok()) {
    std::cerr << "casetrail users hash-token: " << hash.status().message()
              << "; run `casetrail users new-token` for a strong one\n";
    return 1;
  }
  std::cout << *hash << "\n";
  return 0;
}

int RunVerify(const DataDirFlags& flags) {
  if (!flags.url.empty()) {
    std::cerr << "verifying the whole chain on the server…\n";
    return WithApi(flags, [&](ApiClient& api) {
      ApiResponse r = api.Call("compliance", "", "GET", "/v1/verify");
      if (r.status != 200) return PrintResponse(r);
      const auto v = boost::json::parse(r.body).as_object();
      if (v.at("ok").as_bool()) {
        std::cout << "ok: " << v.at("events").as_int64() << " events, head " << v.at("head").at("position").as_int64() << " "
                  << v.at("head").at("hash").as_string().c_str() << "\n";
        return 0;
      }
      std::cout << "BROKEN at position " << v.at("first_bad_position").as_int64() << ": "
                << v.at("problem").as_string().c_str() << "\n";
      return 1;
    });
  }
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
  if (!flags.url.empty()) {
    // The server takes it into a folder of that name under its --backup-root.
    return WithApi(flags, [&](ApiClient& api) {
      ApiResponse r = api.Call("admin", "", "POST", "/v1/admin/backup", boost::json::serialize(boost::json::object{{"name", to}}));
      if (r.status != 200) return PrintResponse(r);
      const auto v = boost::json::parse(r.body).as_object();
      std::cout << "backup written to " << v.at("backup").as_string().c_str() << " (head " << v.at("head").as_int64() << ")\n";
      return 0;
    });
  }
  auto stores = OpenDataDir(flags);
  if (!stores.ok()) return Fail(stores.status());
  if (Status s = storage::CreateBackup(*stores->log, *stores->keys, to); !s.ok()) return Fail(s);
  std::cout << "backup written to " << to << " (head " << stores->log->GetHead().position.value() << ")\n";
  return 0;
}

namespace {
Status SeedStreamFromRestoredLog(const DataDirFlags& flags, const storage::KeyBytes& seed) {
  CT_ASSIGN_OR_RETURN(auto options, JetStreamOptionsFor(flags));
  {
    storage::LogOptions rocks;
    rocks.path = flags.data + "/log";
    rocks.signing_seed = seed;
    CT_ASSIGN_OR_RETURN(auto restored, storage::OpenRocksLog(rocks));
    CT_RETURN_IF_ERROR(storage::SeedJetStream(options, *restored, PrintProgress));
  }
  std::error_code ec;
  std::filesystem::remove_all(flags.data + "/log", ec);
  if (ec) return Unavailable("cannot remove the restored copy of the log");
  return Status::Ok();
}
}  // namespace

int RunRestore(const DataDirFlags& flags, const std::string& from) {
  if (!flags.url.empty() || flags.data.empty()) {
    std::cerr << "casetrail restore: restores into a data directory: give --data DIR (no --url)\n";
    return 2;
  }
  auto seed = SigningSeed(flags);
  if (!seed.ok()) return Fail(seed.status());
  auto report = storage::RestoreBackup(from, flags.data, *seed);
  if (!report.ok()) return Fail(report.status());
  std::cout << "restored " << report->events << " events into " << flags.data << "; verify ok\n";
  if (!flags.log.empty()) {
    // The stream is the log: publish the restored records into it (it must be new and empty),
    // then drop the restored RocksDB copy; DATA/log becomes this node's index, built from the stream.
    if (Status s = SeedStreamFromRestoredLog(flags, *seed); !s.ok()) return Fail(s);
    std::cout << "published into JetStream stream " << flags.nats_stream << "\n";
  }
  // A backup taken before an erasure still holds the subject's key: erase it again now.
  auto stores = OpenDataDir(flags);
  if (!stores.ok()) return Fail(stores.status());
  auto reapplied = ReapplyErasureLedger(*stores);
  if (!reapplied.ok()) return Fail(reapplied.status());
  std::cout << "erasure ledger re-applied: " << *reapplied << " subject(s) erased again\n";
  return 0;
}

int RunRetention(const DataDirFlags& flags, const std::string& policy_file) {
  if (!flags.url.empty()) {
    // The server applies the policy it was started with (serve --retention FILE).
    if (!policy_file.empty()) {
      std::cerr << "casetrail retention: with --url the server's own policy applies; drop --policy\n";
      return 2;
    }
    std::cerr << "running retention on the server…\n";
    return WithApi(flags, [&](ApiClient& api) {
      ApiResponse r = api.Call("compliance", "", "POST", "/v1/retention/run", "{}");
      if (r.status != 200) return PrintResponse(r);
      const auto v = boost::json::parse(r.body).as_object();
      std::cout << "retention (policy " << v.at("policy_version").as_string().c_str() << "): " << v.at("examined").as_int64()
                << " subjects examined, " << v.at("erased").as_array().size() << " erased, " << v.at("held").as_int64()
                << " held by a legal hold\n";
      return 0;
    });
  }
  if (policy_file.empty()) {
    std::cerr << "casetrail retention: --policy FILE is required with --data\n";
    return 2;
  }
  auto policy = LoadRetentionPolicy(policy_file);
  if (!policy.ok()) return Fail(policy.status());
  auto stores = OpenDataDir(flags);
  if (!stores.ok()) return Fail(stores.status());
  auto e = BuildEngine(*stores);
  if (!e.ok()) return Fail(e.status());
  if (Status s = (*e)->service->RepairAtStart().status(); !s.ok()) return Fail(s);
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

namespace {

std::string UrlEncode(const std::string& v) {
  std::string out;
  for (unsigned char ch : v) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == ':') {
      out += static_cast<char>(ch);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", ch);
      out += buf;
    }
  }
  return out;
}

// "?k=v&…" of the non-empty values, URL-encoded.
std::string Query(std::initializer_list<std::pair<const char*, std::string>> params) {
  std::string query;
  for (const auto& [k, v] : params) {
    if (!v.empty()) query += (query.empty() ? "?" : "&") + std::string(k) + "=" + UrlEncode(v);
  }
  return query;
}

template <typename F>
int WithOfflineApi(const DataDirFlags& flags, const char* command, F&& f) {
  if (!flags.url.empty()) {
    std::cerr << "casetrail " << command << ": works on the data directory only (no --url)\n";
    return 2;
  }
  auto api = OfflineApi::Open(flags);
  if (!api.ok()) return Fail(api.status());
  return f(**api);
}

}  // namespace

int RunReplay(const DataDirFlags& flags, const ReplayFlags& r) {
  const std::string query = Query({{"version", r.version}, {"as_of", r.as_of}, {"valid_at", r.valid_at}});
  return WithApi(flags, [&](ApiClient& api) {
    return PrintResponse(api.Call("compliance", "", "GET", "/v1/cases/" + UrlEncode(r.case_id) + query));
  });
}

int RunAudit(const DataDirFlags& flags, const std::string& case_id) {
  return WithApi(flags, [&](ApiClient& api) {
    return PrintResponse(api.Call("compliance", "", "GET", "/v1/cases/" + UrlEncode(case_id) + "/audit"));
  });
}

int RunExtract(const DataDirFlags& flags, const std::string& subject_id) {
  return WithApi(flags, [&](ApiClient& api) {
    return PrintResponse(api.Call("compliance", "", "GET", "/v1/subjects/" + UrlEncode(subject_id) + "/extract"));
  });
}

int RunErase(const DataDirFlags& flags, const std::string& subject_id, const std::string& legal_basis,
             const std::string& reference) {
  const std::string body =
      boost::json::serialize(boost::json::object{{"legal_basis", legal_basis}, {"reference", reference}});
  return WithApi(flags, [&](ApiClient& api) {
    return PrintResponse(api.Call("compliance", "", "POST", "/v1/subjects/" + UrlEncode(subject_id) + "/erasure", body));
  });
}

int RunImport(const DataDirFlags& flags, const std::string& csv_path) {
  return WithApi(flags, [&](ApiClient& api) {
    auto report = ImportReferralsCsv(api, csv_path);
    if (!report.ok()) return Fail(report.status());
    std::cout << "import: " << report->rows << " rows, " << report->imported << " imported, " << report->rejected
              << " rejected\n";
    return report->rejected == 0 ? 0 : 1;
  });
}

int RunIndicators(const DataDirFlags& flags, const IndicatorFlags& f) {
  auto api = OpenApi(flags, f.suppress_below);
  if (!api.ok()) return Fail(api.status());
  const std::string role = f.as_strategic ? "strategic" : "compliance";
  if (f.publish) {
    boost::json::object body;
    if (!f.year.empty()) body["year"] = f.year;
    if (!f.period.empty()) body["period"] = f.period;
    if (!f.unit.empty()) body["unit"] = f.unit;
    return PrintResponse((*api)->Call(role, "", "POST", "/v1/indicators/snapshots", boost::json::serialize(body)));
  }
  return PrintResponse((*api)->Call(role, "", "GET", "/v1/indicators" + Query({{"year", f.year}, {"period", f.period}, {"unit", f.unit}})));
}

int RunStrategic(const DataDirFlags& flags, const std::string& what, const IndicatorFlags& f, int size,
                 long long seed) {
  return WithApi(flags, [&](ApiClient& api) {
    if (what == "decisions") return PrintResponse(api.Call("compliance", "", "GET", "/v1/decisions"));
    if (what == "deviations") return PrintResponse(api.Call("compliance", "", "GET", "/v1/deviations"));
    if (what == "sample") {
      boost::json::object body{{"size", size}};
      if (!f.year.empty()) body["year"] = f.year;
      if (!f.period.empty()) body["period"] = f.period;
      if (!f.unit.empty()) body["unit"] = f.unit;
      if (seed >= 0) body["seed"] = seed;
      return PrintResponse(api.Call("compliance", "", "POST", "/v1/audits/samples", boost::json::serialize(body)));
    }
    return PrintResponse(api.Call(f.as_strategic ? "strategic" : "compliance", "", "GET",
                                  "/v1/audits/decisions" + Query({{"year", f.year}, {"period", f.period}, {"unit", f.unit}})));
  });
}

int RunLists(const DataDirFlags& flags, const ListFlags& f) {
  if (f.month.empty() == f.quarter.empty()) {
    std::cerr << "casetrail lists: give --month YYYY-MM or --quarter YYYY-Qn\n";
    return 2;
  }
  if (f.format == "xlsx" && f.out.empty()) {
    std::cerr << "casetrail lists: --format xlsx needs --out FILE\n";
    return 2;
  }
  return WithApi(flags, [&](ApiClient& api) {
    const std::string target = f.month.empty() ? "/v1/lists/progression?unit=" + UrlEncode(f.unit) + "&quarter=" + UrlEncode(f.quarter)
                                               : "/v1/lists/monthly?unit=" + UrlEncode(f.unit) + "&month=" + UrlEncode(f.month);
    const std::string accept = f.format == "csv"    ? "text/csv"
                               : f.format == "xlsx" ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                                                    : "application/json";
    ApiResponse r = api.Call("compliance", "", "GET", target, "", "", accept);
    if (r.status != 200 || f.out.empty()) return PrintResponse(r);
    std::ofstream out(f.out, std::ios::binary);
    out << r.body;
    if (!out) return Fail(Unavailable("cannot write " + f.out));
    std::cout << "list written to " << f.out << " (" << r.body.size() << " bytes)\n";
    return 0;
  });
}

int RunRebuild(const DataDirFlags& flags) {
  // The next start folds every read model from the first event, and writes new checkpoints.
  if (!flags.data.empty()) {
    if (Status s = replay::ReadModelCheckpoints(flags.data + "/read-models").DropAll(); !s.ok()) return Fail(s);
    std::cerr << "removed the read-model checkpoints (" << flags.data << "/read-models)\n";
  }
  return WithOfflineApi(flags, "rebuild", [&](OfflineApi& api) {
    const auto start = std::chrono::steady_clock::now();
    const Position head = api.log().GetHead().position;
    while (!api.directory().WaitFor(head, 1000)) {
      if (auto h = api.directory().health(); h.failures >= 8) {
        return Fail(Unavailable("reading the log failed " + std::to_string(h.failures) + " times: " + h.last_error));
      }
      std::cerr << "\rfolded " << api.directory().position().value() << " of " << head.value() << " events" << std::flush;
    }
    const double fold_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cerr << "\rfolded " << head.value() << " events into the case directory in " << fold_s << " s\n";
    auto cases = api.directory().List(std::nullopt, std::nullopt, "", SIZE_MAX);
    size_t checked = 0, mismatched = 0;
    for (const auto& summary : cases) {
      auto events = replay::ReadCaseEvents(api.log(), summary.case_id);
      if (!events.ok()) return Fail(events.status());
      auto state = replay::Rebuild(*events, {}, api.engine().registry);
      if (!state.ok()) return Fail(state.status());
      if (state->state != summary.state || state->unit != summary.unit || state->version != summary.version) {
        ++mismatched;
        std::cerr << "\ncase " << summary.case_id << ": projection says " << summary.state << " v" << summary.version
                  << ", replay says " << state->state << " v" << state->version << "\n";
      }
      if (++checked % 1000 == 0 || checked == cases.size()) {
        std::cerr << "\rchecked " << checked << " of " << cases.size() << " cases against full replay" << std::flush;
      }
    }
    std::cerr << "\n";
    std::cout << "rebuild: " << cases.size() << " cases, " << mismatched << " differ from full replay\n";
    // The indicator projection: rebuilt from the first event, compared with the live one.
    auto rebuilt = replay::RebuildIndicators(api.log(), &api.engine().registry, [](uint64_t done, uint64_t total) {
      if (done % 65536 < 8192 || done == total) std::cerr << "\rindicators: folded " << done << " of " << total << " events" << std::flush;
    });
    if (!rebuilt.ok()) return Fail(rebuilt.status());
    std::cerr << "\n";
    if (!api.indicators().WaitFor(head, 60000)) {
      return Fail(Unavailable("the indicator projection did not catch up: " + api.indicators().health().last_error));
    }
    const bool same = (*rebuilt)->SameFactsAs(api.indicators().projection());
    std::cout << "rebuild: indicators over " << (*rebuilt)->cases() << " cases "
              << (same ? "equal" : "DIFFER from") << " the incrementally maintained projection\n";
    return mismatched == 0 && same ? 0 : 1;
  });
}

}  // namespace casetrail::adapters
