// Data protection, `compliance` only: GET /v1/cases/{id}/audit, GET /v1/subjects/{id}/extract
// (GDPR Art. 15), POST /v1/subjects/{id}/erasure (Art. 17).
#include "adapters/http/api.h"
#include "adapters/http/body_fields.h"
#include "adapters/http/json_values.h"
#include "adapters/http/subject_view.h"
#include "engine/access_policy.h"
#include "replay/case_rebuild.h"

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

// Event data with its sealed personal fields opened, or marked erased once the key is gone.
json::object OpenedData(const engine::StoredEvent& e, engine::SubjectKeys& keys, const std::string& subject,
                        std::set<std::string>* personal_fields) {
  json::object d = ToJson(e.event.facts);
  if (e.event.sealed.empty()) return d;
  auto opened = keys.Open(subject, e.event.sealed);
  if (!opened.ok()) {
    d["erased"] = true;
    return d;
  }
  for (const auto& [k, v] : *opened) {
    d[k] = ToJson(v);
    personal_fields->insert(k);
  }
  return d;
}

// Recipients and purposes of the study-referral cooperation (DOMAIN §6), stated in every extract.
json::object ProcessingJson() {
  return {{"controllers", json::array{"Arbetsförmedlingen", "Stockholms stad, arbetsmarknadsförvaltningen (Vux)"}},
          {"recipients", json::array{"Arbetsförmedlingen: the referring unit", "Stockholms stad: study and career counsellors (SYV)",
                                     "compliance officers of both parties"}},
          {"purposes", json::array{"case_handling: referral, guidance conversation, study planning and follow-up",
                                   "compliance_review: audit of decisions and reads",
                                   "statistics: aggregate indicators without personal data"}},
          {"legal_bases", json::array{"consent (Art. 6(1)(a)) for the transfer of data between the parties",
                                      "public task (Art. 6(1)(e)) for each party's own records"}},
          {"retention", "personal data is crypto-shredded on an upheld erasure request, or by the retention policy a "
                        "set time after the subject's cases end (docs/gdpr.md), unless a legal hold applies; the audit "
                        "chain keeps only ids, codes and sealed data"}};
}

}  // namespace

ApiResponse Api::EraseSubject(Call& c, const std::string& subject) {
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

ApiResponse Api::Extract(Call& c, const std::string& subject_id) {
  auto subject = d_.service->LoadSubject(subject_id);
  if (!subject.ok()) return FromStatus(subject.status());
  if (!subject->Exists()) return Problem(404, "not_found", "subject not found");
  if (!May(c, "read_extract")) return OnlyCompliance();
  if (subject->erased) return Problem(410, "erased", "the subject was erased");
  auto personal = SubjectPersonal(*d_.log, *d_.keys, subject_id);
  if (!personal.ok()) return FromStatus(personal.status());
  if (!*personal) return Problem(410, "erased", "the subject was erased");
  std::set<std::string> shown = {"name", "personal_number", "contact"};

  auto consents = replay::ReadStreamEvents(*d_.log, engine::ConsentStream(subject_id));
  if (!consents.ok()) return FromStatus(consents.status());
  json::array consent_json;
  for (const auto& e : *consents) {
    json::object entry = EnvelopeJson(e, true);
    entry["data"] = OpenedData(e, *d_.keys, subject_id, &shown);
    consent_json.push_back(std::move(entry));
  }
  json::array case_json;
  for (const auto& case_id : subject->cases) {
    auto events = replay::ReadCaseEvents(*d_.log, case_id);
    if (!events.ok()) return FromStatus(events.status());
    auto state = replay::Rebuild(*events, {}, *d_.registry);
    if (!state.ok()) return FromStatus(state.status());
    json::array history;
    for (const auto& e : *events) {
      json::object entry = EnvelopeJson(e, true);
      entry["data"] = OpenedData(e, *d_.keys, subject_id, &shown);
      history.push_back(std::move(entry));
    }
    case_json.push_back(json::object{{"case_id", case_id},
                                     {"unit", state->unit},
                                     {"state", state->state},
                                     {"closed_reason", state->closed_reason ? json::value(*state->closed_reason) : json::value(nullptr)},
                                     {"events", std::move(history)}});
  }
  auto reads = replay::ReadStreamEvents(*d_.log, engine::AccessStream(subject_id));
  if (!reads.ok()) return FromStatus(reads.status());
  json::array read_json, lookup_json;
  for (const auto& e : *reads) {
    if (e.event.type == "PersonalDataRead") read_json.push_back(ReadJson(e));
    if (e.event.type == "SubjectLookedUp") lookup_json.push_back(LookupJson(e));
  }

  // The extract is itself a read of everything it shows; recorded before it is returned.
  const engine::Timestamp now = d_.clock->Now();
  engine::ReadRecord read{c.actor, subject_id, "", {shown.begin(), shown.end()},
                          c.Purpose("register_extract"), true, now};
  if (Status s = engine::RecordRead(*d_.log, read); !s.ok()) return FromStatus(s);

  json::object person = SubjectJson(**personal);
  person["gender"] = subject->gender;
  person["age_band"] = subject->age_band;
  // That, when and by whom the data was rectified (Art. 16), with the names of the fields: the
  // current values are above; earlier ones are not repeated.
  json::array rectifications, notices;
  auto subject_events = replay::ReadStreamEvents(*d_.log, engine::SubjectStream(subject_id));
  if (!subject_events.ok()) return FromStatus(subject_events.status());
  for (const auto& e : *subject_events) {
    if (e.event.type == "SubjectRectified") rectifications.push_back(RectificationJson(e));
    // Which privacy notice the person was given, when, how and by whom (Art. 13/14).
    if (e.event.type == "SubjectInformed") {
      notices.push_back(json::object{{"at", engine::FormatRfc3339(e.event.meta.recorded_at)},
                                     {"by", e.event.meta.actor.id},
                                     {"notice_version", ToJson(e.event.facts.at("notice_version"))},
                                     {"method", ToJson(e.event.facts.at("method"))}});
    }
  }
  return Json(200, json::object{{"subject_id", subject_id},
                                {"rectifications", std::move(rectifications)},
                                {"notices", std::move(notices)},
                                {"generated_at", engine::FormatRfc3339(now)},
                                {"personal_data", std::move(person)},
                                {"consents", std::move(consent_json)},
                                {"cases", std::move(case_json)},
                                {"processing", ProcessingJson()},
                                {"reads", std::move(read_json)},
                                {"lookups", std::move(lookup_json)}});
}

ApiResponse Api::Audit(Call& c, const std::string& case_id) {
  auto events = replay::ReadCaseEvents(*d_.log, case_id);
  if (!events.ok()) return FromStatus(events.status());
  if (events->empty()) return Problem(404, "not_found", "case not found");
  if (!May(c, "read_audit")) return OnlyCompliance();
  auto state = replay::Rebuild(*events, {}, *d_.registry);
  if (!state.ok()) return FromStatus(state.status());

  json::array event_json;
  for (const auto& e : *events) {
    json::object entry = EnvelopeJson(e, true);
    entry["facts"] = ToJson(e.event.facts);
    entry["has_personal_data"] = !e.event.sealed.empty();
    event_json.push_back(std::move(entry));
  }
  auto refusals = replay::ReadStreamEvents(*d_.log, engine::RefusalStream(case_id));
  if (!refusals.ok()) return FromStatus(refusals.status());
  json::array refusal_json;
  for (const auto& e : *refusals) {
    json::object entry = EnvelopeJson(e, true);
    entry["facts"] = ToJson(e.event.facts);
    refusal_json.push_back(std::move(entry));
  }
  auto reads = replay::ReadStreamEvents(*d_.log, engine::AccessStream(state->subject_id));
  if (!reads.ok()) return FromStatus(reads.status());
  json::array read_json;
  for (const auto& e : *reads) {
    const std::string* about = engine::AsText(e.event.facts, "case_id");
    if (e.event.type == "PersonalDataRead" && about && *about == case_id) read_json.push_back(ReadJson(e));
  }
  // Chain status of this case's records: each one's hash and links into the global chain, and the
  // latest signed checkpoint (storage::Log::VerifyRecords). GET /v1/verify walks the whole log.
  std::vector<Position> positions;
  for (const auto& e : *events) positions.push_back(e.position);
  auto report = d_.log->VerifyRecords(positions);
  if (!report.ok()) return FromStatus(report.status());
  json::object chain{{"ok", report->ok}, {"scope", "case"}, {"events", report->events}};
  // Rectifications of the person's data: when, by whom and which fields — never the values.
  auto subject_events = replay::ReadStreamEvents(*d_.log, engine::SubjectStream(state->subject_id));
  if (!subject_events.ok()) return FromStatus(subject_events.status());
  json::array rectifications;
  json::value erasure = nullptr;  // the person's erasure: its legal basis and reference as written
  for (const auto& e : *subject_events) {
    if (e.event.type == "SubjectRectified") rectifications.push_back(RectificationJson(e));
    if (e.event.type == "SubjectErased" || e.event.type == "GallringExecuted") {
      json::object o = ToJson(e.event.facts);
      o["type"] = e.event.type;
      o["erased_at"] = engine::FormatRfc3339(e.event.meta.recorded_at);
      o["by"] = e.event.meta.actor.id;
      erasure = std::move(o);
    }
  }
  if (report->first_bad_position) chain["first_bad_position"] = report->first_bad_position->value();
  // The audit shows what was done in a person's case and who read it: itself a read, recorded
  // before it is answered (and listed in the next audit).
  engine::ReadRecord read{c.actor, state->subject_id, case_id, {}, c.Purpose("compliance_review"), true, d_.clock->Now()};
  if (Status s = engine::RecordRead(*d_.log, read); !s.ok()) return FromStatus(s);
  if (!report->ok) chain["problem"] = report->problem;
  return Json(200, json::object{{"case_id", case_id},
                                {"subject_id", state->subject_id},
                                {"state", state->state},
                                {"events", std::move(event_json)},
                                {"refused_commands", std::move(refusal_json)},
                                {"reads", std::move(read_json)},
                                {"subject_rectifications", std::move(rectifications)},
                                {"subject_erasure", std::move(erasure)},
                                {"chain", std::move(chain)}});
}

ApiResponse Api::LegalHold(Call& c, const std::string& subject, bool placed) {
  if (Status s = OnlyFields(c.body, {"reference"}); !s.ok()) return FromStatus(s);
  auto reference = ReqString(c.body, "reference");
  if (!reference.ok()) return FromStatus(reference.status());
  auto known = d_.service->LoadSubject(subject);
  if (!known.ok()) return FromStatus(known.status());
  if (!known->Exists()) return Problem(404, "not_found", "subject not found");
  engine::RequestContext ctx = c.Context();
  ctx.idempotency_fingerprint = Fingerprint(c.req);
  auto r = d_.service->SetLegalHold(ctx, subject, placed, *reference);
  if (!r.ok()) return FromStatus(r.status());
  return Json(200, json::object{{"subject_id", subject}, {"legal_hold", placed}, {"version", *r}});
}

ApiResponse Api::RunRetention(Call& c) {
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

}  // namespace casetrail::adapters
