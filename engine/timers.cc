#include "engine/timers.h"

#include <date/tz.h>

#include <algorithm>
#include <map>

namespace casetrail::engine {

Result<std::chrono::microseconds> ParseDuration(std::string_view s) {
  using std::chrono::microseconds;
  // Every step is checked against the span of the time range, so the sum, and the sum added to a
  // time of the range, never overflow.
  constexpr microseconds kLongest = kMaxTime - kMinTime;
  int sign = 1;
  if (!s.empty() && s[0] == '-') {
    sign = -1;
    s.remove_prefix(1);
  }
  if (s.size() < 3 || s[0] != 'P') return InvalidArgument("duration must look like P10D, PT6H or P1DT2H30M");
  microseconds total{0};
  bool in_time = false, any = false;
  int64_t n = -1;
  for (size_t i = 1; i < s.size(); ++i) {
    const char ch = s[i];
    if (ch == 'T' && !in_time && n < 0) {
      in_time = true;
      continue;
    }
    if (ch >= '0' && ch <= '9') {
      n = (n < 0 ? 0 : n) * 10 + (ch - '0');
      if (n > 100000000) return InvalidArgument("duration too long");
      continue;
    }
    if (n < 0) return InvalidArgument("duration unit without a number");
    microseconds unit{0};
    if (!in_time && ch == 'D') unit = std::chrono::hours(24);
    else if (!in_time && ch == 'W') unit = std::chrono::hours(24 * 7);
    else if (in_time && ch == 'H') unit = std::chrono::hours(1);
    else if (in_time && ch == 'M') unit = std::chrono::minutes(1);
    else if (in_time && ch == 'S') unit = std::chrono::seconds(1);
    else return InvalidArgument("duration may use W, D, H, M and S only");
    if (n > kLongest / unit) return InvalidArgument("duration too long");
    total += n * unit;  // each term and the running total are at most kLongest
    if (total > kLongest) return InvalidArgument("duration too long");
    n = -1;
    any = true;
  }
  if (!any || n >= 0) return InvalidArgument("malformed duration");
  return sign * total;
}

void TimerInputs::Apply(const StoredEvent& e, const CaseState& after) {
  if (after.state != state) {
    state = after.state;
    state_entered_version = e.version.value();
  }
  TimerTrigger& t = last_of_type[e.event.type];
  t.version = e.version.value();
  t.effective_at = e.event.meta.effective_at;
  t.instants.clear();
  for (const auto& [name, value] : e.event.facts) {
    const auto* text = std::get_if<std::string>(&value);
    // FieldInstant below reads an RFC 3339 time or a date (a year may carry a sign): any text
    // that could be one begins, after blanks, with a digit or a sign.
    const size_t first = text ? text->find_first_not_of(" \t\n\r\f\v") : std::string::npos;
    const char c = first != std::string::npos ? (*text)[first] : 'x';
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-') t.instants.emplace(name, *text);
  }
}

namespace {

// The instant of a field's value: an RFC 3339 time, or a date at 00:00 Stockholm.
std::optional<Timestamp> FieldInstant(const std::map<std::string, std::string>& instants, const std::string& name) {
  auto it = instants.find(name);
  if (it == instants.end()) return std::nullopt;
  const std::string* v = &it->second;
  if (auto t = ParseRfc3339(*v); t.ok()) return *t;
  std::istringstream in(*v);
  date::local_days day;
  in >> date::parse("%F", day);
  if (in.fail()) return std::nullopt;
  const auto zoned = date::make_zoned("Europe/Stockholm", day, date::choose::earliest);
  return std::chrono::time_point_cast<std::chrono::microseconds>(zoned.get_sys_time());
}

// `t` moved to HH:MM Stockholm time on its Stockholm date.
Timestamp AtTimeOfDay(Timestamp t, const std::string& hhmm) {
  const auto zone = date::locate_zone("Europe/Stockholm");
  const auto local = zone->to_local(t);
  const auto day = date::floor<date::days>(local);
  const int h = std::stoi(hhmm.substr(0, 2)), m = std::stoi(hhmm.substr(3, 2));
  const auto when = day + std::chrono::hours(h) + std::chrono::minutes(m);
  return std::chrono::time_point_cast<std::chrono::microseconds>(zone->to_sys(when, date::choose::earliest));
}

}  // namespace

std::vector<PendingTimer> PendingTimers(const std::string& case_id, const TimerInputs& in,
                                        const WorkflowDefinition& def) {
  // Specs sharing a name re-arm one timer (a reschedule replaces the booking's appointment
  // reminder; new feedback restarts the feedback timer): only the latest trigger counts.
  std::map<std::string, uint64_t> latest_of_name;
  for (const auto& spec : def.timers) {
    auto it = in.last_of_type.find(spec.after_event);
    if (it != in.last_of_type.end()) {
      latest_of_name[spec.name] = std::max(latest_of_name[spec.name], it->second.version);
    }
  }
  std::vector<PendingTimer> out;
  for (const auto& spec : def.timers) {
    if (std::find(spec.in_states.begin(), spec.in_states.end(), in.state) == spec.in_states.end()) continue;
    if (!std::all_of(spec.consent.begin(), spec.consent.end(), [&](const std::string& s) { return in.active_scopes.count(s) > 0; })) {
      continue;  // the follow-up depends on a consent that is withdrawn
    }
    auto it = in.last_of_type.find(spec.after_event);
    if (it == in.last_of_type.end()) continue;
    const TimerTrigger& trigger = it->second;
    if (trigger.version < in.state_entered_version) continue;  // from an earlier stay
    if (trigger.version < latest_of_name[spec.name]) continue;  // re-armed by a later event
    std::optional<Timestamp> base;
    std::string delay = spec.delay;
    if (!spec.relative_to.empty()) {
      base = FieldInstant(trigger.instants, spec.relative_to);
      if (!base && !spec.fallback_delay.empty()) delay = spec.fallback_delay;
    }
    if (!base && !spec.relative_to.empty() && spec.fallback_delay.empty()) continue;  // no anchor: not armed
    if (!base) base = trigger.effective_at;
    auto d = ParseDuration(delay);
    if (!d.ok()) continue;  // definitions are checked at load; a bad one never fires
    // A delay is at most the span of the time range, so from a time inside it this cannot overflow.
    Timestamp due = std::clamp(*base, kMinTime, kMaxTime) + *d;
    const bool at_ok = spec.at.size() == 5 && spec.at[2] == ':' && std::isdigit(static_cast<unsigned char>(spec.at[0])) &&
                       std::isdigit(static_cast<unsigned char>(spec.at[1])) && std::isdigit(static_cast<unsigned char>(spec.at[3])) &&
                       std::isdigit(static_cast<unsigned char>(spec.at[4]));
    if (at_ok) due = AtTimeOfDay(due, spec.at);
    out.push_back({spec.name + ":" + spec.kind + ":" + case_id + ":" + std::to_string(trigger.version),
                   spec.name, spec.kind, case_id, due});
  }
  return out;
}

}  // namespace casetrail::engine
