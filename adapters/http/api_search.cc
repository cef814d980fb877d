// Searching cases by the person: POST /v1/cases/search {"query", "unit"?, "state"?}.
// The query goes in the body, never in a URL or a log line. A personal identity number is looked
// up like POST /v1/subjects/lookup; anything else is a name, matched through the name index,
// which holds only keyed hashes of name parts (replay/name_index.h). Only people the caller may
// see by name count (the model's `subject` rule: the SYV only under transfer_referral), only
// cases the caller may see are listed, and every search is recorded before it is answered, like a
// lookup (engine/lookup_trace.h): on each found person's access stream, or, when it found nobody,
// on the searcher's own lookup stream.
#include <algorithm>

#include "adapters/http/api_search.h"
#include "adapters/http/body_fields.h"
#include "adapters/http/read_models.h"
#include "engine/access_policy.h"
#include "engine/lookup_trace.h"
#include "engine/personal_number.h"
#include "replay/name_index.h"
#include "replay/stockholm_time.h"

#include <spdlog/spdlog.h>

namespace casetrail::adapters {
namespace json = boost::json;

ApiResponse SearchRoutes::SearchCases(Call& c) {
  if (Status s = OnlyFields(c.body, {"query", "unit", "state"}); !s.ok()) return FromStatus(s);
  auto query = ReqString(c.body, "query");
  if (!query.ok()) return FromStatus(query.status());
  auto unit = OptString(c.body, "unit");
  if (!unit.ok()) return FromStatus(unit.status());
  auto state = OptString(c.body, "state");
  if (!state.ok()) return FromStatus(state.status());
  if (query->size() > 200) return FromStatus(InvalidField("query", "must be at most 200 characters"));
  const int year = std::stoi(replay::StockholmDate(d_.clock->Now()).substr(0, 4));
  auto pn = engine::ParsePersonalNumber(*query, year);
  const auto parts = replay::NameIndex::Parts(*query);
  if (!pn.ok() && parts.empty()) {
    return FromStatus(InvalidField("query", "must be a personal identity number or a name of at least two letters"));
  }
  if (!engine::RoleSeesCases(Model(), c.actor.role) || !May(c, "lookup_subject")) {
    return Problem(403, "forbidden", "this role may not search for people");
  }
  if (auto wait = d_.limits->TakeLookup(c.actor.id)) {
    if (d_.metrics) ++d_.metrics->server().rate_limited_lookups;
    spdlog::warn("search refused: a user of role {} spent the lookup budget", c.actor.role);
    return RateLimited(*wait, "lookups by this user");
  }
  if (!d_.names) return Problem(503, "unavailable", "the name index is not running");

  // The people the query names.
  std::vector<std::string> subjects;
  std::string query_hash;
  const char* via = pn.ok() ? "case_search" : "name_search";
  if (pn.ok()) {
    query_hash = engine::NumberHash(d_.lookup_hash_key, pn->canonical);
    auto r = d_.service->LookupSubject(*query);
    if (!r.ok()) return FromStatus(r.status());
    if (*r) subjects.push_back(**r);
  } else {
    std::vector<std::string> sorted = parts;
    std::sort(sorted.begin(), sorted.end());
    std::string joined;
    for (const auto& p : sorted) joined += (joined.empty() ? "" : " ") + p;
    query_hash = d_.names->PartHash(joined);
    auto found = d_.names->Find(*query);
    if (!found.ok()) return FromStatus(found.status());
    subjects = std::move(*found);
  }

  // Their cases the caller may see, of people the caller may see by name.
  if (auto behind = FreshOr503(d_.directory->WaitFor(d_.log->GetHead().position, 2000), "cases")) return *behind;
  const auto now = d_.clock->Now();
  json::array cases;
  std::vector<std::string> shown;
  for (const auto& sid : subjects) {
    auto subject = d_.service->LoadSubject(sid);
    if (!subject.ok()) return FromStatus(subject.status());
    if (subject->erased) continue;
    auto consent = d_.service->LoadConsent(sid);
    if (!consent.ok()) return FromStatus(consent.status());
    if (!engine::ShowsSubject(Model(), c.actor, *consent, now)) continue;
    bool any = false;
    for (const auto& id : subject->cases) {
      auto cs = d_.service->LoadCase(id);
      if (!cs.ok()) return FromStatus(cs.status());
      if (!engine::CheckCaseVisible(Model(), c.actor, *cs).ok()) continue;
      if ((*unit && cs->unit != **unit) || (*state && cs->state != **state)) continue;
      any = true;
      cases.push_back(json::object{{"case_id", id}, {"unit", cs->unit}, {"state", cs->state}, {"version", cs->version},
                                   {"referred_at", engine::FormatRfc3339(cs->opened_at)}, {"subject_id", sid}});
    }
    if (any) shown.push_back(sid);
  }

  // Recorded before it is answered, whatever it found.
  const std::string purpose = c.Purpose(engine::DefaultPurpose(Model(), c.actor));
  if (shown.empty()) shown.push_back("");
  for (const auto& sid : shown) {
    engine::LookupRecord record{c.actor, sid, query_hash, purpose, sid.empty() ? "not_found" : "found", via, now};
    if (Status s = engine::RecordLookup(*d_.log, record); !s.ok()) return FromStatus(s);
  }
  const auto total = cases.size();
  return Json(200, json::object{{"cases", std::move(cases)}, {"total", total}});
}

void SearchRoutes::Register(RouteTable& t) {
  t.Add("POST", {"cases", "search"}, [this](Call& c) { return SearchCases(c); });
}

}  // namespace casetrail::adapters
