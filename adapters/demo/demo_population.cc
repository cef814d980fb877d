#include "adapters/demo/demo_population.h"

#include <sodium.h>

#include <boost/json.hpp>
#include <random>

#include "adapters/http/users.h"
#include "adapters/workers/list_jobs.h"
#include "engine/consent.h"
#include "engine/cooperation_records.h"
#include "storage/base/hex.h"
#include "workflows/study_referral.h"

namespace casetrail::adapters {
namespace {

using engine::Fields;

// A valid personal number for the n-th demo subject: born 1960–1999, serial from n, Luhn digit.
std::string DemoNumber(int n) {
  int year = 1960 + n % 40, month = 1 + (n / 40) % 12, day = 1 + (n / 480) % 28;
  char nine[10];
  std::snprintf(nine, sizeof(nine), "%02d%02d%02d%03d", year % 100, month, day, 100 + (n / 13440) % 800);
  int sum = 0;
  for (int i = 0; i < 9; ++i) {
    int d = (nine[i] - '0') * (i % 2 == 0 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  return std::to_string(year / 100) + std::string(nine, 6) + "-" + std::string(nine + 6, 3) +
         std::to_string((10 - sum % 10) % 10);
}

const char* kGiven[] = {"Demo Anna", "Demo Ali", "Demo Sara", "Demo Erik", "Demo Leyla", "Demo Johan", "Demo Maria", "Demo Omar"};
const char* kFamily[] = {"Testsson", "Exempelsdotter", "Provberg", "Fiktivsson", "Demoqvist"};

engine::RequestContext As(const char* id, const char* role, const char* unit, const char* auth) {
  return {{id, role, unit, auth, ""}, "public_task", "", ""};
}

// The follow-up lists due by `now`, generated as the worker would have (J1, J3), so that the
// fixture's meeting and list references name lists that exist (G-MEETING, G-LIST).
Status GenerateListsDueBy(storage::Log& log, const engine::DefinitionRegistry& registry, engine::Timestamp now) {
  replay::ReminderBook book(&registry);
  for (Position from(1);;) {
    CT_ASSIGN_OR_RETURN(auto batch, log.ReadAll(from, 1024));
    if (batch.empty()) break;
    for (const auto& r : batch) book.Apply(r);
    from = Position(batch.back().position.value() + 1);
  }
  replay::ListCalendar calendar;  // the model's (settings.list_calendar), as serve's worker uses without --calendar
  if (const engine::WorkflowModel* m = registry.Model(workflows::kStudyReferral)) {
    if (auto it = m->settings.find("list_calendar"); it != m->settings.end()) {
      CT_ASSIGN_OR_RETURN(calendar, replay::ParseListCalendar(it->second));
    }
  }
  ListJobMemory memory;
  return GenerateDueLists(log, registry, book, now, calendar, &memory).status();
}

}  // namespace

std::vector<DemoUser> MakeDemoUsers() {
  auto token = [] { return NewServiceToken(); };
  return {{"A-J1", "af_officer", "jarva", "bankid", token()},   {"A-G1", "af_officer", "globen", "bankid", token()},
          {"A-C1", "af_officer", "city", "bankid", token()},    {"V-1", "syv", "", "service_card", token()},
          {"C-1", "compliance", "", "bankid", token()},         {"G-1", "strategic", "", "bankid", token()},
          {"W-1", "worker", "", "system", token()},             {"ADM-1", "admin", "", "bankid", token()}};
}

Result<std::string> DemoUsersJson(const std::vector<DemoUser>& users) {
  boost::json::array a;
  for (const auto& u : users) {
    CT_ASSIGN_OR_RETURN(std::string hash, HashServiceToken(u.token));
    boost::json::object o{{"id", u.id}, {"token_hash", hash}, {"role", u.role}, {"auth", u.auth}};
    if (!u.unit.empty()) o["unit"] = u.unit;
    a.push_back(std::move(o));
  }
  return boost::json::serialize(boost::json::object{{"users", std::move(a)}});
}

std::string DemoTokensText(const std::vector<DemoUser>& users) {
  std::string out;
  for (const auto& u : users) {
    out += "  " + u.id + "\t" + u.role + (u.unit.empty() ? "" : "/" + u.unit) + "\t" + u.token + "\n";
  }
  return out;
}

Result<std::string> AddFixtureCase(engine::CaseService& service, engine::FakeClock& clock, storage::Log* log,
                                   const engine::DefinitionRegistry* registry) {
  auto at = [&](const char* t) { clock.Set(*engine::ParseRfc3339(t)); };
  const auto officer = As("A-J1", "af_officer", "jarva", "bankid");
  const auto syv = As("V-1", "syv", "", "service_card"), vux = As("V-2", "syv", "", "service_card");
  at("2025-01-13T09:40:00+01:00");
  CT_ASSIGN_OR_RETURN(auto subject, service.RegisterSubject(officer, {"19910315-2386", "Tova Fixtursson", "female",
                                                                      "+46700000001", "tova.fixtursson@example.test"}));
  CT_RETURN_IF_ERROR(service.GrantConsent(officer, subject.subject_id,
                                          {"transfer_referral", "share_guidance", "share_study_progress"}, "signed_form",
                                          "F01-blankett").status());
  at("2025-01-13T09:55:00+01:00");
  CT_ASSIGN_OR_RETURN(auto c, service.OpenCase(officer, subject.subject_id,
                                                     {{"unit", std::string("jarva")}, {"channel", std::string("space")},
                                                      {"long_term_unemployed", true}, {"lacks_upper_secondary", true},
                                                      {"resident_stockholm", true}, {"rom_participant", true},
                                                      {"need_assessed", true}}));
  struct Step {
    const char* at;
    const engine::RequestContext* who;
    const char* command;
    Fields fields;
    const char* effective;
  };
  const std::vector<Step> steps = {
      {"2025-01-20T14:10:00+01:00", &syv, "BookConversation", {{"slot", std::string("2025-01-28T10:00:00+01:00")}, {"mode", std::string("in_person")}}, nullptr},
      {"2025-01-28T10:30:00+01:00", &syv, "RecordNoShow", {}, nullptr},
      {"2025-02-05T15:00:00+01:00", &syv, "RecordMonthlyReview", {{"meeting", std::string("monthly:jarva:2025-02")}, {"joint_plan", std::string("rebook_digital")}}, nullptr},
      {"2025-02-06T09:15:00+01:00", &syv, "BookConversation", {{"slot", std::string("2025-02-12T13:00:00+01:00")}, {"mode", std::string("digital")}}, nullptr},
      {"2025-02-12T13:55:00+01:00", &syv, "RecordConversationHeld", {{"outcome", std::string("no_plan")}}, nullptr},
      {"2025-03-17T11:00:00+01:00", &syv, "RecordStudyApplication", {{"level", std::string("upper_secondary")}, {"term_start", std::string("2025-04-07")}}, nullptr},
      {"2025-03-18T10:20:00+01:00", &syv, "CreateStudyPlan", {}, nullptr},
      {"2025-04-09T09:00:00+02:00", &vux, "RecordStudiesStarted", {{"start_date", std::string("2025-04-07")}, {"pace", std::string("part_time")}}, "2025-04-07T08:00:00+02:00"},
      {"2025-10-07T10:00:00+02:00", &vux, "RecordStudyPace", {{"pace", std::string("full_time")}, {"list", std::string("progression:jarva:2025-Q3")}}, "2025-08-18T08:00:00+02:00"},
      {"2026-01-13T11:00:00+01:00", &vux, "RecordInterruption", {{"scope", std::string("all_courses")}, {"reason", std::string("employment")}}, "2025-11-14T08:00:00+01:00"},
  };
  for (const auto& s : steps) {
    at(s.at);
    const std::string* list = engine::AsText(s.fields, "list");
    if (log && registry && (list || s.fields.count("meeting"))) {
      CT_RETURN_IF_ERROR(GenerateListsDueBy(*log, *registry, clock.Now()));
      if (list) {  // F14: Järva's contact person publishes the quarterly list before Vux answers on it
        CT_ASSIGN_OR_RETURN(StoredList stored, ReadList(*log, *list));
        const auto published = *engine::ParseRfc3339("2025-09-30T17:00:00+02:00");
        CT_RETURN_IF_ERROR(engine::AppendRecord(*log, ListStream(*list), "ProgressionListPublished", officer.actor,
                                                {{"list_id", *list}, {"content_hash", stored.list.content_hash}},
                                                published, published)
                               .status());
      }
    }
    engine::Command cmd{s.command, s.fields, std::nullopt};
    if (s.effective) cmd.effective_at = *engine::ParseRfc3339(s.effective);
    CT_RETURN_IF_ERROR(service.Execute(*s.who, c.case_id, cmd, std::nullopt).status());
  }
  at("2026-01-20T09:30:00+01:00");
  CT_RETURN_IF_ERROR(service.WithdrawConsent(officer, subject.subject_id, service.model().ScopeNames()).status());
  return c.case_id;
}

Result<DemoStats> PopulateDemo(engine::CaseService& service, engine::FakeClock& clock, int cases, uint32_t seed) {
  std::mt19937 rng(seed);
  auto chance = [&](int percent) { return std::uniform_int_distribution<int>(1, 100)(rng) <= percent; };
  auto pick = [&](auto& arr) { return arr[std::uniform_int_distribution<size_t>(0, std::size(arr) - 1)(rng)]; };
  const char* units[] = {"jarva", "globen", "city"};
  const char* officers[] = {"A-J1", "A-G1", "A-C1"};
  const auto syv = As("V-1", "syv", "", "service_card");
  DemoStats stats;
  // Revision 1 was adopted 2025-01-01; histories (up to ~200 days each) end before late 2026.
  const auto start = *engine::ParseRfc3339("2025-01-08T09:00:00+01:00");
  // Referrals spread over two years; each case's history follows from its referral day.
  for (int n = 0; n < cases; ++n) {
    clock.Set(start + std::chrono::hours(24 * (n * 480 / cases)) + std::chrono::minutes(n % 480));
    const int u = n % 3;
    const auto officer = As(officers[u], "af_officer", units[u], "bankid");
    engine::SubjectInput in{DemoNumber(n), std::string(pick(kGiven)) + " " + pick(kFamily),
                            chance(52) ? "female" : (chance(96) ? "male" : "unknown"), "+46700000000", ""};
    CT_ASSIGN_OR_RETURN(auto subject, service.RegisterSubject(officer, in));
    ++stats.subjects;
    CT_ASSIGN_OR_RETURN(auto consent, service.GrantConsent(officer, subject.subject_id,
                                                           {"transfer_referral", "share_guidance", "share_study_progress"},
                                                           "signed_form", "demo-form-" + std::to_string(n)));
    (void)consent;
    Fields f = {{"unit", std::string(units[u])}, {"channel", std::string(chance(85) ? "space" : "group_activity")},
                {"long_term_unemployed", chance(70)}, {"lacks_upper_secondary", true}, {"resident_stockholm", true},
                {"rom_participant", chance(30)}, {"need_assessed", true}};
    const bool group = std::get<std::string>(f["channel"]) == "group_activity";
    CT_ASSIGN_OR_RETURN(auto c, service.OpenCase(group ? syv : officer, subject.subject_id, f));
    ++stats.cases;
    const std::string id = c.case_id;
    auto later = [&](int days) { clock.Advance(std::chrono::hours(24 * days)); };
    auto run = [&](const engine::RequestContext& who, const char* cmd, Fields fields) {
      auto r = service.Execute(who, id, engine::Command{cmd, std::move(fields), std::nullopt}, std::nullopt);
      if (r.ok()) ++stats.commands;
      return r.ok();
    };
    auto slot = [&](int days) { return engine::FormatRfc3339(clock.Now() + std::chrono::hours(24 * days)); };
    if (chance(5)) { run(syv, "RecordCustomerDeclined", {}); continue; }
    if (chance(3)) { run(syv, "RejectReferral", {{"reason", std::string("not_resident")}}); continue; }
    later(3);
    run(syv, "BookConversation", {{"slot", slot(5)}, {"mode", std::string(chance(60) ? "in_person" : "digital")}});
    later(6);
    if (chance(15)) {
      run(syv, "RecordNoShow", {});
      if (chance(40)) continue;  // left in "referred" for the monthly list
      later(3);
      run(syv, "BookConversation", {{"slot", slot(4)}, {"mode", std::string("digital")}});
      later(5);
    }
    if (chance(8)) continue;  // still booked
    const bool plan = chance(55);
    run(syv, "RecordConversationHeld", {{"outcome", std::string(plan ? "plan" : "no_plan")}});
    if (!plan) {
      if (chance(50)) continue;  // unplanned
      later(25);
      if (!run(syv, "CreateStudyPlan", {})) continue;
    }
    if (chance(20)) continue;  // planned
    later(14);
    if (chance(8)) {
      service.WithdrawConsent(officer, subject.subject_id, {"transfer_referral"}).status().IgnoreError();
      continue;
    }
    run(syv, "RecordStudiesStarted", {{"start_date", engine::FormatRfc3339(clock.Now()).substr(0, 10)},
                                      {"pace", std::string(chance(60) ? "full_time" : "part_time")}});
    later(80);
    if (chance(40)) run(syv, "RecordStudyPace", {{"pace", std::string(chance(50) ? "full_time" : "part_time")}});
    if (chance(15)) run(syv, "RecordLackOfProgression", {});
    later(40);
    if (chance(18)) {
      run(syv, "RecordInterruption", {{"reason", std::string(chance(50) ? "employment" : "health")}});
      if (chance(30)) { later(30); run(syv, "RecordStudiesResumed", {}); }
      continue;
    }
    if (chance(30)) run(syv, "RecordStudiesCompleted", {});
  }
  return stats;
}

}  // namespace casetrail::adapters
