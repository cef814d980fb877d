// The strategic group's records (DOMAIN §6.3 item 9) and decision audit:
//   POST/GET /v1/decisions                 DecisionRecorded (+ WorkflowRevisionAdopted)
//   POST/GET /v1/deviations, POST /v1/deviations/{id}/handled
//   GET  /v1/audits/decisions?year=|period=&unit=    decisions grouped by kind and reason
//   POST /v1/audits/samples                a seeded, recorded sample of case ids (compliance)
#include <sodium.h>

#include "adapters/http/api_strategic.h"
#include "adapters/http/body_fields.h"
#include "adapters/http/api_indicators.h"
#include "adapters/http/json_values.h"
#include "engine/cooperation_records.h"
#include "replay/case_rebuild.h"
#include "replay/decision_audit.h"
#include "replay/decision_register.h"
#include "replay/stockholm_time.h"
#include "replay/suppression.h"
#include "replay/indicator_definitions.h"
#include "workflows/indicator_definitions.h"
#include "storage/base/hex.h"

namespace casetrail::adapters {
namespace json = boost::json;

namespace {


Status Text(const json::object& body, const std::string& name, size_t max, std::string* out, bool required = true) {
  CT_ASSIGN_OR_RETURN(auto v, OptString(body, name));
  if (!v || v->empty()) return required ? InvalidField(name, "is required") : Status::Ok();
  if (v->size() > max) return InvalidField(name, "is too long");
  CT_RETURN_IF_ERROR(engine::RefuseIfPersonalNumber(name, *v));  // the strategic records are not sealed
  *out = *v;
  return Status::Ok();
}

Status Date(const json::object& body, const std::string& name, engine::Timestamp* out) {
  std::string v;
  CT_RETURN_IF_ERROR(Text(body, name, 10, &v));
  auto end = replay::EndOfStockholmDay(v);
  if (!end.ok() || v.size() != 10) return InvalidField(name, "must be a date YYYY-MM-DD");
  *out = *end - std::chrono::hours(12);
  return Status::Ok();
}

json::object RecordJson(const engine::StoredEvent& e) {
  json::object o{{"position", e.position.value()},
                 {"type", e.event.type},
                 {"recorded_at", engine::FormatRfc3339(e.event.meta.recorded_at)},
                 {"effective_on", replay::StockholmDate(e.event.meta.effective_at)},
                 {"recorded_by", e.event.meta.actor.id}};
  for (const auto& [k, v] : e.event.facts) o[k] = ToJson(v);
  return o;
}

std::string NewDeviationId() {
  uint8_t b[5];
  randombytes_buf(b, sizeof(b));
  return "D-" + ToHex(std::string_view(reinterpret_cast<const char*>(b), sizeof(b)));
}

}  // namespace

ApiResponse StrategicRoutes::RecordDecision(Call& c) {
  if (Status s = OnlyFields(c.body, {"body", "subject", "decided_by", "presented_by", "participants", "registry_number",
                                     "effective_from", "adopts", "indicator_definitions"});
      !s.ok())
    return FromStatus(s);
  std::string body, subject, decided_by, presented_by, registry, adopts;
  for (auto [name, out, max, req] : {std::tuple{"body", &body, 60, true}, std::tuple{"subject", &subject, 300, true},
                                     std::tuple{"decided_by", &decided_by, 200, true},
                                     std::tuple{"presented_by", &presented_by, 200, false},
                                     std::tuple{"registry_number", &registry, 60, true}, std::tuple{"adopts", &adopts, 60, false}}) {
    if (Status s = Text(c.body, name, max, out, req); !s.ok()) return FromStatus(s);
  }
  static const std::set<std::string> kBodies = {"strategic_group", "operational_steering_group", "operational_group",
                                                "other"};
  if (!kBodies.count(body)) return FromStatus(InvalidField("body", "must be strategic_group, operational_steering_group, operational_group or other"));
  std::vector<std::string> participants;
  if (c.body.contains("participants")) {
    auto list = StringList(c.body, "participants");
    if (!list.ok()) return FromStatus(list.status());
    participants = *list;
  }
  engine::Timestamp effective{};
  if (Status s = Date(c.body, "effective_from", &effective); !s.ok()) return FromStatus(s);
  const engine::WorkflowDefinition* adopted = nullptr;
  if (!adopts.empty()) {
    const size_t at = adopts.find('@');
    const int revision = at == std::string::npos ? 0 : std::atoi(adopts.c_str() + at + 1);
    adopted = at == std::string::npos ? nullptr : d_.registry->Find(adopts.substr(0, at), revision);
    if (!adopted) return FromStatus(InvalidField("adopts", "must name a known workflow revision, e.g. study-referral@2"));
  }
  // New indicator definitions (targets, baselines) adopted by this decision, from `effective_from`.
  std::optional<replay::IndicatorDefinitions> definitions;
  if (const json::value* v = c.body.if_contains("indicator_definitions")) {
    auto parsed = replay::ParseIndicatorDefinitions(*v);
    if (!parsed.ok()) return FromStatus(InvalidField("indicator_definitions", std::string(parsed.status().message())));
    if (!c.body.contains("effective_from")) return FromStatus(InvalidField("effective_from", "is required with indicator_definitions"));
    if (body != "strategic_group" && body != "operational_steering_group") {
      return FromStatus(InvalidField("body", "indicator definitions are adopted by the strategic or operational steering group"));
    }
    definitions = std::move(*parsed);
    definitions->effective_from = std::string(c.body.at("effective_from").as_string());
  }
  if (!May(c, "govern")) return Problem(403, "forbidden", "decisions are recorded by the strategic group, compliance or admin");
  if (definitions) {
    auto versions = replay::LoadIndicatorDefinitions(*d_.log, workflows::IndicatorDefinitionsJson());
    if (!versions.ok()) return FromStatus(versions.status());
    for (const auto& known : *versions) {
      if (known.version == definitions->version && known.id == definitions->id) {
        return Problem(409, "version_exists", "these indicator definitions' version is already adopted; adopt a new version");
      }
    }
  }
  const auto now = d_.clock->Now();
  engine::Event e;
  e.type = "DecisionRecorded";
  e.meta.actor = c.actor;
  e.meta.legal_basis = "public_task";
  e.meta.recorded_at = now;
  e.meta.effective_at = effective;
  e.facts = {{"body", body}, {"subject", subject}, {"decided_by", decided_by}, {"presented_by", presented_by},
             {"participants", participants}, {"registry_number", registry}};
  storage::AppendRequest req;
  req.writes.push_back({engine::DecisionStream(), storage::ExpectedVersion::Any(), {{e.type, engine::EncodeEvent(e)}}});
  if (adopted) {
    engine::Event a = e;
    a.type = "WorkflowRevisionAdopted";
    a.meta.workflow = adopted->workflow;
    a.meta.revision = adopted->revision;
    a.facts = {{"workflow", adopted->workflow}, {"revision", static_cast<int64_t>(adopted->revision)},
               {"registry_number", registry}, {"adopted", adopted->adopted}};
    req.writes[0].events.push_back({a.type, engine::EncodeEvent(a)});
  }
  if (definitions) {
    engine::Event a = e;
    a.type = "IndicatorDefinitionsAdopted";
    a.facts = {{"id", definitions->id}, {"version", definitions->version}, {"effective_from", definitions->effective_from},
               {"registry_number", registry}, {"definitions", json::serialize(definitions->doc)}};
    req.writes[0].events.push_back({a.type, engine::EncodeEvent(a)});
  }
  auto r = d_.log->Append(req);
  if (!r.ok()) return FromStatus(r.status());
  return Json(201, json::object{{"position", r->first_position.value()}, {"registry_number", registry}});
}

ApiResponse StrategicRoutes::ListDecisions(Call& c) {
  if (!May(c, "govern")) return Problem(403, "forbidden", "the decision register is for the strategic group, compliance and admin");
  auto events = replay::ReadDecisionRegister(*d_.log);
  if (!events.ok()) return FromStatus(events.status());
  json::array out;
  for (const auto& e : *events) out.push_back(RecordJson(e));
  return Json(200, json::object{{"decisions", std::move(out)}});
}

ApiResponse StrategicRoutes::ReportDeviation(Call& c) {
  if (Status s = OnlyFields(c.body, {"kind", "summary", "unit", "occurred_on"}); !s.ok()) return FromStatus(s);
  std::string kind, summary, unit;
  if (Status s = Text(c.body, "kind", 60, &kind); !s.ok()) return FromStatus(s);
  if (Status s = Text(c.body, "summary", 500, &summary); !s.ok()) return FromStatus(s);
  if (Status s = Text(c.body, "unit", 20, &unit, false); !s.ok()) return FromStatus(s);
  if (!unit.empty()) {
    if (Status s = CheckUnit(unit); !s.ok()) return FromStatus(s);
  }
  engine::Timestamp occurred{};
  if (Status s = Date(c.body, "occurred_on", &occurred); !s.ok()) return FromStatus(s);
  if (!May(c, "report_deviation")) return Problem(403, "forbidden", "this role does not report deviations");
  const std::string id = NewDeviationId();
  auto p = engine::AppendRecord(*d_.log, engine::DeviationStream(id), "DeviationReported", c.actor,
                                {{"deviation_id", id}, {"kind", kind}, {"summary", summary}, {"unit", unit}},
                                d_.clock->Now(), occurred);
  if (!p.ok()) return FromStatus(p.status());
  return Json(201, json::object{{"deviation_id", id}, {"position", p->value()}});
}

ApiResponse StrategicRoutes::HandleDeviation(Call& c, const std::string& id) {
  if (Status s = OnlyFields(c.body, {"action", "handled_on"}); !s.ok()) return FromStatus(s);
  std::string action;
  if (Status s = Text(c.body, "action", 500, &action); !s.ok()) return FromStatus(s);
  engine::Timestamp handled{};
  if (Status s = Date(c.body, "handled_on", &handled); !s.ok()) return FromStatus(s);
  auto events = replay::ReadStreamEvents(*d_.log, engine::DeviationStream(id));
  if (!events.ok()) return FromStatus(events.status());
  if (events->empty()) return Problem(404, "not_found", "deviation not found");
  if (!May(c, "handle_deviations")) return Problem(403, "forbidden", "this role does not handle deviations");
  auto p = engine::AppendRecord(*d_.log, engine::DeviationStream(id), "DeviationHandled", c.actor,
                                {{"deviation_id", id}, {"action", action}}, d_.clock->Now(), handled);
  if (!p.ok()) return FromStatus(p.status());
  return Json(200, json::object{{"deviation_id", id}, {"position", p->value()}});
}

ApiResponse StrategicRoutes::ListDeviations(Call& c) {
  if (!May(c, "govern")) return Problem(403, "forbidden", "the deviation log is for the strategic group, compliance and admin");
  auto deviations = replay::ReadDeviationLog(*d_.log);
  if (!deviations.ok()) return FromStatus(deviations.status());
  json::array out;
  for (const auto& d : *deviations) {
    json::object o = RecordJson(d.reported);
    o["status"] = d.Handled() ? "handled" : "open";
    json::array handling;
    for (const auto& e : d.handling) handling.push_back(RecordJson(e));
    o["handling"] = std::move(handling);
    out.push_back(std::move(o));
  }
  return Json(200, json::object{{"deviations", std::move(out)}});
}

ApiResponse StrategicRoutes::DecisionAuditReport(Call& c) {
  auto scope = IndicatorScope(*this, c.query, nullptr);
  if (!scope.ok()) return FromStatus(scope.status());
  if (!May(c, "read_strategic")) return Problem(403, "forbidden", "for the strategic group and compliance");
  auto period = replay::ParsePeriod(scope->first);
  auto audit = replay::AuditDecisions(*d_.log, *period, scope->second);
  if (!audit.ok()) return FromStatus(audit.status());
  // For the strategic role small counts are hidden, as in the indicators (DOMAIN §5.5).
  const bool suppress = Model().Role(c.actor.role)->suppressed;
  auto count_json = [&](uint64_t n) {
    const auto shown = suppress ? replay::ShownCount(n, d_.suppress_below) : std::optional<uint64_t>(n);
    return shown ? json::value(*shown) : json::value(nullptr);
  };
  json::object groups;
  std::map<std::string, uint64_t> totals;
  for (const auto& [key, n] : audit->counts) {
    if (!groups.contains(key.kind)) groups[key.kind] = json::array{};
    groups[key.kind].as_array().push_back(json::object{{"reason", key.reason},
                                                       {"revision", key.revision.empty() ? json::value(nullptr) : json::value(key.revision)},
                                                       {"unit", key.unit.empty() ? json::value(nullptr) : json::value(key.unit)},
                                                       {"count", count_json(n)}});
    totals[key.kind] += n;
  }
  json::object t;
  for (const auto& [k, n] : totals) t[k] = count_json(n);
  return Json(200, json::object{{"period", period->label}, {"from", period->from}, {"to", period->to},
                                {"unit", scope->second ? json::value(*scope->second) : json::value(nullptr)},
                                {"decisions", std::move(groups)}, {"totals", std::move(t)},
                                {"cases_with_decisions", count_json(audit->cases.size())},
                                {"suppress_below", suppress ? json::value(d_.suppress_below) : json::value(nullptr)}});
}

ApiResponse StrategicRoutes::DrawAuditSample(Call& c) {
  json::object scope_body;
  uint64_t size = 0, seed = 0;
  bool seeded = false;
  for (const auto& [k, v] : c.body) {
    if (k == "size") {
      if (!v.is_int64() || v.as_int64() < 1 || v.as_int64() > 1000) return FromStatus(InvalidField("size", "must be 1 to 1000"));
      size = static_cast<uint64_t>(v.as_int64());
    } else if (k == "seed") {
      if (!v.is_int64() || v.as_int64() < 0) return FromStatus(InvalidField("seed", "must be a non-negative integer"));
      seed = static_cast<uint64_t>(v.as_int64());
      seeded = true;
    } else {
      scope_body[k] = v;
    }
  }
  if (size == 0) return FromStatus(InvalidField("size", "is required"));
  auto scope = IndicatorScope(*this, {}, &scope_body);
  if (!scope.ok()) return FromStatus(scope.status());
  if (!May(c, "draw_samples")) return Problem(403, "forbidden", "this role does not draw review samples");
  if (!seeded) randombytes_buf(&seed, sizeof(seed) - 1);  // < 2^56: fits a JSON integer
  auto period = replay::ParsePeriod(scope->first);
  auto audit = replay::AuditDecisions(*d_.log, *period, scope->second);
  if (!audit.ok()) return FromStatus(audit.status());
  const auto ids = replay::DrawSample(audit->cases, size, seed);
  const auto now = d_.clock->Now();
  auto p = engine::AppendRecord(*d_.log, engine::SampleStream(), "AuditSampleDrawn", c.actor,
                                {{"period", period->label}, {"unit", scope->second.value_or("")},
                                 {"seed", static_cast<int64_t>(seed)}, {"size", static_cast<int64_t>(size)},
                                 {"population", static_cast<int64_t>(audit->cases.size())}, {"case_ids", ids}},
                                now, now);
  if (!p.ok()) return FromStatus(p.status());
  json::array out;
  for (const auto& id : ids) out.emplace_back(id);
  return Json(201, json::object{{"period", period->label}, {"seed", seed}, {"population", audit->cases.size()},
                                {"case_ids", std::move(out)}, {"position", p->value()}});
}

void StrategicRoutes::Register(RouteTable& t) {
  t.Add("POST", {"decisions"}, [this](Call& c) { return RecordDecision(c); });
  t.Add("GET", {"decisions"}, [this](Call& c) { return ListDecisions(c); });
  t.Add("POST", {"deviations"}, [this](Call& c) { return ReportDeviation(c); });
  t.Add("GET", {"deviations"}, [this](Call& c) { return ListDeviations(c); });
  t.Add("POST", {"deviations", "*", "handled"}, [this](Call& c) { return HandleDeviation(c, c.path[1]); });
  t.Add("GET", {"audits", "decisions"}, [this](Call& c) { return DecisionAuditReport(c); });
  t.Add("POST", {"audits", "samples"}, [this](Call& c) { return DrawAuditSample(c); });
}

}  // namespace casetrail::adapters
