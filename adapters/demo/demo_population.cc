#include "adapters/demo/demo_population.h"

#include <boost/json.hpp>
#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>

#include "adapters/workers/governance_jobs.h"
#include "adapters/workers/list_jobs.h"
#include "engine/consent.h"
#include "engine/cooperation_records.h"
#include "replay/follow_up_lists.h"
#include "replay/reminders.h"
#include "replay/stockholm_time.h"
#include "storage/base/hex.h"
#include "workflows/study_referral.h"

namespace casetrail::adapters {
namespace {

using engine::Fields;
using engine::Timestamp;

const char* kGiven[] = {"Demo Anna", "Demo Ali", "Demo Sara", "Demo Erik", "Demo Leyla", "Demo Johan", "Demo Maria", "Demo Omar"};
const char* kFamily[] = {"Testsson", "Exempelsdotter", "Provberg", "Fiktivsson", "Demoqvist"};
const char* kUnits[] = {"jarva", "globen", "city"};
const char* kOfficers[] = {"A-J1", "A-G1", "A-C1"};
const char* kCounsellors[] = {"V-1", "V-2", "V-3"};

engine::RequestContext As(const char* id, const char* role, const char* unit, const char* auth) {
  return {{id, role, unit, auth, ""}, "public_task", "", ""};
}
engine::RequestContext Officer(int u) { return As(kOfficers[u], "af_officer", kUnits[u], "bankid"); }
engine::RequestContext Counsellor(int i) { return As(kCounsellors[i % 3], "syv", "", "service_card"); }

Timestamp T(const char* rfc3339) { return *engine::ParseRfc3339(rfc3339); }
std::chrono::hours Days(int d) { return std::chrono::hours(24 * d); }
Timestamp DayStart(const std::string& date) {
  return replay::StockholmTime(std::stoi(date.substr(0, 4)), std::stoi(date.substr(5, 2)), std::stoi(date.substr(8, 2)), 0, 0);
}
Timestamp AtHour(const std::string& date, int hour) { return DayStart(date) + std::chrono::hours(hour); }
std::string Ym(int y, int m) {
  char s[8];
  std::snprintf(s, sizeof(s), "%04d-%02d", y, m);
  return s;
}

// One generated case history, advanced stage by stage in time order with the others.
struct CaseRun {
  int n = 0;
  int unit = 0;
  std::mt19937 rng;
  std::string subject, id;
  int stage = 0;
  bool plan = false;
};

class Demo {
 public:
  Demo(engine::CaseService& service, storage::Log& log, const engine::DefinitionRegistry& registry,
       engine::FakeClock& clock, uint32_t seed)
      : service_(service), log_(log), registry_(registry), clock_(clock), seed_(seed), book_(&registry) {}

  Result<DemoStats> Populate(int cases) {
    const Timestamp start = T("2025-01-08T09:00:00+01:00");
    for (int n = 0; n < cases; ++n) {
      auto run = std::make_shared<CaseRun>();
      run->n = n;
      run->unit = n % 3;
      run->rng.seed(seed_ * 7919u + static_cast<uint32_t>(n));
      runs_.push_back(run);
      Schedule(start + Days(n * 480 / std::max(cases, 1)) + std::chrono::minutes(n % 480), run);
    }
    ScheduleFixture();
    ScheduleCooperation();
    CT_RETURN_IF_ERROR(Run(T("2026-11-30T18:00:00+01:00")));
    CT_RETURN_IF_ERROR(EnsureLists());
    return stats_;
  }

 private:
  using Step = std::function<Status()>;
  void At(Timestamp t, Step s) { queue_.emplace(t, std::move(s)); }
  void Schedule(Timestamp t, std::shared_ptr<CaseRun> run) {
    At(t, [this, run] { return Advance(*run); });
  }

  Status Run(Timestamp until) {
    while (!queue_.empty() && queue_.begin()->first <= until) {
      auto it = queue_.begin();
      clock_.Set(it->first);
      Step s = std::move(it->second);
      queue_.erase(it);
      CT_RETURN_IF_ERROR(s());
    }
    queue_.clear();
    return Status::Ok();
  }

  // The follow-up lists due by now, as the worker generates them (J1, J3): folded from the log.
  Status EnsureLists() {
    while (true) {
      CT_ASSIGN_OR_RETURN(auto batch, log_.ReadAll(Position(folded_ + 1), 4096));
      if (batch.empty()) break;
      for (const auto& r : batch) book_.Apply(r);
      folded_ = batch.back().position.value();
    }
    // The model's calendar, as serve's worker uses it without --calendar; read once.
    if (!calendar_) {
      const engine::WorkflowModel* m = registry_.Model(workflows::kStudyReferral);
      if (!m) return NotFound("the demo's workflow model is not registered");
      CT_ASSIGN_OR_RETURN(calendar_, ListCalendarOf(*m));
    }
    return GenerateDueLists(log_, registry_, book_, clock_.Now(), *calendar_, &lists_).status();
  }

  bool Chance(std::mt19937& rng, int percent) { return std::uniform_int_distribution<int>(1, 100)(rng) <= percent; }
  // Like Chance, but true the first time for `what`: the rare branches happen at least once, so
  // the demo holds every event type whatever the number of cases.
  bool AtLeastOnce(std::mt19937& rng, const char* what, int percent) {
    const bool hit = Chance(rng, percent);
    return forced_.insert(what).second || hit;
  }
  template <typename A>
  auto Pick(std::mt19937& rng, const A& arr) {
    return arr[std::uniform_int_distribution<size_t>(0, std::size(arr) - 1)(rng)];
  }
  bool Exec(const engine::RequestContext& who, const std::string& id, const char* command, Fields fields,
            std::optional<Timestamp> effective = std::nullopt) {
    if (id.empty()) return false;
    auto r = service_.Execute(who, id, engine::Command{command, std::move(fields), effective}, std::nullopt);
    if (r.ok()) ++stats_.commands;
    return r.ok();
  }
  std::string Slot(int days) { return engine::FormatRfc3339(clock_.Now() + Days(days)); }
  std::string Today() { return replay::StockholmDate(clock_.Now()); }

  // A test-series number for the n-th subject, born `year`: the date from n (unique with the
  // birth number for n < 3360), birth number 980–999 by n and gender.
  static std::string Number(int n, int year, bool male) {
    return TestSeriesNumber(year, 1 + n % 12, 1 + (n / 12) % 28, 980 + 2 * ((n / 336) % 10) + (male ? 1 : 0));
  }

  Result<std::string> Register(const engine::RequestContext& who, const std::string& number, const std::string& name,
                               const std::string& gender, const std::string& form) {
    CT_ASSIGN_OR_RETURN(auto subject, service_.RegisterSubject(who, {number, name, gender, "+46700000000", ""}));
    stats_.personal_numbers.push_back(number);
    ++stats_.subjects;
    CT_RETURN_IF_ERROR(service_.GrantConsent(who, subject.subject_id,
                                             {"transfer_referral", "share_guidance", "share_study_progress"},
                                             "signed_form", form)
                           .status());
    return subject.subject_id;
  }

  // The position of a case's first event (what CorrectEvent names).
  std::optional<int64_t> FirstPosition(const std::string& id) {
    auto first = log_.ReadStream(StreamId("case:" + id), StreamVersion(1), storage::Direction::kForward, 1);
    if (!first.ok() || first->empty()) return std::nullopt;
    return static_cast<int64_t>((*first)[0].position.value());
  }

  // One stage of a generated history; schedules the next.
  Status Advance(CaseRun& c) {
    auto& rng = c.rng;
    auto officer = Officer(c.unit);
    const auto syv = Counsellor(c.n + c.stage);
    int next = -1;  // days to the next stage
    switch (c.stage) {
      case 0: {  // F01–F02: registration, consent, referral
        const int ref_year = std::stoi(Today().substr(0, 4));
        const int r = std::uniform_int_distribution<int>(1, 100)(rng);
        const int age = r <= 80   ? std::uniform_int_distribution<int>(20, 29)(rng)
                        : r <= 94 ? std::uniform_int_distribution<int>(30, 49)(rng)
                                  : std::uniform_int_distribution<int>(18, 19)(rng);
        const std::string gender = Chance(rng, 52) ? "female" : (Chance(rng, 96) ? "male" : "unknown");
        CT_ASSIGN_OR_RETURN(c.subject, Register(officer, Number(c.n, ref_year - age, gender == "male"),
                                                std::string(Pick(rng, kGiven)) + " " + Pick(rng, kFamily), gender,
                                                "demo-form-" + std::to_string(c.n)));
        Fields f = {{"unit", std::string(kUnits[c.unit])}, {"channel", std::string(Chance(rng, 85) ? "space" : "group_activity")},
                    {"long_term_unemployed", Chance(rng, 70)}, {"lacks_upper_secondary", true}, {"resident_stockholm", true},
                    {"rom_participant", Chance(rng, 30)}, {"need_assessed", true}};
        const bool group = std::get<std::string>(f["channel"]) == "group_activity";
        auto opened = service_.OpenCase(group ? syv : officer, c.subject, f);
        if (!opened.ok()) return Status::Ok();
        c.id = opened->case_id;
        ++stats_.cases;
        if (AtLeastOnce(rng, "declined", 5)) {
          Exec(syv, c.id, "RecordCustomerDeclined", {});
          if (erasable_.empty()) erasable_ = c.subject;
          break;
        }
        if (AtLeastOnce(rng, "rejected", 3)) { Exec(syv, c.id, "RejectReferral", {{"reason", std::string("not_resident")}}); break; }
        if (AtLeastOnce(rng, "corrected", 4)) {  // an attestation on the referral corrected
          if (auto p = FirstPosition(c.id)) {
            Exec(group ? syv : officer, c.id, "CorrectEvent",  // by the referral's author
                 {{"corrects", *p}, {"fields", std::vector<std::string>{"long_term_unemployed"}}});
          }
        }
        if (AtLeastOnce(rng, "withdrawn", 3)) { c.stage = 90; next = 10; break; }
        next = 3;
        break;
      }
      case 1:  // F03: booking (after a transfer, now and then)
        if (AtLeastOnce(rng, "transferred", 5)) {
          const int to = (c.unit + 1 + std::uniform_int_distribution<int>(0, 1)(rng)) % 3;
          if (Exec(officer, c.id, "TransferCase", {{"to_unit", std::string(kUnits[to])}})) c.unit = to;
        }
        Exec(syv, c.id, "BookConversation", {{"slot", Slot(5)}, {"mode", std::string(Chance(rng, 60) ? "in_person" : "digital")}});
        if (AtLeastOnce(rng, "rescheduled", 12)) { c.stage = 2; next = 2; break; }
        c.stage = 3;
        next = 6;
        break;
      case 2:
        Exec(syv, c.id, "RescheduleConversation", {{"slot", Slot(4)}});
        c.stage = 3;
        next = 5;
        break;
      case 3:
        if (AtLeastOnce(rng, "no_show", 15)) {
          Exec(syv, c.id, "RecordNoShow", {});
          if (Chance(rng, 40)) break;  // left in "referred" for the monthly list
          c.stage = 4;
          next = 3;
          break;
        }
        c.stage = 5;
        next = 0;
        break;
      case 4:
        Exec(syv, c.id, "BookConversation", {{"slot", Slot(4)}, {"mode", std::string("digital")}});
        c.stage = 5;
        next = 5;
        break;
      case 5:
        if (Chance(rng, 8)) break;  // still booked
        c.plan = Chance(rng, 55);
        Exec(syv, c.id, "RecordConversationHeld", {{"outcome", std::string(c.plan ? "plan" : "no_plan")}});
        if (AtLeastOnce(rng, "applied", 35)) {
          Exec(syv, c.id, "RecordStudyApplication", {{"level", std::string(Chance(rng, 50) ? "upper_secondary" : "basic")},
                                                     {"term_start", Slot(30).substr(0, 10)}});
        }
        if (!c.plan) {
          if (Chance(rng, 50)) break;  // unplanned
          c.stage = 6;
          next = 25;
          break;
        }
        c.stage = 7;
        next = 14;
        break;
      case 6:
        if (!Exec(syv, c.id, "CreateStudyPlan", {})) break;
        c.stage = 7;
        next = 14;
        break;
      case 7:
        if (AtLeastOnce(rng, "revised", 10)) Exec(syv, c.id, "ReviseStudyPlan", {{"level", std::string("vocational")}});
        if (Chance(rng, 20)) break;  // planned
        if (AtLeastOnce(rng, "not_started", 6)) {
          Exec(syv, c.id, "RecordEducationNotStarted", {{"reason", std::string("course_cancelled_too_few_eligible")}});
          break;
        }
        if (Chance(rng, 8)) {
          service_.WithdrawConsent(officer, c.subject, {"transfer_referral"}).status().IgnoreError();
          break;
        }
        Exec(syv, c.id, "RecordStudiesStarted", {{"start_date", Today()}, {"pace", std::string(Chance(rng, 60) ? "full_time" : "part_time")}});
        c.stage = 8;
        next = 80;
        break;
      case 8:
        if (Chance(rng, 40)) Exec(syv, c.id, "RecordStudyPace", {{"pace", std::string(Chance(rng, 50) ? "full_time" : "part_time")}});
        if (AtLeastOnce(rng, "lack", 15)) Exec(syv, c.id, "RecordLackOfProgression", {});
        if (AtLeastOnce(rng, "other_change", 8)) Exec(syv, c.id, "RecordOtherStudyChange", {{"kind", std::string("course_change")}});
        c.stage = 9;
        next = 40;
        break;
      case 9:
        if (AtLeastOnce(rng, "interrupted", 18)) {
          Exec(syv, c.id, "RecordInterruption", {{"reason", std::string(Chance(rng, 50) ? "employment" : "health")}});
          if (AtLeastOnce(rng, "resumed", 30)) { c.stage = 10; next = 30; }
          break;
        }
        if (Chance(rng, 30)) Exec(syv, c.id, "RecordStudiesCompleted", {});
        break;
      case 10:
        Exec(syv, c.id, "RecordStudiesResumed", {});
        break;
      case 90:
        Exec(officer, c.id, "WithdrawReferral", {{"reason", std::string("employed")}});
        break;
    }
    if (c.stage == 0) c.stage = 1;
    if (next >= 0) Schedule(clock_.Now() + Days(next) + std::chrono::minutes(std::uniform_int_distribution<int>(0, 300)(rng)),
                            std::shared_ptr<CaseRun>(runs_[c.n]));
    return Status::Ok();
  }

  // DOMAIN §7, F01–F20, on its own dates.
  void ScheduleFixture() {
    const auto officer = As("A-J1", "af_officer", "jarva", "bankid");
    const auto syv = As("V-1", "syv", "", "service_card"), vux = As("V-2", "syv", "", "service_card");
    auto subject = std::make_shared<std::string>();
    At(T("2025-01-13T09:40:00+01:00"), [this, officer, subject]() -> Status {
      CT_ASSIGN_OR_RETURN(*subject, Register(officer, TestSeriesNumber(1991, 3, 15, 982), "Tova Fixtursson", "female", "F01-blankett"));
      return Status::Ok();
    });
    At(T("2025-01-13T09:55:00+01:00"), [this, officer, subject]() -> Status {
      CT_ASSIGN_OR_RETURN(auto c, service_.OpenCase(officer, *subject,
                                                     {{"unit", std::string("jarva")}, {"channel", std::string("space")},
                                                      {"long_term_unemployed", true}, {"lacks_upper_secondary", true},
                                                      {"resident_stockholm", true}, {"rom_participant", true},
                                                      {"need_assessed", true}}));
      stats_.fixture_case = c.case_id;
      ++stats_.cases;
      return Status::Ok();
    });
    struct FixtureStep {
      const char* at;
      engine::RequestContext who;
      const char* command;
      Fields fields;
      const char* effective;
    };
    const std::vector<FixtureStep> steps = {
        {"2025-01-20T14:10:00+01:00", syv, "BookConversation", {{"slot", std::string("2025-01-28T10:00:00+01:00")}, {"mode", std::string("in_person")}}, nullptr},
        {"2025-01-28T10:30:00+01:00", syv, "RecordNoShow", {}, nullptr},
        {"2025-02-05T15:00:00+01:00", syv, "RecordMonthlyReview", {{"meeting", std::string("monthly:jarva:2025-02")}, {"joint_plan", std::string("rebook_digital")}}, nullptr},
        {"2025-02-06T09:15:00+01:00", syv, "BookConversation", {{"slot", std::string("2025-02-12T13:00:00+01:00")}, {"mode", std::string("digital")}}, nullptr},
        {"2025-02-12T13:55:00+01:00", syv, "RecordConversationHeld", {{"outcome", std::string("no_plan")}}, nullptr},
        {"2025-03-17T11:00:00+01:00", syv, "RecordStudyApplication", {{"level", std::string("upper_secondary")}, {"term_start", std::string("2025-04-07")}}, nullptr},
        {"2025-03-18T10:20:00+01:00", syv, "CreateStudyPlan", {}, nullptr},
        {"2025-04-09T09:00:00+02:00", vux, "RecordStudiesStarted", {{"start_date", std::string("2025-04-07")}, {"pace", std::string("part_time")}}, "2025-04-07T08:00:00+02:00"},
        {"2025-10-07T10:00:00+02:00", vux, "RecordStudyPace", {{"pace", std::string("full_time")}, {"list", std::string("progression:jarva:2025-Q3")}}, "2025-08-18T08:00:00+02:00"},
        {"2026-01-13T11:00:00+01:00", vux, "RecordInterruption", {{"scope", std::string("all_courses")}, {"reason", std::string("employment")}}, "2025-11-14T08:00:00+01:00"},
    };
    for (const auto& s : steps) {
      At(T(s.at), [this, s]() -> Status {
        // A meeting or a list it names exists first (generated as the worker would).
        if (s.fields.count("meeting") || s.fields.count("list")) CT_RETURN_IF_ERROR(EnsureLists());
        engine::Command cmd{s.command, s.fields, std::nullopt};
        if (s.effective) cmd.effective_at = T(s.effective);
        CT_RETURN_IF_ERROR(service_.Execute(s.who, stats_.fixture_case, cmd, std::nullopt).status());
        ++stats_.commands;
        return Status::Ok();
      });
    }
    At(T("2026-01-20T09:30:00+01:00"), [this, officer, subject]() -> Status {
      return service_.WithdrawConsent(officer, *subject, service_.model().ScopeNames()).status();
    });
  }

  Status Record(const StreamId& stream, const char* type, const engine::RequestContext& who, Fields facts,
                Timestamp effective) {
    return engine::AppendRecord(log_, stream, type, who.actor, std::move(facts), clock_.Now(), effective).status();
  }

  // A monthly meeting (MeetingHeld) and the reviews of the cases on its list.
  Status MonthlyMeeting(int u, int y, int m) {
    CT_RETURN_IF_ERROR(EnsureLists());
    const std::string id = "monthly:" + std::string(kUnits[u]) + ":" + Ym(y, m);
    const auto officer = Officer(u), syv = Counsellor(u + m);
    CT_RETURN_IF_ERROR(Record(MeetingStream(kUnits[u]), "MeetingHeld", officer,
                              {{"unit", std::string(kUnits[u])}, {"kind", std::string("monthly")}, {"held_on", Today()},
                               {"participants", std::vector<std::string>{officer.actor.id, syv.actor.id}}, {"meeting", id}},
                              DayStart(Today())));
    auto list = ReadList(log_, id);
    if (!list.ok()) return Status::Ok();
    std::mt19937 rng(seed_ + static_cast<uint32_t>(y * 100 + m) * 3 + static_cast<uint32_t>(u));
    const char* plans[] = {"rebook_digital", "rebook_in_person", "group_activity_then_syv_follow_up", "other"};
    for (const auto& e : list->list.cases) {
      if (e.case_id == stats_.fixture_case) continue;  // the fixture keeps its own history
      auto state = service_.LoadCase(e.case_id);
      if (!state.ok() || !replay::OnMonthlyLists(state->state)) continue;
      if (state->state == "referred" && Chance(rng, 12)) {
        Exec(syv, e.case_id, "MarkUnplanned", {{"reason", std::string("not_reached")}, {"meeting", id}});
      } else if (Chance(rng, 65)) {
        Exec(syv, e.case_id, "RecordMonthlyReview", {{"meeting", id}, {"joint_plan", std::string(Pick(rng, plans))}});
      }
    }
    return Status::Ok();
  }

  // Each unit's progression list published, and Vux's written feedback on it (some of it a pace
  // change back-dated to when it happened).
  Status QuarterlyExchange(int y, int q) {
    CT_RETURN_IF_ERROR(EnsureLists());
    std::mt19937 rng(seed_ + static_cast<uint32_t>(y * 10 + q));
    for (int u = 0; u < 3; ++u) {
      const std::string id = "progression:" + std::string(kUnits[u]) + ":" + std::to_string(y) + "-Q" + std::to_string(q);
      auto list = ReadList(log_, id);
      if (!list.ok()) continue;
      if (list->published_at.empty()) {
        CT_RETURN_IF_ERROR(Record(ListStream(id), "ProgressionListPublished", Officer(u),
                                  {{"list_id", id}, {"content_hash", list->list.content_hash}}, clock_.Now()));
      }
      for (const auto& e : list->list.cases) {
        if (e.case_id == stats_.fixture_case) continue;
        auto state = service_.LoadCase(e.case_id);
        if (!state.ok() || state->state != "studying") continue;
        const auto syv = Counsellor(u + q);
        const std::string pace = Chance(rng, 60) ? "full_time" : "part_time";
        if (Chance(rng, 12)) {
          Exec(syv, e.case_id, "RecordStudyPace", {{"pace", pace}, {"list", id}}, clock_.Now() - Days(12));
        } else if (Chance(rng, 60)) {
          Exec(syv, e.case_id, "RecordProgressionFeedback", {{"list", id}, {"pace", pace}});
        }
      }
    }
    return Status::Ok();
  }

  Status Decision(const engine::RequestContext& who, Fields facts, const std::string& effective_from, int adopts) {
    engine::Event e;
    e.type = "DecisionRecorded";
    e.meta.actor = who.actor;
    e.meta.legal_basis = "public_task";
    e.meta.recorded_at = clock_.Now();
    e.meta.effective_at = AtHour(effective_from, 12);
    e.facts = std::move(facts);
    storage::AppendRequest req;
    req.writes.push_back({engine::DecisionStream(), storage::ExpectedVersion::Any(), {{e.type, engine::EncodeEvent(e)}}});
    if (adopts) {
      engine::Event a = e;
      a.type = "WorkflowRevisionAdopted";
      a.meta.workflow = "study-referral";
      a.meta.revision = adopts;
      a.facts = {{"workflow", std::string("study-referral")}, {"revision", int64_t{adopts}},
                 {"registry_number", e.facts["registry_number"]}, {"adopted", effective_from}};
      req.writes[0].events.push_back({a.type, engine::EncodeEvent(a)});
    }
    return log_.Append(req).status();
  }

  // The cooperation's own records between the case histories.
  void ScheduleCooperation() {
    const Timestamp end = T("2026-11-30T18:00:00+01:00");
    for (int y = 2025; y <= 2026; ++y) {
      for (int m = 1; m <= 12; ++m) {
        const Timestamp t = AtHour(replay::DefaultMeetingDay(y, m), 15);
        if (t > end) continue;
        for (int u = 0; u < 3; ++u) At(t + std::chrono::minutes(10 * u), [this, u, y, m] { return MonthlyMeeting(u, y, m); });
      }
      // The 2025 lists up to Q3 are published and answered; the later ones stay unpublished, so
      // the demo also shows lists awaiting AF's choice and publication.
      for (int q = 1; q <= 3 && y == 2025; ++q) {
        const Timestamp t = replay::ProgressionGenerationTime(y, q) + Days(5) - std::chrono::hours(6);
        if (t <= end) At(t, [this, y, q] { return QuarterlyExchange(y, q); });
      }
    }
    // A1: joint group activities, about six a year, 17–27 participants each.
    std::mt19937 rng(seed_ + 61);
    const std::vector<std::string> activity_days = {"2025-02-20", "2025-04-10", "2025-05-22", "2025-09-18", "2025-10-23",
                                                    "2025-11-20", "2026-02-19", "2026-04-16", "2026-05-21", "2026-09-17"};
    for (size_t i = 0; i < activity_days.size(); ++i) {
      const int u = static_cast<int>(i % 3);
      const int64_t participants = std::uniform_int_distribution<int>(17, 27)(rng);
      At(AtHour(activity_days[i], 16), [this, u, participants, day = activity_days[i]] {
        return Record(engine::ActivityStream(kUnits[u]), "GroupActivityHeld", Officer(u),
                      {{"unit", std::string(kUnits[u])}, {"kind", std::string("group_activity")}, {"participants_total", participants}},
                      DayStart(day));
      });
    }
    // A2: the other listed activities, done or not.
    const std::vector<std::pair<std::string, std::string>> listed = {
        {"2025-01-31", "booking_via_space"},           {"2025-03-20", "mutual_information_meeting"},
        {"2025-04-10", "provider_information_meeting"}, {"2025-09-15", "jobbtorg_cooperation_review"},
        {"2025-10-16", "mutual_information_meeting"},   {"2026-01-30", "booking_via_space"},
        {"2026-03-19", "mutual_information_meeting"},   {"2026-04-09", "provider_information_meeting"}};
    for (const auto& [day, kind] : listed) {
      At(AtHour(day, 17), [this, day = day, kind = kind] {
        return Record(CooperationActivityStream(), "ActivityHeld", Counsellor(0),
                      {{"kind", kind}, {"held_on", day}, {"unit", std::string()}}, DayStart(day));
      });
    }
    // J8: the strategic forum met twice in 2025 and once in 2026, when no next meeting was convened.
    const auto group = As("G-1", "strategic", "", "bankid");
    const std::vector<std::array<std::string, 3>> meetings = {{"2025-03-12", "2025-10-08", "vux"},
                                                              {"2025-10-08", "2026-03-11", "af"},
                                                              {"2026-03-11", "", "vux"}};
    for (const auto& [held, next, by] : meetings) {
      At(AtHour(held, 16), [this, group, held = held, next = next, by = by] {
        return Record(StrategicMeetingStream(), "StrategicMeetingHeld", group,
                      {{"held_on", held}, {"next_meeting_on", next}, {"convened_by", by}}, DayStart(held));
      });
    }
    // Decisions: revision 2 adopted, and the activity plan for 2026.
    At(T("2025-06-16T14:00:00+02:00"), [this, group] {
      return Decision(group, {{"body", std::string("operational_steering_group")},
                              {"subject", std::string("Progress sharing needs its own consent scope")},
                              {"decided_by", std::string("Operativa styrgruppen")}, {"presented_by", std::string("Beredningsgruppen")},
                              {"participants", std::vector<std::string>{"AF", "Vux"}}, {"registry_number", std::string("AF-2025/0612")}},
                      "2025-07-01", 2);
    });
    At(T("2025-12-03T14:00:00+01:00"), [this, group] {
      return Decision(group, {{"body", std::string("operational_steering_group")},
                              {"subject", std::string("Customers already in studies are registered; study routes besides komvux")},
                              {"decided_by", std::string("Operativa styrgruppen")}, {"presented_by", std::string("Beredningsgruppen")},
                              {"participants", std::vector<std::string>{"AF", "Vux"}}, {"registry_number", std::string("AF-2025/1187")}},
                      "2026-01-01", 3);
    });
    // T16 (rev3): AF registers customers who already study ("övriga i studier", 000 §4.1.2);
    // their cases start in `studying` and are listed on the next quarterly list.
    for (int k = 0; k < 3; ++k) {
      At(T("2026-02-16T10:00:00+01:00") + Days(20 * k), [this, k] {
        const auto officer = Officer(k);
        const char* routes[] = {"komvux", "folk_high_school", "labour_market_training"};
        CT_ASSIGN_OR_RETURN(std::string subject, Register(officer, Number(3300 + k, 2001 - k, k == 1), std::string(kGiven[k]) + " " + kFamily[k],
                                                          k == 1 ? "male" : "female", "demo-form-studies-" + std::to_string(k)));
        Fields f = {{"unit", std::string(kUnits[k])}, {"start_date", replay::StockholmDate(clock_.Now() - Days(30))},
                    {"pace", std::string(k == 2 ? "full_time" : "part_time")}, {"route", std::string(routes[k])}};
        auto opened = service_.OpenCase(officer, subject, f, "RegisterCustomerInStudies");
        if (!opened.ok()) return opened.status();
        ++stats_.cases;
        return Status::Ok();
      });
    }
    At(T("2025-12-10T14:00:00+01:00"), [this, group] {
      return Decision(group, {{"body", std::string("strategic_group")}, {"subject", std::string("Activity plan 2026: six joint group activities")},
                              {"decided_by", std::string("Strategiska gruppen")}, {"presented_by", std::string()},
                              {"participants", std::vector<std::string>{}}, {"registry_number", std::string("SG-2025/14")}},
                      "2026-01-01", 0);
    });
    // Deviations: one handled, one open.
    At(T("2025-05-05T10:00:00+02:00"), [this] {
      return Record(engine::DeviationStream("D-0000000001"), "DeviationReported", Counsellor(0),
                    {{"deviation_id", std::string("D-0000000001")}, {"kind", std::string("late_booking")},
                     {"summary", std::string("Booking took three weeks")}, {"unit", std::string("jarva")}},
                    AtHour("2025-04-28", 12));
    });
    At(T("2025-05-20T10:00:00+02:00"), [this, group] {
      return Record(engine::DeviationStream("D-0000000001"), "DeviationHandled", group,
                    {{"deviation_id", std::string("D-0000000001")}, {"action", std::string("Booking routine clarified")}},
                    AtHour("2025-05-20", 12));
    });
    At(T("2026-02-10T10:00:00+01:00"), [this] {
      return Record(engine::DeviationStream("D-0000000002"), "DeviationReported", Officer(2),
                    {{"deviation_id", std::string("D-0000000002")}, {"kind", std::string("list_late")},
                     {"summary", std::string("The progression list came a week late")}, {"unit", std::string("city")}},
                    AtHour("2026-02-03", 12));
    });
    // Migrations: open revision-1 cases moved to revision 2 after its adoption.
    At(T("2025-07-10T09:00:00+02:00"), [this] {
      const auto admin = As("C-1", "compliance", "", "bankid");
      int moved = 0;
      for (const auto& run : runs_) {
        if (moved >= 6 || run->id.empty()) continue;
        auto state = service_.LoadCase(run->id);
        if (!state.ok() || state->revision != 1 || state->state == "closed" || state->state == "completed") continue;
        moved += Exec(admin, run->id, "MigrateCase", {{"to_revision", int64_t{2}}});
      }
      return Status::Ok();
    });
    // An erasure on request (GDPR Art. 17) of a person who declined.
    At(T("2026-03-02T10:00:00+01:00"), [this] {
      if (erasable_.empty()) return Status::Ok();
      return service_.EraseSubject(As("C-1", "compliance", "", "bankid"), erasable_, "GDPR Art. 17(1)(a): the person asked",
                                   "demo-request-1")
          .status();
    });
  }

  engine::CaseService& service_;
  storage::Log& log_;
  const engine::DefinitionRegistry& registry_;
  engine::FakeClock& clock_;
  uint32_t seed_;
  replay::ReminderBook book_;
  uint64_t folded_ = 0;
  ListJobMemory lists_;
  std::optional<replay::ListCalendar> calendar_;
  std::multimap<Timestamp, Step> queue_;
  std::vector<std::shared_ptr<CaseRun>> runs_;
  std::string erasable_;
  std::set<std::string> forced_;  // AtLeastOnce branches taken
  DemoStats stats_;
};

}  // namespace

Result<DemoStats> PopulateDemo(engine::CaseService& service, storage::Log& log, const engine::DefinitionRegistry& registry,
                               engine::FakeClock& clock, int cases, uint32_t seed) {
  Demo demo(service, log, registry, clock, seed);
  return demo.Populate(cases);
}

}  // namespace casetrail::adapters
