// The indicator projection's checkpoint body (replay/read_models.capnp IndicatorState): every
// case's folded facts and the group activities. The per-day counters and the irregular set are
// not stored: they follow from the cases and are counted again on load.
#include "replay/indicators.h"
#include "replay/read_model_body.h"
#include "replay/read_models.capnp.h"

namespace casetrail::replay {
namespace {

void SetUnitDate(schema::UnitDate::Builder b, const UnitDate& d) {
  b.setOn(d.on);
  b.setUnit(d.unit);
}
UnitDate GetUnitDate(schema::UnitDate::Reader r) { return {r.getOn().cStr(), r.getUnit().cStr()}; }

void SetDates(capnp::List<schema::UnitDate>::Builder list, const std::vector<UnitDate>& dates) {
  for (unsigned i = 0; i < dates.size(); ++i) SetUnitDate(list[i], dates[i]);
}
std::vector<UnitDate> GetDates(capnp::List<schema::UnitDate>::Reader list) {
  std::vector<UnitDate> out;
  out.reserve(list.size());
  for (auto d : list) out.push_back(GetUnitDate(d));
  return out;
}

}  // namespace

std::string IndicatorProjection::EncodeState(FoldedTo* at) const {
  capnp::MallocMessageBuilder m;
  auto root = m.initRoot<schema::IndicatorState>();
  std::lock_guard lock(mu_);
  *at = folded_;
  auto cases = root.initCases(static_cast<unsigned>(cases_.size()));
  unsigned i = 0;
  for (const auto& [id, c] : cases_) {
    auto b = cases[i++];
    b.setId(id);
    // A case whose events no registered revision folds has no fold: none is stored.
    if (c.fold.Exists()) SetFolded(b.initFolded(), c.fold);
    b.setChannel(c.channel);
    b.setGender(c.gender);
    b.setAgeBand(c.age_band);
    b.setRomParticipant(c.rom_participant);
    SetUnitDate(b.initReferred(), c.referred);
    SetDates(b.initBooked(static_cast<unsigned>(c.booked.size())), c.booked);
    SetDates(b.initHeld(static_cast<unsigned>(c.held.size())), c.held);
    b.setStartedOn(c.started_on);
    b.setPlanRoute(c.plan_route);
  }
  auto activities = root.initActivities(static_cast<unsigned>(activities_.size()));
  for (unsigned k = 0; k < activities_.size(); ++k) SetUnitDate(activities[k], {activities_[k].second, activities_[k].first});
  return BodyOf(m);
}

bool IndicatorProjection::DecodeState(std::string_view body, const FoldedTo& at) {
  decltype(cases_) cases;
  decltype(activities_) activities;
  const bool read = ReadBody<schema::IndicatorState>(body, [&](auto root) {
    const auto list = root.getCases();
    cases.reserve(list.size());
    for (auto r : list) {
      CaseIndicatorFacts c;
      const std::string id = r.getId().cStr();
      if (r.hasFolded()) GetFolded(r.getFolded(), id, &c.fold);
      c.channel = r.getChannel().cStr();
      c.gender = r.getGender().cStr();
      c.age_band = r.getAgeBand().cStr();
      c.rom_participant = r.getRomParticipant();
      c.referred = GetUnitDate(r.getReferred());
      c.booked = GetDates(r.getBooked());
      c.held = GetDates(r.getHeld());
      c.started_on = r.getStartedOn().cStr();
      c.plan_route = r.getPlanRoute().cStr();
      cases.emplace(id, std::move(c));
    }
    for (auto a : root.getActivities()) activities.emplace_back(a.getUnit().cStr(), a.getOn().cStr());
    return true;
  });
  if (!read) return false;
  std::lock_guard lock(mu_);
  cases_ = std::move(cases);
  activities_ = std::move(activities);
  days_.clear();
  irregular_.clear();
  for (const auto& [id, c] : cases_) Count(id, c, 1);
  folded_ = at;
  return true;
}

}  // namespace casetrail::replay
