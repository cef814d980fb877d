// The synthetic study-referral population the benchmarks share: one case life per n, with
// realistic proportions (most cases booked, about half planned, some aborted, some declined).
#pragma once

#include <random>
#include <string>
#include <vector>

#include "tests/bench/bench_engine.h"

namespace casetrail::bench {

struct Step {
  std::string command;
  engine::Fields fields;
};

// The commands after the referral of case `n`, drawn from `n`.
inline std::vector<Step> Life(int n) {
  std::mt19937 rng(n);
  auto p = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };
  std::vector<Step> s;
  if (p(6)) return {{"RecordCustomerDeclined", {}}};
  if (!p(90)) return s;  // still referred
  s.push_back({"BookConversation", {{"slot", std::string("2030-01-01T10:00:00Z")}}});
  if (p(12)) return s;  // booked, waiting
  s.push_back({"RecordConversationHeld", {{"outcome", std::string(p(55) ? "plan" : "no_plan")}}});
  if (std::get<std::string>(s.back().fields["outcome"]) == "no_plan") return s;
  if (!p(85)) {
    s.push_back({"RecordEducationNotStarted", {{"reason", std::string("course_cancelled_too_few_eligible")}}});
    return s;
  }
  s.push_back({"RecordStudiesStarted", {{"start_date", std::string("2025-03-03")}, {"pace", std::string(p(50) ? "full_time" : "part_time")}}});
  for (int k = 0; k < 1 + static_cast<int>(rng() % 3); ++k) s.push_back({"RecordStudyPace", {{"pace", std::string(k % 2 ? "full_time" : "part_time")}}});
  if (p(20)) s.push_back({"RecordInterruption", {{"reason", std::string("employment")}}});
  else if (p(50)) s.push_back({"RecordStudiesCompleted", {}});
  return s;
}

inline const char* kUnits[] = {"globen", "jarva", "city"};

// The engine embedded, running whole case lives.
struct PopulationEngine : BenchEngine {
  explicit PopulationEngine(std::string d, bool reuse = false)
      : BenchEngine(std::move(d), "2025-03-03T09:00:00+01:00", reuse) {}

  // Registers, consents, refers and walks case `n`; returns commands appended.
  int Run(int n) {
    using engine::RequestContext;
    const std::string unit = kUnits[n % 3];
    RequestContext officer{{"A-" + unit, "af_officer", unit, "bankid", ""}, "public_task", "", ""};
    RequestContext syv{{"V-1", "syv", "", "service_card", ""}, "public_task", "", ""};
    auto s = service->RegisterSubject(officer, {BenchNumber(n), "Bench Person", n % 2 ? "female" : "male", "", ""});
    if (!s.ok()) return 0;
    (void)service->GrantConsent(officer, s->subject_id, {"transfer_referral", "share_guidance", "share_study_progress"}, "signed_form", "");
    engine::Fields f = {{"unit", unit}, {"channel", std::string("space")}, {"long_term_unemployed", true},
                        {"lacks_upper_secondary", true}, {"resident_stockholm", true}, {"need_assessed", true},
                        {"rom_participant", n % 4 == 0}};
    auto c = service->OpenCase(officer, s->subject_id, f);
    if (!c.ok()) return 2;
    int ok = 3;
    for (auto& step : Life(n)) {
      const auto& who = step.command == "RecordCustomerDeclined" ? officer : syv;
      ok += service->Execute(who, c->case_id, engine::Command{step.command, step.fields, std::nullopt}, std::nullopt).ok();
    }
    return ok;
  }
};

}  // namespace casetrail::bench
