// The indicator projection's checkpoint body (replay/read_models.capnp IndicatorState): every
// case's folded facts and the group activities. The per-day counters and the irregular set are
// not stored: they follow from the cases and are counted again on load.
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <spdlog/spdlog.h>

#include <cstring>

#include "engine/snapshot_codec.h"
#include "replay/indicators.h"
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
    // A case whose events no registered revision folds has no fold: an empty blob.
    const std::string fold = c.fold.Exists() ? engine::EncodeSnapshot(c.fold) : std::string();
    b.setFold(kj::arrayPtr(reinterpret_cast<const kj::byte*>(fold.data()), fold.size()));
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
  const auto words = capnp::messageToFlatArray(m);  // kept: `bytes` points into it
  const auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

bool IndicatorProjection::DecodeState(std::string_view body, const FoldedTo& at) {
  std::vector<capnp::word> words(body.size() / sizeof(capnp::word));
  if (words.empty()) return false;
  std::memcpy(words.data(), body.data(), words.size() * sizeof(capnp::word));
  decltype(cases_) cases;
  decltype(activities_) activities;
  try {
    capnp::ReaderOptions options;
    // Each list is counted every time it is fetched: room for a few fetches of the whole body.
    options.traversalLimitInWords = 4 * words.size() + 1024;
    capnp::FlatArrayMessageReader reader(kj::arrayPtr(words.data(), words.size()), options);
    auto root = reader.getRoot<schema::IndicatorState>();
    const auto list = root.getCases();
    cases.reserve(list.size());
    for (auto r : list) {
      const auto fold = r.getFold();
      CaseIndicatorFacts c;
      if (fold.size() > 0) {
        auto state = engine::DecodeSnapshot(std::string_view(reinterpret_cast<const char*>(fold.begin()), fold.size()));
        if (!state.ok()) return false;  // another fold version: fold from the first event
        c.fold = std::move(*state);
      }
      c.channel = r.getChannel().cStr();
      c.gender = r.getGender().cStr();
      c.age_band = r.getAgeBand().cStr();
      c.rom_participant = r.getRomParticipant();
      c.referred = GetUnitDate(r.getReferred());
      c.booked = GetDates(r.getBooked());
      c.held = GetDates(r.getHeld());
      c.started_on = r.getStartedOn().cStr();
      c.plan_route = r.getPlanRoute().cStr();
      cases.emplace(r.getId().cStr(), std::move(c));
    }
    for (auto a : root.getActivities()) activities.emplace_back(a.getUnit().cStr(), a.getOn().cStr());
  } catch (const kj::Exception& e) {
    spdlog::warn("read-model checkpoint body does not decode: {}", e.getDescription().cStr());
    return false;
  }
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
