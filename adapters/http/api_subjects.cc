// Subjects and consent: POST /v1/subjects, PATCH /v1/subjects/{id} (rectification),
// /v1/subjects/lookup, …/consents, …/consents/withdraw.
#include "adapters/http/api_subjects.h"
#include "adapters/http/body_fields.h"
#include "engine/reserves.h"
#include "engine/access_policy.h"
#include "engine/consent.h"
#include "engine/lookup_trace.h"
#include "engine/personal_number.h"
#include "replay/stockholm_time.h"

#include <spdlog/spdlog.h>

namespace casetrail::adapters {
namespace json = boost::json;

namespace {
int CurrentYear(engine::Clock& clock) { return std::stoi(replay::StockholmDate(clock.Now()).substr(0, 4)); }

ApiResponse InvalidNumber() {
  return Problem(422, "invalid_personal_number", "not a valid Swedish personal identity or coordination number");
}

// "contact": {"phone"?, "email"?} (absent or null: neither given).
Status ParseContact(const json::object& body, std::optional<std::string>* phone, std::optional<std::string>* email) {
  const auto* contact = body.if_contains("contact");
  if (!contact || contact->is_null()) return Status::Ok();
  if (!contact->is_object()) return InvalidField("contact", "must be an object");
  if (!OnlyFields(contact->as_object(), {"phone", "email"}).ok()) return InvalidField("contact", "accepts phone and email only");
  auto p = OptString(contact->as_object(), "phone");
  auto e = OptString(contact->as_object(), "email");
  if (!p.ok() || !e.ok()) return InvalidField("contact", "phone and email must be strings");
  *phone = *p;
  *email = *e;
  return Status::Ok();
}
}  // namespace

Status SubjectRoutes::TraceLookup(const Call& c, const std::string& canonical_number, const std::string& subject_id,
                        const char* outcome, const char* via) {
  engine::LookupRecord record{c.actor,
                              subject_id,
                              engine::NumberHash(d_.lookup_hash_key, canonical_number),
                              c.Purpose(engine::DefaultPurpose(Model(), c.actor)),
                              outcome,
                              via,
                              d_.clock->Now()};
  return engine::RecordLookup(*d_.log, record);
}

ApiResponse SubjectRoutes::RegisterSubject(Call& c) {
  if (Status s = OnlyFields(c.body, {"personal_number", "name", "gender", "contact"}); !s.ok()) return FromStatus(s);
  auto pnr = ReqString(c.body, "personal_number");
  if (!pnr.ok()) return FromStatus(pnr.status());
  auto name = ReqString(c.body, "name");
  if (!name.ok()) return FromStatus(name.status());
  auto gender = OptString(c.body, "gender");
  if (!gender.ok()) return FromStatus(gender.status());
  engine::SubjectInput in{*pnr, *name, gender->value_or("unknown"), "", ""};
  if (in.gender != "female" && in.gender != "male" && in.gender != "unknown") {
    return FromStatus(InvalidField("gender", "must be female, male or unknown"));
  }
  std::optional<std::string> phone, email;
  if (Status s = ParseContact(c.body, &phone, &email); !s.ok()) return FromStatus(s);
  in.phone = phone.value_or("");
  in.email = email.value_or("");
  if (!engine::ParsePersonalNumber(in.personal_number, CurrentYear(*d_.clock)).ok()) return InvalidNumber();
  if (!May(c, "register_subject")) return Problem(403, "forbidden", "this role may not register subjects");
  auto r = d_.service->RegisterSubject(c.Context(), in);
  if (!r.ok()) return FromStatus(r.status());
  // A registration that names a known person tells the caller that person is registered: it is
  // a lookup, and traced like one.
  if (!r->created) {
    auto pn = engine::ParsePersonalNumber(in.personal_number, CurrentYear(*d_.clock));
    if (!pn.ok()) return FromStatus(pn.status());
    if (Status s = TraceLookup(c, pn->canonical, r->subject_id, "existing", "registration"); !s.ok()) return FromStatus(s);
  }
  return Json(r->created ? 201 : 200, {{"subject_id", r->subject_id}});
}

ApiResponse SubjectRoutes::RectifySubject(Call& c, const std::string& subject) {
  if (Status s = OnlyFields(c.body, {"name", "contact", "personal_number", "reason"}); !s.ok()) return FromStatus(s);
  engine::Rectification in;
  for (auto [field, target] : {std::pair{"name", &in.name}, std::pair{"personal_number", &in.personal_number}}) {
    auto v = OptString(c.body, field);
    if (!v.ok()) return FromStatus(v.status());
    *target = *v;
  }
  auto reason = OptString(c.body, "reason");
  if (!reason.ok()) return FromStatus(reason.status());
  in.reason = reason->value_or("");
  if (Status s = ParseContact(c.body, &in.phone, &in.email); !s.ok()) return FromStatus(s);
  if (in.personal_number && !engine::ParsePersonalNumber(*in.personal_number, CurrentYear(*d_.clock)).ok()) return InvalidNumber();
  engine::RequestContext ctx = c.Context();
  ctx.idempotency_fingerprint = d_.hashes->Fingerprint(c.req);  // a key reused with another body is refused
  auto r = d_.service->RectifySubject(ctx, subject, in);
  if (!r.ok()) return FromStatus(r.status());
  return Json(200, {{"subject_id", subject}, {"version", *r}});
}

ApiResponse SubjectRoutes::LookupSubject(Call& c) {
  if (Status s = OnlyFields(c.body, {"personal_number"}); !s.ok()) return FromStatus(s);
  auto pnr = ReqString(c.body, "personal_number");
  if (!pnr.ok()) return FromStatus(pnr.status());
  auto pn = engine::ParsePersonalNumber(*pnr, CurrentYear(*d_.clock));
  if (!pn.ok()) return InvalidNumber();
  if (!May(c, "lookup_subject")) return Problem(403, "forbidden", "this role may not look up subjects");
  if (auto wait = d_.limits->TakeLookup(c.actor.id)) {
    if (d_.metrics) ++d_.metrics->server().rate_limited_lookups;
    spdlog::warn("lookup refused: a user of role {} spent the lookup budget", c.actor.role);
    return RateLimited(*wait, "lookups by this user");
  }
  auto r = d_.service->LookupSubject(*pnr);
  if (!r.ok()) return FromStatus(r.status());
  // Every lookup is traced before it is answered, whatever it finds (engine/lookup_trace.h).
  auto not_found = [&]() -> ApiResponse {
    if (Status s = TraceLookup(c, pn->canonical, "", "not_found", "lookup"); !s.ok()) return FromStatus(s);
    return Problem(404, "not_found", "no subject with that number");
  };
  if (!*r) return not_found();
  auto subject = d_.service->LoadSubject(**r);
  if (!subject.ok()) return FromStatus(subject.status());
  if (subject->erased) return not_found();
  // Whether the person has an open case (of any unit): a referral would answer 409 case_open
  // with its id anyway; the importer checks it before writing anything for a row.
  bool open_case = false;
  for (const auto& id : subject->cases) {
    auto state = d_.service->LoadCase(id);
    if (!state.ok()) return FromStatus(state.status());
    const auto* def = d_.registry->Find(state->workflow, state->revision);
    open_case = open_case || (def && def->IsOpen(state->state));
  }
  if (Status s = TraceLookup(c, pn->canonical, **r, "found", "lookup"); !s.ok()) return FromStatus(s);
  return Json(200, {{"subject_id", **r}, {"open_case", open_case}});
}

ApiResponse SubjectRoutes::GrantConsent(Call& c, const std::string& subject) {
  if (Status s = OnlyFields(c.body, {"scopes", "method", "evidence_ref"}); !s.ok()) return FromStatus(s);
  auto scopes = StringList(c.body, "scopes");
  if (!scopes.ok()) return FromStatus(scopes.status());
  auto method = ReqString(c.body, "method");
  if (!method.ok()) return FromStatus(method.status());
  auto evidence = OptString(c.body, "evidence_ref");
  if (!evidence.ok()) return FromStatus(evidence.status());
  engine::RequestContext ctx = c.Context();
  ctx.idempotency_fingerprint = d_.hashes->Fingerprint(c.req);
  auto r = d_.service->GrantConsent(ctx, subject, *scopes, *method, evidence->value_or(""));
  if (!r.ok()) return FromStatus(r.status());
  return Json(201, {{"version", *r}});
}

ApiResponse SubjectRoutes::RecordNotice(Call& c, const std::string& subject) {
  if (Status s = OnlyFields(c.body, {"notice_version", "method"}); !s.ok()) return FromStatus(s);
  auto version = ReqString(c.body, "notice_version");
  if (!version.ok()) return FromStatus(version.status());
  auto method = ReqString(c.body, "method");
  if (!method.ok()) return FromStatus(method.status());
  engine::RequestContext ctx = c.Context();
  ctx.idempotency_fingerprint = d_.hashes->Fingerprint(c.req);
  auto r = d_.service->RecordNotice(ctx, subject, *version, *method);
  if (!r.ok()) return FromStatus(r.status());
  return Json(201, {{"version", *r}});
}

ApiResponse SubjectRoutes::AppointReserve(Call& c, bool revoke) {
  if (Status s = OnlyFields(c.body, revoke ? std::set<std::string>{} : std::set<std::string>{"reserve"}); !s.ok()) {
    return FromStatus(s);
  }
  std::string reserve;
  if (!revoke) {
    auto v = ReqString(c.body, "reserve");
    if (!v.ok()) return FromStatus(v.status());
    if (v->empty() || v->size() > 100) return FromStatus(InvalidField("reserve", "must be a user id"));
    reserve = *v;
  }
  if (!May(c, "appoint_reserve") || !c.actor.acting_for.empty()) {
    return Problem(403, "forbidden", "only a contact person appoints their own reserve");
  }
  auto r = engine::AppointReserve(*d_.log, c.actor, reserve, d_.clock->Now());
  if (!r.ok()) return FromStatus(r.status());
  return Json(revoke ? 200 : 201, {{"version", *r}});
}

ApiResponse SubjectRoutes::WithdrawConsent(Call& c, const std::string& subject) {
  if (Status s = OnlyFields(c.body, {"scopes", "on_request"}); !s.ok()) return FromStatus(s);
  bool on_request = false;
  if (const auto* v = c.body.if_contains("on_request")) {
    if (!v->is_bool()) return FromStatus(InvalidField("on_request", "must be true or false"));
    on_request = v->as_bool();
  }
  std::vector<std::string> scopes;
  const auto* v = c.body.if_contains("scopes");
  if (v && v->is_string() && v->as_string() == "all") {
    scopes = d_.service->model().ScopeNames();
  } else {
    auto list = StringList(c.body, "scopes");
    if (!list.ok()) return FromStatus(list.status());
    scopes = *list;
  }
  engine::RequestContext ctx = c.Context();
  ctx.idempotency_fingerprint = d_.hashes->Fingerprint(c.req);
  auto r = d_.service->WithdrawConsent(ctx, subject, scopes, on_request);
  if (!r.ok()) return FromStatus(r.status());
  return Json(200, {{"version", *r}});
}

void SubjectRoutes::Register(RouteTable& t) {
  t.Add("POST", {"subjects"}, [this](Call& c) { return RegisterSubject(c); });
  t.Add("POST", {"subjects", "lookup"}, [this](Call& c) { return LookupSubject(c); });
  t.Add("PATCH", {"subjects", "*"}, [this](Call& c) { return RectifySubject(c, c.path[1]); });
  t.Add("POST", {"subjects", "*", "consents"}, [this](Call& c) { return GrantConsent(c, c.path[1]); });
  t.Add("POST", {"subjects", "*", "notices"}, [this](Call& c) { return RecordNotice(c, c.path[1]); });
  t.Add("POST", {"reserves"}, [this](Call& c) { return AppointReserve(c, false); });
  t.Add("POST", {"reserves", "revoke"}, [this](Call& c) { return AppointReserve(c, true); });
  t.Add("POST", {"subjects", "*", "consents", "withdraw"}, [this](Call& c) { return WithdrawConsent(c, c.path[1]); });
}

}  // namespace casetrail::adapters
