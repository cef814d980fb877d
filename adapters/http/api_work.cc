// The caller's work: GET /v1/work, what the start page of the roles that handle cases shows.
//
// - reminders: the definition's timers (J5, J6, J7, J13, J14, J15) that are due now and whose
//   trigger still holds (nothing has been done about them: the case has not left the state),
//   whether the worker has fired them yet or not;
// - passed_bookings: cases waiting in a state where the definition's G-SLOT-PASSED guard applies
//   (a booking) whose `slot` has passed: no outcome recorded yet;
// - feedback_due: the cases on published progression lists of the caller's units that can still
//   be answered (the state and the person's consent allow the command emitting
//   ProgressionFeedbackRecorded) and have no feedback naming that list, for the current and the
//   three previous quarters; when AF chose whom to ask about (POST /v1/lists/progression/selection),
//   only the chosen, as J4 chases only them.
//
// Only cases the caller may see, and a reminder or booking only when the caller may see the data
// of the event behind it (an AF officer sees a Vux booking while share_guidance holds). The answer
// holds ids, kinds, states and times, never personal data, so like GET /v1/cases it records no
// read. Each list comes oldest first.
#include <algorithm>
#include <set>

#include "adapters/http/api.h"
#include "adapters/http/read_models.h"
#include "adapters/workers/list_jobs.h"
#include "engine/access_policy.h"
#include "engine/state_machine.h"
#include "engine/timers.h"
#include "replay/case_rebuild.h"
#include "replay/stockholm_time.h"

namespace casetrail::adapters {
namespace json = boost::json;

namespace {

// What the definitions say about the states the work is found in.
struct WorkStates {
  std::set<std::string> timers;    // some timer's in_states
  std::set<std::string> bookings;  // a command guarded by G-SLOT-PASSED is allowed
  std::set<std::string> feedback;  // the command emitting ProgressionFeedbackRecorded is allowed
  std::set<std::string> feedback_consent;  // … and the scopes it needs
};

WorkStates StatesOf(const engine::DefinitionRegistry& registry) {
  WorkStates out;
  for (const auto* def : registry.All()) {
    for (const auto& t : def->timers) out.timers.insert(t.in_states.begin(), t.in_states.end());
    for (const auto& cmd : def->commands) {
      const bool slot_passed = std::count(cmd.guards.begin(), cmd.guards.end(), "G-SLOT-PASSED") > 0;
      const bool feedback = std::any_of(cmd.outcomes.begin(), cmd.outcomes.end(), [](const engine::Outcome& o) {
        return std::any_of(o.emits.begin(), o.emits.end(), [](const engine::Emit& e) { return e.event == "ProgressionFeedbackRecorded"; });
      });
      if (slot_passed) out.bookings.insert(cmd.from.begin(), cmd.from.end());
      if (feedback) {
        out.feedback.insert(cmd.from.begin(), cmd.from.end());
        out.feedback_consent.insert(cmd.consent.begin(), cmd.consent.end());
      }
    }
  }
  return out;
}

// "YYYY-Qn" of the quarter `back` quarters before the one holding the Stockholm date `today`.
std::string QuarterBefore(const std::string& today, int back) {
  int y = std::stoi(today.substr(0, 4)), q = (std::stoi(today.substr(5, 2)) - 1) / 3 + 1;
  for (int i = 0; i < back; ++i) q == 1 ? (--y, q = 4) : --q;
  return std::to_string(y) + "-Q" + std::to_string(q);
}

}  // namespace

ApiResponse Api::Work(Call& c) {
  if (!c.query.empty()) return FromStatus(engine::UnknownFields(c.query.size(), "in the query"));
  if (!engine::RoleSeesCases(Model(), c.actor.role) || !May(c, "record_activity")) {
    return Problem(403, "forbidden", "this role handles no cases");
  }
  if (auto behind = FreshOr503(d_.directory->WaitFor(d_.log->GetHead().position, 2000), "cases")) return *behind;
  if (d_.worker) d_.worker->CatchUp(2000);
  const engine::Timestamp now = d_.clock->Now();
  const WorkStates states = StatesOf(*d_.registry);

  // The caller's cases (an AF officer: its unit's), by id.
  std::optional<std::string> unit;
  if (UnitBound(c)) unit = c.actor.unit;
  std::map<std::string, replay::CaseSummary> visible;
  for (auto& s : d_.directory->List(unit, std::nullopt, "", SIZE_MAX)) visible.emplace(s.case_id, std::move(s));

  // Candidates for reminders and bookings: with the worker's reminder book, only cases with a
  // reminder due or fired (a case read each); without it, every case in a timer's state.
  std::set<std::string> candidates;
  std::map<std::string, engine::Timestamp> sent_at;  // reminder id → when the worker fired it
  for (const auto& [id, s] : visible) {
    if (states.bookings.count(s.state) || (!d_.worker && states.timers.count(s.state))) candidates.insert(id);
  }
  if (d_.worker) {
    for (const char* status : {"due", "sent"}) {
      for (const auto& r : d_.worker->book().List(status, now)) {
        auto it = visible.find(r.case_id);
        if (r.due_at > now || it == visible.end() || !states.timers.count(it->second.state)) continue;
        candidates.insert(r.case_id);
        if (r.fired) sent_at[r.id] = r.sent_at;
      }
    }
  }

  struct Row {
    engine::Timestamp at;
    json::object body;
  };
  std::vector<Row> reminders, bookings, feedback;
  auto base = [](const replay::CaseSummary& s) {
    return json::object{{"case_id", s.case_id}, {"unit", s.unit}, {"state", s.state}, {"version", s.version}};
  };
  for (const auto& case_id : candidates) {
    auto events = replay::ReadCaseEvents(*d_.log, case_id);
    if (!events.ok()) return FromStatus(events.status());
    engine::CaseState state;
    engine::TimerInputs inputs;
    const engine::WorkflowDefinition* def = nullptr;
    for (const auto& e : *events) {
      def = d_.registry->Find(e.event.meta.workflow, e.event.meta.revision);
      if (!def) break;
      engine::Apply(state, e, *def);
      inputs.Apply(e, state);
    }
    if (!def || !state.Exists() || !engine::CheckCaseVisible(Model(), c.actor, state).ok()) continue;
    auto consent = d_.service->LoadConsent(state.subject_id);
    if (!consent.ok()) return FromStatus(consent.status());
    const auto active = consent->ActiveScopes(now);
    inputs.active_scopes = {active.begin(), active.end()};
    // Whether the caller may see the data of the case's latest event of `type`.
    auto shows = [&](const std::string& type) {
      auto spec = def->events.find(type);
      return spec != def->events.end() && engine::ShowsEventData(Model(), c.actor, spec->second, *consent, now);
    };
    json::object row = base(visible.at(case_id));
    row["state"] = state.state;
    row["version"] = state.version;

    for (const auto& t : engine::PendingTimers(case_id, inputs, *def)) {
      if (t.due_at > now) continue;
      auto spec = std::find_if(def->timers.begin(), def->timers.end(), [&](const auto& s) { return s.name == t.name && s.kind == t.kind; });
      if (spec == def->timers.end() || !shows(spec->after_event)) continue;
      json::object r = row;
      r["id"] = t.id;
      r["kind"] = t.kind;
      r["due_at"] = engine::FormatRfc3339(t.due_at);
      auto fired = sent_at.find(t.id);
      r["sent_at"] = fired == sent_at.end() ? json::value(nullptr) : json::value(engine::FormatRfc3339(fired->second));
      reminders.push_back({t.due_at, std::move(r)});
    }

    if (states.bookings.count(state.state)) {
      const std::string* slot = engine::AsText(state.facts, "slot");
      auto at = slot ? engine::ParseRfc3339(*slot) : Result<engine::Timestamp>(Status(StatusCode::kNotFound, "no slot"));
      // The event that set the slot: the latest one whose data carries it.
      std::string booked_by;
      for (auto e = events->rbegin(); e != events->rend() && booked_by.empty(); ++e) {
        if (engine::AsText(e->event.facts, "slot")) booked_by = e->event.type;
      }
      if (at.ok() && *at <= now && shows(booked_by)) {
        json::object b = row;
        b["slot"] = engine::FormatRfc3339(*at);
        bookings.push_back({*at, std::move(b)});
      }
    }
  }

  // Feedback due on the published progression lists of the units the caller works for.
  const std::string today = replay::StockholmDate(now);
  if (May(c, "read_lists")) {
    for (const auto& list_unit : Model().UnitIds()) {
      if (!ActsFor(c, list_unit)) continue;
      for (int back = 0; back < 4; ++back) {
        const std::string id = "progression:" + list_unit + ":" + QuarterBefore(today, back);
        auto stored = ReadList(*d_.log, id);
        if (!stored.ok() && stored.status().code() == StatusCode::kNotFound) continue;
        if (!stored.ok()) return FromStatus(stored.status());
        if (stored->published_at.empty()) continue;
        auto published = engine::ParseRfc3339(stored->published_at);
        if (!published.ok()) return FromStatus(published.status());
        // AF asks only about the people it chose, when it chose (J4 chases only those too).
        auto chosen = SelectedCases(*d_.log, id);
        if (!chosen.ok()) return FromStatus(chosen.status());
        for (const auto& entry : stored->list.cases) {
          if (*chosen && std::find((*chosen)->begin(), (*chosen)->end(), entry.case_id) == (*chosen)->end()) continue;
          auto it = visible.find(entry.case_id);
          if (it == visible.end() || !states.feedback.count(it->second.state)) continue;
          auto events = replay::ReadCaseEvents(*d_.log, entry.case_id);
          if (!events.ok()) return FromStatus(events.status());
          const bool answered = std::any_of(events->begin(), events->end(), [&](const engine::StoredEvent& e) {
            const std::string* named = engine::AsText(e.event.facts, "list");
            return e.event.type == "ProgressionFeedbackRecorded" && named && *named == id;
          });
          if (answered) continue;
          auto consent = d_.service->LoadConsent(it->second.subject_id);
          if (!consent.ok()) return FromStatus(consent.status());
          const auto active = consent->ActiveScopes(now);
          if (!std::all_of(states.feedback_consent.begin(), states.feedback_consent.end(), [&](const std::string& s) {
                return std::find(active.begin(), active.end(), s) != active.end();
              })) {
            continue;  // withdrawn: the answer cannot be recorded
          }
          json::object f = base(it->second);
          f["list_id"] = id;
          f["list_unit"] = list_unit;
          f["published_at"] = stored->published_at;
          feedback.push_back({*published, std::move(f)});
        }
      }
    }
  }

  auto sorted = [](std::vector<Row>& rows) {
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.at < b.at; });
    json::array out;
    for (auto& r : rows) out.push_back(std::move(r.body));
    return out;
  };
  return Json(200, json::object{{"now", engine::FormatRfc3339(now)},
                                {"reminders", sorted(reminders)},
                                {"passed_bookings", sorted(bookings)},
                                {"feedback_due", sorted(feedback)}});
}

}  // namespace casetrail::adapters
