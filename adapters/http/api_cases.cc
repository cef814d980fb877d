// Cases: POST /v1/cases, POST /v1/cases/{id}/commands, GET /v1/cases/{id}, …/events, GET /v1/cases.
#include "adapters/http/api_cases.h"
#include "engine/responsibility.h"
#include "adapters/http/body_fields.h"
#include "adapters/http/json_values.h"
#include "adapters/http/read_models.h"
#include "adapters/http/subject_view.h"
#include "engine/access_policy.h"
#include "replay/case_rebuild.h"
#include "replay/stockholm_time.h"
#include "replay/subject_personal.h"
#include "storage/base/hex.h"

namespace casetrail::adapters {
namespace json = boost::json;

namespace {

const std::set<std::string> kEnvelopeFields = {"command", "expected_version", "effective_at", "data"};

json::value PaceJson(const engine::CaseState& s, bool shown) {
  if (!s.pace) return nullptr;
  if (!shown) return json::object{{"redacted", true}};
  return json::value(*s.pace);
}

json::object ResultJson(const engine::CommandResult& r) {
  return {{"case_id", r.case_id}, {"version", r.version}, {"state", r.state},
          {"pace", r.pace ? json::value(*r.pace) : json::value(nullptr)}};
}

Result<replay::AsOf> ParseAsOf(const std::map<std::string, std::string>& q) {
  replay::AsOf as_of;
  for (const auto& [k, v] : q) {
    if (k == "version") {
      char* end = nullptr;
      unsigned long long n = std::strtoull(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n == 0) return InvalidField("version", "must be a positive integer");
      as_of.version = n;
    } else if (k == "as_of" || k == "valid_at") {
      auto t = replay::UpperBound(v);
      if (!t.ok()) return InvalidField(k, "must be a date or an RFC 3339 time");
      (k == "as_of" ? as_of.recorded_by : as_of.effective_by) = *t;
    } else {
      return engine::UnknownFields(1, "in the query");
    }
  }
  return as_of;
}

}  // namespace

ApiResponse CaseRoutes::OpenCase(Call& c) {
  auto subject = ReqString(c.body, "subject_id");
  if (!subject.ok()) return FromStatus(subject.status());
  json::object rest = c.body;
  rest.erase("subject_id");
  // Optional: which initial command opens the case (RegisterCustomerInStudies, T16); by default
  // the revision's first (SubmitReferral).
  std::string command;
  if (const json::value* v = rest.if_contains("command")) {
    if (!v->is_string()) return FromStatus(InvalidField("command", "must be a command name"));
    command = std::string(v->as_string());
    rest.erase("command");
  }
  auto fields = FieldsFromJson(rest);
  if (!fields.ok()) return FromStatus(fields.status());
  engine::RequestContext ctx = c.Context();
  ctx.idempotency_fingerprint = d_.hashes->Fingerprint(c.req);
  auto r = d_.service->OpenCase(ctx, *subject, *fields, command);
  if (!r.ok()) return FromStatus(r.status());
  return Json(r->deduplicated ? 201 : 201, ResultJson(*r));
}

ApiResponse CaseRoutes::ExecuteCommand(Call& c, const std::string& case_id) {
  if (Status s = OnlyFields(c.body, kEnvelopeFields); !s.ok()) return FromStatus(s);
  auto name = ReqString(c.body, "command");
  if (!name.ok()) return FromStatus(name.status());
  engine::Command cmd{*name, {}, std::nullopt};
  std::optional<uint64_t> expected;
  if (const auto* v = c.body.if_contains("expected_version"); v && !v->is_null()) {
    if (!(v->is_int64() && v->as_int64() >= 0) && !v->is_uint64()) {
      return FromStatus(InvalidField("expected_version", "must be a non-negative integer"));
    }
    expected = v->is_uint64() ? v->as_uint64() : static_cast<uint64_t>(v->as_int64());
  }
  auto effective = OptString(c.body, "effective_at");
  if (!effective.ok()) return FromStatus(effective.status());
  if (*effective) {
    auto t = engine::ParseRfc3339(**effective);
    if (!t.ok()) return FromStatus(InvalidField("effective_at", "must be an RFC 3339 time"));
    cmd.effective_at = *t;
  }
  if (const auto* data = c.body.if_contains("data"); data && !data->is_null()) {
    if (!data->is_object()) return FromStatus(InvalidField("data", "must be an object"));
    auto fields = FieldsFromJson(data->as_object());
    if (!fields.ok()) return FromStatus(fields.status());
    cmd.fields = std::move(*fields);
  }
  engine::RequestContext ctx = c.Context();
  ctx.idempotency_fingerprint = d_.hashes->Fingerprint(c.req);
  auto r = d_.service->Execute(ctx, case_id, cmd, expected);
  if (!r.ok()) return FromStatus(r.status());
  return Json(200, ResultJson(*r));
}

Result<VisibleCase> LoadVisibleCase(storage::Log& log, const engine::DefinitionRegistry& registry,
                                    const engine::WorkflowModel& model, const Call& c, const std::string& case_id) {
  CT_ASSIGN_OR_RETURN(auto events, replay::ReadCaseEvents(log, case_id));
  if (events.empty()) return Status(StatusCode::kNotFound, "case not found").With("code", "not_found");
  CT_ASSIGN_OR_RETURN(engine::CaseState latest, replay::Rebuild(events, {}, registry));
  CT_RETURN_IF_ERROR(engine::CheckCaseVisible(model, c.actor, latest));
  return VisibleCase{std::move(events), std::move(latest)};
}

ApiResponse CaseRoutes::GetCase(Call& c, const std::string& case_id) {
  auto as_of = ParseAsOf(c.query);
  if (!as_of.ok()) return FromStatus(as_of.status());
  auto visible = LoadVisibleCase(c, case_id);
  if (!visible.ok()) return FromStatus(visible.status());
  const auto* events = &visible->events;
  const auto* latest = &visible->latest;
  auto state = as_of->Any() ? replay::Rebuild(*events, *as_of, *d_.registry) : Result<engine::CaseState>(*latest);
  if (!state.ok()) return FromStatus(state.status());

  const engine::Timestamp now = d_.clock->Now();
  auto consent = d_.service->LoadConsent(latest->subject_id);
  if (!consent.ok()) return FromStatus(consent.status());
  const bool show_subject = engine::ShowsSubject(Model(), c.actor, *consent, now);
  json::value subject = json::object{{"redacted", true}};
  if (show_subject) {
    auto personal = replay::SubjectPersonal(*d_.log, *d_.keys, latest->subject_id);
    if (!personal.ok()) return FromStatus(personal.status());
    subject = *personal ? json::value(SubjectJson(**personal)) : json::value(json::object{{"erased", true}});
  }
  // The record names the personal fields and the pace (the other party's progress) when present.
  const bool pace_shown = engine::ShowsPace(Model(), c.actor, *consent, now);
  std::vector<std::string> read_fields = {"name", "personal_number", "contact"};
  if (state->pace) read_fields.push_back("pace");
  engine::ReadRecord read{c.actor, latest->subject_id, case_id, read_fields,
                          c.Purpose(engine::DefaultPurpose(Model(), c.actor)),
                          show_subject && (!state->pace || pace_shown), now};
  if (Status s = engine::RecordRead(*d_.log, read); !s.ok()) return FromStatus(s);

  const engine::CaseState& s = *state;
  // Facts shown are folded only from events whose data this reader may see: the case's own
  // facts would otherwise leak Vux-recorded values (pace, outcome) past the redaction.
  engine::Fields visible_facts;
  for (const auto& e : *events) {
    if (e.version.value() > s.version) continue;
    const auto* def = d_.registry->Find(e.event.meta.workflow, e.event.meta.revision);
    engine::EventSpec spec = def && def->events.count(e.event.type) ? def->events.at(e.event.type) : engine::EventSpec{"system", ""};
    if (!engine::ShowsEventData(Model(), c.actor, spec, *consent, now)) continue;
    for (const auto& [k, v] : e.event.facts) visible_facts[k] = v;
  }
  json::object body{{"case_id", case_id},
                    {"subject_id", latest->subject_id},
                    {"unit", s.unit},
                    {"state", s.state.empty() ? json::value(nullptr) : json::value(s.state)},
                    {"pace", PaceJson(s, pace_shown)},
                    {"closed_reason", s.closed_reason ? json::value(*s.closed_reason) : json::value(nullptr)},
                    {"version", s.version},
                    {"revision", s.workflow.empty() ? json::value(nullptr) : json::value(s.workflow + "@" + std::to_string(s.revision))},
                    {"subject", subject},
                    {"facts", ToJson(visible_facts)}};
  return Json(200, body);
}

ApiResponse CaseRoutes::GetEvents(Call& c, const std::string& case_id) {
  auto as_of = ParseAsOf(c.query);  // the same bounds as GET /v1/cases/{id}, in stream order
  if (!as_of.ok()) return FromStatus(as_of.status());
  auto visible = LoadVisibleCase(c, case_id);
  if (!visible.ok()) return FromStatus(visible.status());
  const auto* events = &visible->events;
  const auto* latest = &visible->latest;
  const engine::Timestamp now = d_.clock->Now();
  auto consent = d_.service->LoadConsent(latest->subject_id);
  if (!consent.ok()) return FromStatus(consent.status());

  json::array out;
  std::set<std::string> personal_fields;
  bool redacted = false;
  for (const auto& e : *events) {
    if (!as_of->Selects(e)) continue;
    const auto* def = d_.registry->Find(e.event.meta.workflow, e.event.meta.revision);
    engine::EventSpec spec = def && def->events.count(e.event.type) ? def->events.at(e.event.type) : engine::EventSpec{"system", ""};
    json::value data;
    if (!engine::ShowsEventData(Model(), c.actor, spec, *consent, now)) {
      data = json::object{{"redacted", true}};
      redacted = redacted || !e.event.sealed.empty() || !e.event.facts.empty();
    } else {
      json::object d = ToJson(e.event.facts);
      if (!e.event.sealed.empty()) {
        if (engine::ShowsPersonal(Model(), c.actor, spec, *consent, now)) {
          auto opened = d_.keys->Open(latest->subject_id, e.event.sealed);
          if (opened.ok()) {
            for (const auto& [k, v] : *opened) {
              d[k] = ToJson(v);
              personal_fields.insert(k);
            }
          } else {
            d["erased"] = true;
          }
        } else {
          d["personal"] = json::object{{"redacted", true}};
          redacted = true;
        }
      }
      data = std::move(d);
    }
    json::object entry = EnvelopeJson(e);
    entry["data"] = std::move(data);
    out.push_back(std::move(entry));
  }
  // A case's events are about a person whatever a role sees of them: every read is recorded, the
  // personal fields shown (if any) named, whichever role reads.
  {
    engine::ReadRecord read{c.actor, latest->subject_id, case_id, {personal_fields.begin(), personal_fields.end()},
                            c.Purpose(engine::DefaultPurpose(Model(), c.actor)), !redacted, now};
    if (Status s = engine::RecordRead(*d_.log, read); !s.ok()) return FromStatus(s);
  }
  return Json(200, json::object{{"events", std::move(out)}});
}

ApiResponse CaseRoutes::TakeResponsibility(Call& c, const std::string& case_id) {
  if (Status s = OnlyFields(c.body, {}); !s.ok()) return FromStatus(s);
  auto visible = LoadVisibleCase(c, case_id);
  if (!visible.ok()) return FromStatus(visible.status());
  const engine::RoleSpec* role = Model().Role(c.actor.role);
  if (!May(c, "take_responsibility") || role->party.empty()) {
    return Problem(403, "forbidden", "this role holds no case for a party");
  }
  // A reserve takes it for the contact person they act for.
  const std::string person = c.actor.acting_for.empty() ? c.actor.id : c.actor.acting_for;
  auto r = engine::AssignResponsible(*d_.log, c.actor, case_id, role->party, person, d_.clock->Now());
  if (!r.ok()) return FromStatus(r.status());
  return Json(200, json::object{{"case_id", case_id}, {"party", role->party}, {"person", person}});
}

ApiResponse CaseRoutes::ListCases(Call& c) {
  if (!engine::RoleSeesCases(Model(), c.actor.role)) return Problem(403, "forbidden", "this role sees no cases");
  std::optional<std::string> unit, state, responsible;
  std::string after;
  size_t limit = 50;
  for (const auto& [k, v] : c.query) {
    if (k == "unit") unit = v;
    else if (k == "state") state = v;
    else if (k == "page_token") after = v;
    else if (k == "mine") {
      if (v != "true" && v != "false") return FromStatus(InvalidField("mine", "must be true or false"));
      // "My cases": those I hold on my side — or, for a reserve, those of the one I act for.
      if (v == "true") responsible = c.actor.acting_for.empty() ? c.actor.id : c.actor.acting_for;
    }
    else if (k == "limit") {
      limit = std::strtoul(v.c_str(), nullptr, 10);
      if (limit == 0 || limit > 500) return FromStatus(InvalidField("limit", "must be 1 to 500"));
    } else {
      return FromStatus(engine::UnknownFields(1, "in the query"));
    }
  }
  if (UnitBound(c)) {
    if (unit && *unit != c.actor.unit) return Json(200, json::object{{"cases", json::array{}}, {"next_page_token", nullptr}});
    unit = c.actor.unit;
  }
  // Read your own writes; a directory that cannot catch up answers 503, never a stale page.
  if (auto behind = FreshOr503(d_.directory->WaitFor(d_.log->GetHead().position, 2000), "cases")) return *behind;
  auto page = d_.directory->List(unit, state, after, limit + 1, responsible);
  json::array cases;
  for (size_t i = 0; i < page.size() && i < limit; ++i) {
    const auto& s = page[i];
    json::object who;
    for (const auto& [party, person] : s.responsible) who[party] = person;
    cases.push_back(json::object{{"case_id", s.case_id}, {"unit", s.unit}, {"state", s.state}, {"version", s.version},
                                 {"referred_at", engine::FormatRfc3339(s.opened_at)}, {"responsible", std::move(who)}});
  }
  json::value next = page.size() > limit ? json::value(page[limit - 1].case_id) : json::value(nullptr);
  return Json(200, json::object{{"cases", std::move(cases)}, {"next_page_token", next}});
}

void CaseRoutes::Register(RouteTable& t) {
  t.Add("POST", {"cases", "*", "responsible"}, [this](Call& c) { return TakeResponsibility(c, c.path[1]); });
  t.Add("POST", {"cases"}, [this](Call& c) { return OpenCase(c); });
  t.Add("GET", {"cases"}, [this](Call& c) { return ListCases(c); });
  t.Add("GET", {"cases", "*"}, [this](Call& c) { return GetCase(c, c.path[1]); });
  t.Add("POST", {"cases", "*", "commands"}, [this](Call& c) { return ExecuteCommand(c, c.path[1]); });
  t.Add("GET", {"cases", "*", "events"}, [this](Call& c) { return GetEvents(c, c.path[1]); });
}

}  // namespace casetrail::adapters
