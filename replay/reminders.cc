#include "replay/reminders.h"

#include "engine/state_machine.h"

namespace casetrail::replay {

std::string Reminder::Status(engine::Timestamp now) const {
  if (fired) return "sent";
  if (cancelled) return "cancelled";
  return due_at <= now ? "due" : "scheduled";
}

std::string Reminder::Delivery::State() const {
  if (delivered) return "delivered";
  if (dead_lettered) return "dead_lettered";
  if (cancelled) return "cancelled";
  return "pending";
}

void ReminderBook::Apply(const storage::RecordedEvent& r) {
  std::lock_guard lock(mu_);
  folded_ = {r.position, r.hash};
  const std::string& stream = r.stream.value();
  if (stream.rfind("case:", 0) == 0) {
    auto ev = engine::DecodeStored(r, engine::EventParts::kFold);
    if (!ev.ok()) return;
    const auto* def = registry_->Find(ev->event.meta.workflow, ev->event.meta.revision);
    if (!def) return;
    const std::string case_id = stream.substr(5);
    CaseTimers& c = cases_[case_id];
    engine::Apply(c.state, *ev, *def, engine::FoldFacts::kDrop);
    if (!c.state.unit.empty()) c.units.insert(c.state.unit);
    if (cases_of_subject_[c.state.subject_id].insert(case_id).second) {
      const auto active = consents_[c.state.subject_id].ActiveScopes(ev->event.meta.recorded_at);
      c.inputs.active_scopes = {active.begin(), active.end()};
    }
    c.inputs.Apply(*ev, c.state);
    Recompute(case_id);
    return;
  }
  if (stream.rfind("consent:", 0) == 0) {
    auto ev = engine::DecodeStored(r, engine::EventParts::kFold);
    if (!ev.ok()) return;
    const std::string subject = stream.substr(8);
    engine::ConsentState& consent = consents_[subject];
    consent.Apply(ev->event, r.version.value());
    const auto active = consent.ActiveScopes(ev->event.meta.recorded_at);
    for (const auto& case_id : cases_of_subject_[subject]) {
      cases_[case_id].inputs.active_scopes = {active.begin(), active.end()};
      Recompute(case_id);
    }
    return;
  }
  static const std::set<std::string> kOutbox = {"ReminderFired",     "DeliveryAttempted",    "DeliverySucceeded",
                                                 "DeliveryFailed",    "DeliveryInDoubt",      "DeliveryDeadLettered",
                                                 "DeliveryCancelled"};
  if (!kOutbox.count(r.type)) return;
  auto ev = engine::DecodeStored(r, engine::EventParts::kFold);
  if (!ev.ok()) return;
  const std::string* id = engine::AsText(ev->event.facts, "reminder_id");
  if (!id) return;
  Reminder& rem = reminders_[*id];
  const std::string* channel = engine::AsText(ev->event.facts, "channel");
  if (r.type == "ReminderFired") {
    armed_.erase({rem.due_at, *id});
    rem.id = *id;
    if (const auto* k = engine::AsText(ev->event.facts, "kind")) rem.kind = *k;
    if (const auto* c = engine::AsText(ev->event.facts, "case_id")) rem.case_id = *c;
    if (rem.due_at == engine::Timestamp{}) {
      if (const auto* due = engine::AsText(ev->event.facts, "due_at")) {
        if (auto t = engine::ParseRfc3339(*due); t.ok()) rem.due_at = *t;
      }
    }
    rem.fired = true;
    rem.cancelled = false;
    ids_of_case_[rem.case_id].insert(rem.id);
    rem.sent_at = ev->event.meta.recorded_at;
    if (auto it = cases_.find(rem.case_id); it != cases_.end()) {
      it->second.fired.insert(rem.id);
      MarkClosed(it->second);  // a close that came between the pass's snapshot and this fire
    }
    return;
  }
  Reminder::Delivery& delivery = rem.deliveries[channel ? *channel : "webhook"];
  if (r.type == "DeliveryAttempted") {
    delivery.attempts++;
    delivery.last_attempt_at = ev->event.meta.recorded_at;
  } else if (r.type == "DeliverySucceeded") {
    delivery.delivered = true;
    delivery.outcomes++;
  } else if (r.type == "DeliveryFailed") {
    delivery.outcomes++;
  } else if (r.type == "DeliveryInDoubt") {
    delivery.outcomes++;
    delivery.in_doubt++;
  } else if (r.type == "DeliveryCancelled") {
    delivery.cancelled = true;
  } else {
    delivery.dead_lettered = true;
  }
}

void ReminderBook::Recompute(const std::string& case_id) {
  CaseTimers& c = cases_[case_id];
  const auto* def = registry_->Find(c.state.workflow, c.state.revision);
  std::set<std::string> now_pending;
  if (def) {
    for (const auto& t : engine::PendingTimers(case_id, c.inputs, *def)) {
      now_pending.insert(t.id);
      Reminder& rem = reminders_[t.id];
      if (rem.fired) continue;
      rem.id = t.id;
      rem.name = t.name;
      rem.kind = t.kind;
      rem.case_id = case_id;
      ids_of_case_[case_id].insert(t.id);
      armed_.erase({rem.due_at, t.id});
      rem.due_at = t.due_at;
      rem.cancelled = false;
      armed_.insert({rem.due_at, t.id});
    }
  }
  for (const auto& id : c.pending) {
    if (!now_pending.count(id) && !reminders_[id].fired) {
      reminders_[id].cancelled = true;
      armed_.erase({reminders_[id].due_at, id});
    }
  }
  c.pending = std::move(now_pending);
  MarkClosed(c);
}

void ReminderBook::MarkClosed(CaseTimers& c) {
  const auto* def = registry_->Find(c.state.workflow, c.state.revision);
  if (!def || !c.state.Exists() || def->IsOpen(c.state.state)) return;
  for (const auto& id : c.fired) reminders_[id].case_closed = true;
}

std::vector<std::pair<std::string, std::string>> ReminderBook::Cases() const {
  std::lock_guard lock(mu_);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [id, c] : cases_) {
    for (const auto& unit : c.units) out.emplace_back(id, unit);
  }
  return out;
}

std::optional<engine::Timestamp> ReminderBook::EarliestReferral() const {
  std::lock_guard lock(mu_);
  std::optional<engine::Timestamp> earliest;
  for (const auto& [id, c] : cases_) {
    if (c.state.Exists() && (!earliest || c.state.opened_at < *earliest)) earliest = c.state.opened_at;
  }
  return earliest;
}

Position ReminderBook::position() const {
  std::lock_guard lock(mu_);
  return folded_.position;
}

std::vector<Reminder> ReminderBook::Due(engine::Timestamp now) const {
  std::lock_guard lock(mu_);
  std::vector<Reminder> out;
  for (auto it = armed_.begin(); it != armed_.end() && it->first <= now; ++it) out.push_back(reminders_.at(it->second));
  return out;
}

std::vector<Reminder> ReminderBook::Undelivered(const std::string& channel) const {
  std::lock_guard lock(mu_);
  std::vector<Reminder> out;
  for (const auto& [id, r] : reminders_) {
    auto it = r.deliveries.find(channel);
    if (r.fired && (it == r.deliveries.end() || it->second.State() == "pending")) out.push_back(r);
  }
  return out;
}

std::vector<Reminder> ReminderBook::List(const std::string& status, engine::Timestamp now,
                                         const std::string& case_id) const {
  std::lock_guard lock(mu_);
  std::vector<Reminder> out;
  auto add = [&](const Reminder& r) {
    if (status == "all" || r.Status(now) == status) out.push_back(r);
  };
  if (!case_id.empty()) {
    if (auto ids = ids_of_case_.find(case_id); ids != ids_of_case_.end()) {
      for (const auto& id : ids->second) add(reminders_.at(id));
    }
  } else {
    for (const auto& [id, r] : reminders_) add(r);
  }
  std::sort(out.begin(), out.end(), [](const Reminder& a, const Reminder& b) {
    return a.due_at != b.due_at ? a.due_at < b.due_at : a.id < b.id;
  });
  return out;
}

}  // namespace casetrail::replay
