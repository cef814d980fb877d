#include "replay/indicators.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
#include <thread>

#include "engine/event.h"
#include "engine/state_machine.h"
#include "replay/stockholm_time.h"

namespace casetrail::replay {

namespace {

std::string Date(int year, int month, int day = 1) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", year, month, day);
  return buf;
}

// [first month, month after last) within `year`; month 13 means January of the next year.
Period Months(const std::string& label, int year, int first, int after_last) {
  return {label, Date(year, first), after_last == 13 ? Date(year + 1, 1) : Date(year, after_last)};
}

}  // namespace

Result<Period> ParsePeriod(std::string_view text) {
  const std::string label(text);
  auto digits = [&](size_t at, size_t n) {
    if (label.size() < at + n) return false;
    for (size_t i = at; i < at + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(label[i]))) return false;
    }
    return true;
  };
  if (!digits(0, 4)) return InvalidArgument("period must start with a year");
  const int year = std::stoi(label.substr(0, 4));
  if (year < 1900 || year > 2999) return InvalidArgument("period year out of range");
  if (label.size() == 4) return Months(label, year, 1, 13);
  if (label[4] != '-') return InvalidArgument("period must be YYYY, YYYY-MM, YYYY-Qn, YYYY-Tn, YYYY-Hn, YYYY-VT or YYYY-HT");
  const std::string rest = label.substr(5);
  if (rest.size() == 2 && digits(5, 2)) {
    const int m = std::stoi(rest);
    if (m >= 1 && m <= 12) return Months(label, year, m, m + 1);
  }
  if (rest.size() == 2 && rest[0] == 'Q' && rest[1] >= '1' && rest[1] <= '4') {
    const int q = rest[1] - '0';
    return Months(label, year, 3 * q - 2, 3 * q + 1);
  }
  if (rest.size() == 2 && rest[0] == 'T' && rest[1] >= '1' && rest[1] <= '3') {
    const int t = rest[1] - '0';
    return Months(label, year, 4 * t - 3, 4 * t + 1);
  }
  if (rest == "H1" || rest == "VT") return Months(label, year, 1, 7);
  if (rest == "H2" || rest == "HT") return Months(label, year, 7, 13);
  return InvalidArgument("period must be YYYY, YYYY-MM, YYYY-Qn, YYYY-Tn, YYYY-Hn, YYYY-VT or YYYY-HT");
}

Period SamePeriodYearBefore(const Period& p) {
  auto back = [](const std::string& d) { return std::to_string(std::stoi(d.substr(0, 4)) - 1) + d.substr(4); };
  return {back(p.label), back(p.from), back(p.to)};
}

std::vector<std::string> EndedPeriods(const std::string& first, const std::string& today) {
  std::vector<std::string> out;
  const int from = std::stoi(first.substr(0, 4)), to = std::stoi(today.substr(0, 4));
  for (int y = from; y <= to; ++y) {
    const std::string year = std::to_string(y);
    std::vector<std::string> labels;
    char month[8];
    for (int m = 1; m <= 12; ++m) {
      std::snprintf(month, sizeof(month), "%04d-%02d", y, m);
      labels.push_back(month);
    }
    for (const char* s : {"-Q1", "-Q2", "-Q3", "-Q4", "-T1", "-T2", "-T3", "-VT", "-HT"}) labels.push_back(year + s);
    labels.push_back(year);
    for (const auto& l : labels) {
      auto p = ParsePeriod(l);
      if (p.ok() && p->to > first && p->to <= today) out.push_back(l);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return ParsePeriod(a)->to < ParsePeriod(b)->to;
  });
  return out;
}

void IndicatorProjection::Apply(const storage::RecordedEvent& r) {
  std::lock_guard lock(mu_);
  folded_ = {r.position, r.hash};
  const std::string& stream = r.stream.value();
  const bool on_case = stream.rfind("case:", 0) == 0;
  if (!on_case && r.type != "GroupActivityHeld") return;
  auto ev = engine::DecodeStored(r, engine::EventParts::kFold);
  if (!ev.ok()) return;
  const engine::Event& e = ev->event;
  const std::string on = StockholmDate(e.meta.effective_at);
  auto text = [&](const char* k) {
    const std::string* v = engine::AsText(e.facts, k);
    return v ? *v : std::string();
  };
  if (r.type == "GroupActivityHeld") {
    activities_.emplace_back(text("unit"), on);
    return;
  }
  const std::string_view id = std::string_view(stream).substr(5);
  auto found = cases_.find(id);
  if (found == cases_.end()) found = cases_.emplace(std::string(id), CaseIndicatorFacts{}).first;
  CaseIndicatorFacts& c = found->second;
  // Only these types change what a case counts for: take its old contribution back, fold, add.
  // (The opening event's age band moves everything the case counts into its band.)
  const std::string* band = engine::AsText(e.facts, "age_band");
  const bool new_band = band && !band->empty() && c.age_band.empty();
  const bool counted = e.type == "ReferralSubmitted" || e.type == "ConversationBooked" ||
                       e.type == "ConversationHeld" || e.type == "StudiesStarted" || new_band;
  if (counted) Count(found->first, c, -1);
  // The case's unit as the one case fold has it (a transfer moves it); counts by event type.
  if (const auto* def = registry_->Find(e.meta.workflow, e.meta.revision)) {
    engine::Apply(c.fold, *ev, *def, engine::FoldFacts::kDrop);
  }
  const std::string& unit = c.fold.unit;
  if (new_band) c.age_band = *band;
  if (e.type == "ReferralSubmitted") {
    c.channel = text("channel");
    c.gender = text("gender");
    c.referred = {on, unit};
    if (auto it = e.facts.find("rom_participant"); it != e.facts.end()) {
      if (const bool* b = std::get_if<bool>(&it->second)) c.rom_participant = *b;
    }
  } else if (e.type == "ConversationBooked") {
    c.booked.push_back({on, unit});
  } else if (e.type == "ConversationHeld") {
    c.held.push_back({on, unit});
  } else if (e.type == "StudiesStarted") {
    // The start's own route, else the plan's (a rev1/rev2 plan has none: komvux).
    const std::string route = text("route").empty() ? c.plan_route : text("route");
    if (CountsAsStartedEducation(route) && (c.started_on.empty() || on < c.started_on)) c.started_on = on;
  } else if ((e.type == "IndividualStudyPlanCreated" || e.type == "IndividualStudyPlanRevised") &&
             !text("route").empty()) {
    c.plan_route = text("route");
  }
  if (counted) Count(found->first, c, 1);
}

bool CountsAsStartedEducation(const std::string& route) {
  return route.empty() || route == "komvux" || route == "folk_high_school" || route == "labour_market_training";
}

void IndicatorProjection::Count(const std::string& id, const CaseIndicatorFacts& c, int sign) {
  if (c.booked.size() > 1 || c.held.size() > 1) {
    if (sign > 0) irregular_.insert(id);
    else irregular_.erase(id);
    return;
  }
  const std::string& band = BandOf(c);
  if (!c.referred.on.empty()) {
    DayCounts& d = days_[c.referred.on][{c.referred.unit, band}];
    if (c.channel == "space" || c.channel == "group_activity") d.referrals += sign;
    if (c.rom_participant) {
      d.rom_referred += sign;
      if (!c.started_on.empty()) d.rom_started += sign;
    }
  }
  if (c.booked.size() == 1 && !c.booked[0].on.empty()) days_[c.booked[0].on][{c.booked[0].unit, band}].booked += sign;
  if (c.held.size() == 1 && !c.held[0].on.empty()) {
    DayCounts& d = days_[c.held[0].on][{c.held[0].unit, band}];
    (c.gender == "female" ? d.held_women : c.gender == "male" ? d.held_men : d.held_unknown) += sign;
    if (!c.started_on.empty() && c.started_on >= c.held[0].on) d.started_after_held += sign;
  }
}

void IndicatorProjection::AddDay(const DayCounts& d, IndicatorSet& s) {
  s.referrals += d.referrals;
  s.cases_booked += d.booked;
  s.held_women += d.held_women;
  s.held_men += d.held_men;
  s.held_unknown += d.held_unknown;
  s.started_after_conversation.denominator += d.held_women + d.held_men + d.held_unknown;
  s.started_after_conversation.numerator += d.started_after_held;
  s.rom_started.denominator += d.rom_referred;
  s.rom_started.numerator += d.rom_started;
}

namespace {

// One case's contribution to `s`: what happened in the period and, for a unit's figures, while
// the case was the unit's.
void Add(const CaseIndicatorFacts& c, const Period& p, const std::optional<std::string>& unit, IndicatorSet& s) {
  auto counts = [&](const UnitDate& d) { return !d.on.empty() && p.Contains(d.on) && (!unit || d.unit == *unit); };
  const bool referred = counts(c.referred);
  if (referred && (c.channel == "space" || c.channel == "group_activity")) ++s.referrals;
  if (std::any_of(c.booked.begin(), c.booked.end(), counts)) ++s.cases_booked;
  std::string first_held;
  for (const auto& d : c.held) {
    if (counts(d) && (first_held.empty() || d.on < first_held)) first_held = d.on;
  }
  if (!first_held.empty()) {
    (c.gender == "female" ? s.held_women : c.gender == "male" ? s.held_men : s.held_unknown)++;
    ++s.started_after_conversation.denominator;
    if (!c.started_on.empty() && c.started_on >= first_held) ++s.started_after_conversation.numerator;
  }
  if (referred && c.rom_participant) {
    ++s.rom_started.denominator;
    if (!c.started_on.empty()) ++s.rom_started.numerator;
  }
}

}  // namespace

IndicatorSet IndicatorProjection::ComputeByCases(const Period& p, const std::optional<std::string>& unit) const {
  std::lock_guard lock(mu_);
  IndicatorSet s;
  for (const auto& [id, c] : cases_) Add(c, p, unit, s);
  for (const auto& [u, on] : activities_) {
    if ((!unit || u == *unit) && p.Contains(on)) ++s.group_activities;
  }
  return s;
}

IndicatorSet IndicatorProjection::Compute(const Period& p, const std::optional<std::string>& unit) const {
  std::lock_guard lock(mu_);
  IndicatorSet s;
  for (auto day = days_.lower_bound(p.from); day != days_.end() && day->first < p.to; ++day) {
    for (const auto& [key, counts] : day->second) {
      if (!unit || key.first == *unit) AddDay(counts, s);
    }
  }
  for (const auto& id : irregular_) Add(cases_.find(id)->second, p, unit, s);
  for (const auto& [u, on] : activities_) {
    if ((!unit || u == *unit) && p.Contains(on)) ++s.group_activities;
  }
  return s;
}

std::map<std::string, IndicatorSet> IndicatorProjection::ComputeAll(const Period& p) const {
  std::lock_guard lock(mu_);
  std::map<std::string, IndicatorSet> out;
  IndicatorSet& total = out[""];
  for (auto day = days_.lower_bound(p.from); day != days_.end() && day->first < p.to; ++day) {
    for (const auto& [key, counts] : day->second) {
      AddDay(counts, total);
      if (!key.first.empty()) AddDay(counts, out[key.first]);
    }
  }
  std::set<std::string> units;
  for (const auto& id : irregular_) {
    const CaseIndicatorFacts& c = cases_.find(id)->second;
    Add(c, p, std::nullopt, out[""]);
    // Only the units the case has belonged to can gain from it (usually one).
    units.clear();
    units.insert(c.referred.unit);
    for (const auto& d : c.booked) units.insert(d.unit);
    for (const auto& d : c.held) units.insert(d.unit);
    for (const auto& u : units) {
      if (!u.empty()) Add(c, p, u, out[u]);
    }
  }
  for (const auto& [u, on] : activities_) {
    if (!p.Contains(on)) continue;
    ++out[""].group_activities;
    ++out[u].group_activities;
  }
  return out;
}

std::map<std::string, std::map<std::string, IndicatorSet>> IndicatorProjection::ComputeAllByBand(const Period& p) const {
  std::lock_guard lock(mu_);
  std::map<std::string, std::map<std::string, IndicatorSet>> out;
  for (auto day = days_.lower_bound(p.from); day != days_.end() && day->first < p.to; ++day) {
    for (const auto& [key, counts] : day->second) {
      AddDay(counts, out[""][key.second]);
      if (!key.first.empty()) AddDay(counts, out[key.first][key.second]);
    }
  }
  // A case is in one band: its case-by-case contribution goes there (as ComputeAll's).
  std::set<std::string> units;
  for (const auto& id : irregular_) {
    const CaseIndicatorFacts& c = cases_.find(id)->second;
    Add(c, p, std::nullopt, out[""][BandOf(c)]);
    units.clear();
    units.insert(c.referred.unit);
    for (const auto& d : c.booked) units.insert(d.unit);
    for (const auto& d : c.held) units.insert(d.unit);
    for (const auto& u : units) {
      if (!u.empty()) Add(c, p, u, out[u][BandOf(c)]);
    }
  }
  return out;
}

Position IndicatorProjection::position() const {
  std::lock_guard lock(mu_);
  return folded_.position;
}

size_t IndicatorProjection::cases() const {
  std::lock_guard lock(mu_);
  return cases_.size();
}

bool IndicatorProjection::SameFactsAs(const IndicatorProjection& other) const {
  std::scoped_lock lock(mu_, other.mu_);
  return cases_ == other.cases_ && activities_ == other.activities_;
}

Result<std::unique_ptr<IndicatorProjection>> RebuildIndicators(storage::Log& log,
                                                               const engine::DefinitionRegistry* registry,
                                                               const storage::ProgressFn& progress) {
  auto p = std::make_unique<IndicatorProjection>(registry);
  const uint64_t total = log.GetHead().position.value();
  Position from(1);
  for (;;) {
    CT_ASSIGN_OR_RETURN(auto batch, log.ReadAll(from, 8192));
    if (batch.empty()) break;
    for (const auto& r : batch) p->Apply(r);
    from = Position(batch.back().position.value() + 1);
    if (progress) progress(std::min(from.value() - 1, total), total);
  }
  return p;
}

namespace {
constexpr char kCheckpointName[] = "indicators";
}  // namespace

LiveIndicators::LiveIndicators(storage::Log* log, const engine::DefinitionRegistry* registry,
                               const ReadModelCheckpoints* checkpoints)
    : projection_(registry), checkpoints_(checkpoints) {
  fold_ = std::make_unique<ResumingFold>(
      log, checkpoints_, kCheckpointName, IndicatorProjection::kCheckpointFormat,
      [this](const auto& loaded) { return projection_.DecodeState(loaded.body, {loaded.position, loaded.hash}); },
      [this](const storage::RecordedEvent& r) { projection_.Apply(r); });
}

Status LiveIndicators::SaveCheckpoint() const {
  if (!checkpoints_) return Status(StatusCode::kFailedPrecondition, "the indicators have no checkpoint folder");
  FoldedTo at;
  const std::string body = projection_.EncodeState(&at);
  return checkpoints_->SaveFolded(kCheckpointName, IndicatorProjection::kCheckpointFormat, at, body);
}

LiveIndicators::~LiveIndicators() { fold_.reset(); }

bool LiveIndicators::WaitFor(Position position, int timeout_ms) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (projection_.position().value() < position.value()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace casetrail::replay
