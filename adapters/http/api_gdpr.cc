// Data protection, `compliance` only: GET /v1/cases/{id}/audit, GET /v1/subjects/{id}/extract
// (GDPR Art. 15), POST /v1/subjects/{id}/erasure (Art. 17). The extract and the audit are built
// by their read models (replay/register_extract.h, replay/case_audit.h); here they become JSON.
#include "adapters/http/api_gdpr.h"
#include "adapters/http/body_fields.h"
#include "adapters/http/json_values.h"
#include "adapters/http/subject_view.h"
#include "engine/access_policy.h"
#include "replay/case_audit.h"
#include "replay/case_rebuild.h"
#include "replay/register_extract.h"

namespace casetrail::adapters {
namespace json = boost::json;

namespace {

// A rectification as audits and extracts show it: the envelope (when, who) and the names of the
// fields that changed; the values stay sealed.
json::object RectificationJson(const engine::StoredEvent& e) {
  json::object entry = EnvelopeJson(e, true);
  auto fields = e.event.facts.find("fields");
  entry["data"] = json::object{{"fields", fields == e.event.facts.end() ? json::value(json::array{}) : ToJson(fields->second)}};
  return entry;
}

ApiResponse OnlyCompliance() {
  return Problem(403, "forbidden", "only the compliance role may do this");
}

// A PersonalDataRead event as API.md's read entry.
json::object ReadJson(const engine::StoredEvent& e) {
  const auto& f = e.event.facts;
  auto text = [&](const char* k) {
    const std::string* v = engine::AsText(f, k);
    return v && !v->empty() ? json::value(*v) : json::value(nullptr);
  };
  json::array fields;
  if (auto it = f.find("fields"); it != f.end()) {
    if (const auto* list = std::get_if<std::vector<std::string>>(&it->second)) {
      for (const auto& x : *list) fields.emplace_back(x);
    }
  }
  json::object out{{"at", engine::FormatRfc3339(e.event.meta.recorded_at)},
                   {"actor", e.event.meta.actor.id},
                   {"role", e.event.meta.actor.role},
                   {"case_id", text("case_id")},
                   {"purpose", text("purpose")},
                   {"fields", std::move(fields)},
                   {"outcome", text("outcome")}};
  // Signed in through the identity provider: the level of assurance of the reader's sign-in.
  if (!e.event.meta.actor.acr.empty()) out["acr"] = e.event.meta.actor.acr;
  return out;
}

// A SubjectLookedUp event (engine/lookup_trace.h) as the extract's lookup entry: who searched
// for the person by number, when, why and what they learnt. The number's hash is not shown.
json::object LookupJson(const engine::StoredEvent& e) {
  const auto& f = e.event.facts;
  auto text = [&](const char* k) {
    const std::string* v = engine::AsText(f, k);
    return v ? json::value(*v) : json::value(nullptr);
  };
  return {{"at", engine::FormatRfc3339(e.event.meta.recorded_at)},
          {"actor", e.event.meta.actor.id},
          {"role", e.event.meta.actor.role},
          {"purpose", text("purpose")},
          {"outcome", text("outcome")},
          {"via", text("via")}};
}

// An event's data with its sealed personal fields opened, or marked erased once the key is gone.
json::object OpenedJson(const replay::OpenedEvent& e) {
  json::object d = ToJson(e.event.event.facts);
  if (e.erased) d["erased"] = true;
  for (const auto& [k, v] : e.opened) d[k] = ToJson(v);
  return d;
}

json::object OpenedEntry(const replay::OpenedEvent& e) {
  json::object entry = EnvelopeJson(e.event, true);
  entry["data"] = OpenedJson(e);
  return entry;
}

json::array Strings(const std::vector<std::string>& v) {
  json::array out;
  for (const auto& s : v) out.emplace_back(s);
  return out;
}

// Recipients and purposes of the cooperation (replay/register_extract.h), stated in every extract.
json::object ProcessingJson(const replay::ProcessingStatement& p) {
  return {{"controllers", Strings(p.controllers)},
          {"recipients", Strings(p.recipients)},
          {"purposes", Strings(p.purposes)},
          {"legal_bases", Strings(p.legal_bases)},
          {"retention", p.retention}};
}

json::object ExtractJson(const replay::RegisterExtract& x) {
  json::array consents, cases, reads, lookups, rectifications, notices;
  for (const auto& e : x.consents) consents.push_back(OpenedEntry(e));
  for (const auto& c : x.cases) {
    json::array history;
    for (const auto& e : c.events) history.push_back(OpenedEntry(e));
    cases.push_back(json::object{{"case_id", c.case_id},
                                 {"unit", c.unit},
                                 {"state", c.state},
                                 {"closed_reason", c.closed_reason ? json::value(*c.closed_reason) : json::value(nullptr)},
                                 {"events", std::move(history)}});
  }
  for (const auto& e : x.reads) reads.push_back(ReadJson(e));
  for (const auto& e : x.lookups) lookups.push_back(LookupJson(e));
  for (const auto& e : x.rectifications) rectifications.push_back(RectificationJson(e));
  for (const auto& e : x.notices) {
    notices.push_back(json::object{{"at", engine::FormatRfc3339(e.event.meta.recorded_at)},
                                   {"by", e.event.meta.actor.id},
                                   {"notice_version", ToJson(e.event.facts.at("notice_version"))},
                                   {"method", ToJson(e.event.facts.at("method"))}});
  }
  json::object person = SubjectJson(x.personal);
  person["gender"] = x.gender;
  person["age_band"] = x.age_band;
  return json::object{{"subject_id", x.subject_id},
                      {"rectifications", std::move(rectifications)},
                      {"notices", std::move(notices)},
                      {"generated_at", engine::FormatRfc3339(x.generated_at)},
                      {"personal_data", std::move(person)},
                      {"consents", std::move(consents)},
                      {"cases", std::move(cases)},
                      {"processing", ProcessingJson(replay::CooperationProcessing())},
                      {"reads", std::move(reads)},
                      {"lookups", std::move(lookups)}};
}

json::object AuditJson(const replay::CaseAudit& a) {
  json::array events, refusals, reads, rectifications;
  for (const auto& e : a.events) {
    json::object entry = EnvelopeJson(e, true);
    entry["facts"] = ToJson(e.event.facts);
    entry["has_personal_data"] = !e.event.sealed.empty();
    events.push_back(std::move(entry));
  }
  for (const auto& e : a.refused) {
    json::object entry = EnvelopeJson(e, true);
    entry["facts"] = ToJson(e.event.facts);
    refusals.push_back(std::move(entry));
  }
  for (const auto& e : a.reads) reads.push_back(ReadJson(e));
  for (const auto& e : a.subject_rectifications) rectifications.push_back(RectificationJson(e));
  json::object chain{{"ok", a.chain.ok}, {"scope", "case"}, {"events", a.chain.events}};
  if (a.chain.first_bad_position) chain["first_bad_position"] = a.chain.first_bad_position->value();
  if (!a.chain.ok) chain["problem"] = a.chain.problem;
  json::value erasure = nullptr;  // the person's erasure: its legal basis and reference as written
  if (a.subject_erasure) {
    const auto& e = *a.subject_erasure;
    json::object o = ToJson(e.event.facts);
    o["type"] = e.event.type;
    o["erased_at"] = engine::FormatRfc3339(e.event.meta.recorded_at);
    o["by"] = e.event.meta.actor.id;
    erasure = std::move(o);
  }
  return json::object{{"case_id", a.case_id},
                      {"subject_id", a.subject_id},
                      {"state", a.state},
                      {"events", std::move(events)},
                      {"refused_commands", std::move(refusals)},
                      {"reads", std::move(reads)},
                      {"subject_rectifications", std::move(rectifications)},
                      {"subject_erasure", std::move(erasure)},
                      {"chain", std::move(chain)}};
}

}  // namespace

ApiResponse GdprRoutes::EraseSubject(Call& c, const std::string& subject) {
  if (Status s = OnlyFields(c.body, {"legal_basis", "reference"}); !s.ok()) return FromStatus(s);
  auto basis = ReqString(c.body, "legal_basis");
  if (!basis.ok()) return FromStatus(basis.status());
  auto reference = ReqString(c.body, "reference");
  if (!reference.ok()) return FromStatus(reference.status());
  auto known = d_.service->LoadSubject(subject);
  if (!known.ok()) return FromStatus(known.status());
  if (!known->Exists()) return Problem(404, "not_found", "subject not found");
  if (!May(c, "erase_subject")) return OnlyCompliance();
  auto r = d_.service->EraseSubject(c.Context(), subject, *basis, *reference);
  if (!r.ok()) return FromStatus(r.status());
  json::array cases;
  for (const auto& id : r->cases) cases.emplace_back(id);
  return Json(200, json::object{{"erased_at", r->erased_at}, {"cases", std::move(cases)}});
}

ApiResponse GdprRoutes::Extract(Call& c, const std::string& subject_id) {
  auto subject = d_.service->LoadSubject(subject_id);
  if (!subject.ok()) return FromStatus(subject.status());
  if (!subject->Exists()) return Problem(404, "not_found", "subject not found");
  if (!May(c, "read_extract")) return OnlyCompliance();
  if (subject->erased) return Problem(410, "erased", "the subject was erased");
  const replay::Reader reader{c.actor, c.Purpose("register_extract"), d_.clock->Now()};
  auto extract = replay::BuildRegisterExtract(*d_.log, *d_.keys, *d_.registry, subject_id, *subject, reader);
  if (!extract.ok()) return FromStatus(extract.status());
  if (!*extract) return Problem(410, "erased", "the subject was erased");
  return Json(200, ExtractJson(**extract));
}

ApiResponse GdprRoutes::Audit(Call& c, const std::string& case_id) {
  auto events = replay::ReadCaseEvents(*d_.log, case_id);
  if (!events.ok()) return FromStatus(events.status());
  if (events->empty()) return Problem(404, "not_found", "case not found");
  if (!May(c, "read_audit")) return OnlyCompliance();
  const replay::Reader reader{c.actor, c.Purpose("compliance_review"), d_.clock->Now()};
  auto audit = replay::BuildCaseAudit(*d_.log, *d_.registry, case_id, std::move(*events), reader);
  if (!audit.ok()) return FromStatus(audit.status());
  return Json(200, AuditJson(*audit));
}

ApiResponse GdprRoutes::LegalHold(Call& c, const std::string& subject, bool placed) {
  if (Status s = OnlyFields(c.body, {"reference"}); !s.ok()) return FromStatus(s);
  auto reference = ReqString(c.body, "reference");
  if (!reference.ok()) return FromStatus(reference.status());
  auto known = d_.service->LoadSubject(subject);
  if (!known.ok()) return FromStatus(known.status());
  if (!known->Exists()) return Problem(404, "not_found", "subject not found");
  engine::RequestContext ctx = c.Context();
  ctx.idempotency_fingerprint = d_.hashes->Fingerprint(c.req);
  auto r = d_.service->SetLegalHold(ctx, subject, placed, *reference);
  if (!r.ok()) return FromStatus(r.status());
  return Json(200, json::object{{"subject_id", subject}, {"legal_hold", placed}, {"version", *r}});
}

ApiResponse GdprRoutes::RunRetention(Call& c) {
  if (Status s = OnlyFields(c.body, {}); !s.ok()) return FromStatus(s);
  if (!May(c, "run_retention")) return Problem(403, "forbidden", "compliance or admin runs retention");
  if (!d_.retention) return Problem(409, "retention_not_configured", "start the server with --retention FILE");
  auto report = engine::RunRetention(*d_.service, *d_.log, *d_.registry, *d_.retention, d_.clock->Now(), nullptr, c.actor);
  if (!report.ok()) return FromStatus(report.status());
  json::array erased;
  for (const auto& id : report->erased_subjects) erased.emplace_back(id);
  return Json(200, json::object{{"policy_version", d_.retention->version},
                                {"examined", report->examined},
                                {"erased", std::move(erased)},
                                {"held", report->held},
                                {"run_position", report->run_position}});
}

void GdprRoutes::Register(RouteTable& t) {
  t.Add("POST", {"subjects", "*", "erasure"}, [this](Call& c) { return EraseSubject(c, c.path[1]); });
  t.Add("POST", {"subjects", "*", "legal-hold"}, [this](Call& c) { return LegalHold(c, c.path[1], true); });
  t.Add("POST", {"subjects", "*", "legal-hold", "lift"}, [this](Call& c) { return LegalHold(c, c.path[1], false); });
  t.Add("POST", {"retention", "run"}, [this](Call& c) { return RunRetention(c); });
  t.Add("GET", {"subjects", "*", "extract"}, [this](Call& c) { return Extract(c, c.path[1]); });
  t.Add("GET", {"cases", "*", "audit"}, [this](Call& c) { return Audit(c, c.path[1]); });
}

}  // namespace casetrail::adapters
