// The reminder book's checkpoint body (replay/read_models.capnp ReminderBookState): each case's
// folded state and timer inputs, each subject's consent changes, and every reminder with its
// deliveries. Which cases a subject has, which reminders a case has and the armed timers follow
// from those and are derived again on load, as the fold would have built them.
#include "replay/read_model_body.h"
#include "replay/read_models.capnp.h"
#include "replay/reminders.h"

#include <thread>

namespace casetrail::replay {
namespace {

int64_t Us(engine::Timestamp t) { return t.time_since_epoch().count(); }
engine::Timestamp At(int64_t us) { return engine::Timestamp(std::chrono::microseconds(us)); }

template <typename Strings>
void SetTexts(capnp::List<capnp::Text>::Builder list, const Strings& values) {
  unsigned i = 0;
  for (const auto& v : values) list.set(i++, v);
}
std::set<std::string> TextSet(capnp::List<capnp::Text>::Reader list) {
  std::set<std::string> out;
  for (auto t : list) out.emplace_hint(out.end(), t.cStr());
  return out;
}

}  // namespace

std::string ReminderBook::EncodeState(FoldedTo* at) const {
  capnp::MallocMessageBuilder m;
  auto root = m.initRoot<schema::ReminderBookState>();
  std::lock_guard lock(mu_);
  *at = folded_;
  auto cases = root.initCases(static_cast<unsigned>(cases_.size()));
  unsigned i = 0;
  for (const auto& [id, c] : cases_) {
    auto b = cases[i++];
    b.setId(id);
    SetFolded(b.initFolded(), c.state);
    b.setStateEnteredVersion(c.inputs.state_entered_version);
    b.setTimerState(c.inputs.state);
    auto triggers = b.initTriggers(static_cast<unsigned>(c.inputs.last_of_type.size()));
    unsigned k = 0;
    for (const auto& [type, e] : c.inputs.last_of_type) {
      auto t = triggers[k++];
      t.setType(type);
      t.setVersion(e.version);
      t.setEffectiveAtUs(Us(e.effective_at));
      auto instants = t.initInstants(static_cast<unsigned>(e.instants.size()));
      unsigned n = 0;
      for (const auto& [name, value] : e.instants) {
        instants[n].setKey(name);
        instants[n++].setValue(value);
      }
    }
    SetTexts(b.initActiveScopes(static_cast<unsigned>(c.inputs.active_scopes.size())), c.inputs.active_scopes);
    SetTexts(b.initPending(static_cast<unsigned>(c.pending.size())), c.pending);
    SetTexts(b.initFired(static_cast<unsigned>(c.fired.size())), c.fired);
    SetTexts(b.initUnits(static_cast<unsigned>(c.units.size())), c.units);
  }
  auto consents = root.initConsents(static_cast<unsigned>(consents_.size()));
  i = 0;
  for (const auto& [subject, consent] : consents_) {
    auto b = consents[i++];
    b.setSubject(subject);
    b.setVersion(consent.version());
    size_t n = 0;
    for (const auto& [scope, changes] : consent.changes()) n += changes.size();
    auto list = b.initChanges(static_cast<unsigned>(n));
    unsigned k = 0;
    for (const auto& [scope, changes] : consent.changes()) {
      for (const auto& change : changes) {
        list[k].setScope(scope);
        list[k].setAtUs(Us(change.at));
        list[k++].setGranted(change.granted);
      }
    }
  }
  auto reminders = root.initReminders(static_cast<unsigned>(reminders_.size()));
  i = 0;
  for (const auto& [key, r] : reminders_) {
    auto b = reminders[i++];
    b.setKey(key);
    b.setId(r.id);
    b.setName(r.name);
    b.setKind(r.kind);
    b.setCaseId(r.case_id);
    b.setDueAtUs(Us(r.due_at));
    b.setFired(r.fired);
    b.setSentAtUs(Us(r.sent_at));
    b.setCancelled(r.cancelled);
    b.setCaseClosed(r.case_closed);
    auto deliveries = b.initDeliveries(static_cast<unsigned>(r.deliveries.size()));
    unsigned k = 0;
    for (const auto& [channel, d] : r.deliveries) {
      auto db = deliveries[k++];
      db.setChannel(channel);
      db.setAttempts(d.attempts);
      db.setOutcomes(d.outcomes);
      db.setInDoubt(d.in_doubt);
      db.setDelivered(d.delivered);
      db.setDeadLettered(d.dead_lettered);
      db.setCancelled(d.cancelled);
      db.setLastAttemptAtUs(Us(d.last_attempt_at));
    }
  }
  return BodyOf(m);
}

bool ReminderBook::DecodeState(std::string_view body, const FoldedTo& at) {
  // Two halves on two threads, each through a reader of its own over the same bytes: the cases and
  // consents here, the reminders beside. Each derives what follows from its half as the fold
  // builds it: every case under its subject; every reminder with an id under its case; the timers
  // pending that have neither fired nor been cancelled, by due time.
  decltype(reminders_) reminders;
  decltype(ids_of_case_) ids_of_case;
  decltype(armed_) armed;
  bool reminders_read = false;
  std::thread beside([&] {
    reminders_read = ReadBody<schema::ReminderBookState>(body, [&](auto root) {
      for (auto b : root.getReminders()) {
        Reminder r;
        r.id = b.getId().cStr();
        r.name = b.getName().cStr();
        r.kind = b.getKind().cStr();
        r.case_id = b.getCaseId().cStr();
        r.due_at = At(b.getDueAtUs());
        r.fired = b.getFired();
        r.sent_at = At(b.getSentAtUs());
        r.cancelled = b.getCancelled();
        r.case_closed = b.getCaseClosed();
        for (auto d : b.getDeliveries()) {
          Reminder::Delivery& delivery = r.deliveries[d.getChannel().cStr()];
          delivery.attempts = d.getAttempts();
          delivery.outcomes = d.getOutcomes();
          delivery.in_doubt = d.getInDoubt();
          delivery.delivered = d.getDelivered();
          delivery.dead_lettered = d.getDeadLettered();
          delivery.cancelled = d.getCancelled();
          delivery.last_attempt_at = At(d.getLastAttemptAtUs());
        }
        reminders.emplace_hint(reminders.end(), b.getKey().cStr(), std::move(r));
      }
      return true;
    });
    for (const auto& [key, r] : reminders) {
      if (r.id.empty()) continue;
      ids_of_case[r.case_id].insert(r.id);
      if (!r.fired && !r.cancelled) armed.insert({r.due_at, r.id});
    }
  });
  decltype(cases_) cases;
  decltype(consents_) consents;
  decltype(cases_of_subject_) cases_of_subject;
  const bool cases_read = ReadBody<schema::ReminderBookState>(body, [&](auto root) {
    for (auto b : root.getCases()) {
      auto it = cases.emplace_hint(cases.end(), b.getId().cStr(), CaseTimers{});
      CaseTimers& c = it->second;
      GetFolded(b.getFolded(), it->first, &c.state);
      c.inputs.state_entered_version = b.getStateEnteredVersion();
      c.inputs.state = b.getTimerState().cStr();
      for (auto t : b.getTriggers()) {
        engine::TimerTrigger& e = c.inputs.last_of_type[t.getType().cStr()];
        e.version = t.getVersion();
        e.effective_at = At(t.getEffectiveAtUs());
        for (auto p : t.getInstants()) e.instants.emplace(p.getKey().cStr(), p.getValue().cStr());
      }
      c.inputs.active_scopes = TextSet(b.getActiveScopes());
      c.pending = TextSet(b.getPending());
      c.fired = TextSet(b.getFired());
      c.units = TextSet(b.getUnits());
    }
    for (auto b : root.getConsents()) {
      std::map<std::string, std::vector<engine::ConsentState::Change>> changes;
      for (auto change : b.getChanges()) changes[change.getScope().cStr()].push_back({At(change.getAtUs()), change.getGranted()});
      consents.emplace_hint(consents.end(), b.getSubject().cStr(), engine::ConsentState::Restored(std::move(changes), b.getVersion()));
    }
    return true;
  });
  for (const auto& [id, c] : cases) cases_of_subject[c.state.subject_id].insert(id);
  beside.join();
  if (!cases_read || !reminders_read) return false;
  std::lock_guard lock(mu_);
  cases_ = std::move(cases);
  consents_ = std::move(consents);
  cases_of_subject_ = std::move(cases_of_subject);
  reminders_ = std::move(reminders);
  ids_of_case_ = std::move(ids_of_case);
  armed_ = std::move(armed);
  folded_ = at;
  return true;
}

}  // namespace casetrail::replay
