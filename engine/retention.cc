#include "engine/retention.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <set>

namespace casetrail::engine {
namespace json = boost::json;

Result<RetentionPolicy> ParseRetentionPolicy(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return InvalidArgument("retention policy: not a JSON object");
  const auto& o = v.as_object();
  RetentionPolicy policy;
  for (const auto& [k, x] : o) {
    if (k != "version" && k != "rules") return InvalidArgument("retention policy: unknown key " + std::string(k));
  }
  if (!o.contains("version") || !o.at("version").is_string()) return InvalidArgument("retention policy: version is required");
  policy.version = std::string(o.at("version").as_string());
  if (!o.contains("rules") || !o.at("rules").is_array()) return InvalidArgument("retention policy: rules must be a list");
  std::set<std::string> ids;
  for (const auto& r : o.at("rules").as_array()) {
    if (!r.is_object()) return InvalidArgument("retention policy: each rule is an object");
    const auto& ro = r.as_object();
    RetentionRule rule;
    for (const auto& [k, x] : ro) {
      if (k == "id" && x.is_string()) rule.id = std::string(x.as_string());
      else if (k == "when" && x.is_string()) rule.when = std::string(x.as_string());
      else if (k == "after_days" && x.is_int64()) rule.after_days = static_cast<int>(x.as_int64());
      else if (k == "decision_ref" && x.is_string()) rule.decision_ref = std::string(x.as_string());
      else return InvalidArgument("retention policy: rule key " + std::string(k) + " is unknown or of the wrong type");
    }
    if (rule.id.empty() || rule.id.find_first_of(":\t\n ") != std::string::npos) {
      return InvalidArgument("retention policy: a rule id is required (no spaces or colons)");
    }
    if (!ids.insert(rule.id).second) return InvalidArgument("retention policy: duplicate rule id " + rule.id);
    if (rule.when != "all_cases_ended" && rule.when != "no_case") {
      return InvalidArgument("retention policy: rule " + rule.id + ": when must be all_cases_ended or no_case");
    }
    if (!ro.contains("after_days")) return InvalidArgument("retention policy: rule " + rule.id + ": after_days is required");
    if (rule.after_days < 0) return InvalidArgument("retention policy: rule " + rule.id + ": after_days must be >= 0");
    if (rule.decision_ref.empty() || rule.decision_ref.find_first_of("\t\n") != std::string::npos) {
      return InvalidArgument("retention policy: rule " + rule.id + ": decision_ref is required");
    }
    policy.rules.push_back(std::move(rule));
  }
  return policy;
}

const RetentionRule* DueRule(const RetentionPolicy& policy, const RetentionFacts& f, Timestamp now) {
  if (f.erased) return nullptr;
  for (const auto& rule : policy.rules) {
    const auto period = std::chrono::days(rule.after_days);
    if (rule.when == "no_case" && f.cases == 0 && f.registered_at + period <= now) return &rule;
    if (rule.when == "all_cases_ended" && f.cases > 0 && f.all_ended && f.last_ended_at + period <= now) return &rule;
  }
  return nullptr;
}

namespace {

// The subject ids in the log, in registration order.
Result<std::vector<std::string>> Subjects(storage::Log& log) {
  std::vector<std::string> out;
  Position from(1);
  for (;;) {
    CT_ASSIGN_OR_RETURN(auto batch, log.ReadAll(from, 4096));
    if (batch.empty()) break;
    for (const auto& r : batch) {
      if (r.type == "SubjectRegistered" && r.stream.value().rfind("subject:", 0) == 0) {
        out.push_back(r.stream.value().substr(8));
      }
    }
    from = Position(batch.back().position.value() + 1);
  }
  return out;
}

Result<RetentionFacts> FactsOf(CaseService& service, const DefinitionRegistry& registry, const SubjectState& s) {
  RetentionFacts f;
  f.erased = s.erased;
  f.legal_hold = s.legal_hold;
  f.registered_at = s.registered_at;
  f.cases = static_cast<int>(s.cases.size());
  f.all_ended = true;
  for (const auto& id : s.cases) {
    CT_ASSIGN_OR_RETURN(CaseState c, service.LoadCase(id));
    const WorkflowDefinition* def = registry.Find(c.workflow, c.revision);
    if (!def) return Internal("case has an unknown workflow revision");
    if (def->IsOpen(c.state)) {
      f.all_ended = false;
      break;
    }
    f.last_ended_at = std::max(f.last_ended_at, c.last_recorded_at);
  }
  return f;
}

}  // namespace

Result<RetentionReport> RunRetention(CaseService& service, storage::Log& log, const DefinitionRegistry& registry,
                                     const RetentionPolicy& policy, Timestamp now,
                                     const std::function<void(uint64_t, uint64_t)>& progress,
                                     const std::optional<Actor>& requested_by) {
  RetentionReport report;
  CT_ASSIGN_OR_RETURN(auto subjects, Subjects(log));
  for (const auto& id : subjects) {
    CT_ASSIGN_OR_RETURN(SubjectState s, service.LoadSubject(id));
    ++report.examined;
    if (progress && (report.examined % 256 == 0 || report.examined == subjects.size())) {
      progress(report.examined, subjects.size());
    }
    CT_ASSIGN_OR_RETURN(RetentionFacts facts, FactsOf(service, registry, s));
    const RetentionRule* rule = DueRule(policy, facts, now);
    if (!rule) continue;
    if (facts.legal_hold) {
      ++report.held;
      continue;
    }
    auto erased = service.EraseByRetention(id, rule->id, rule->decision_ref);
    if (!erased.ok() && erased.status().code() == StatusCode::kFailedPrecondition) {
      // Erased or held by a concurrent request since it was examined: nothing to do now.
      if (erased.status().Get("code") == "legal_hold") ++report.held;
      continue;
    }
    CT_RETURN_IF_ERROR(erased.status());
    ++report.erased;
    report.erased_subjects.push_back(id);
  }
  Event e;
  e.type = "RetentionRunCompleted";
  e.meta.actor = requested_by ? *requested_by : Actor{"retention", "system", "", "system", ""};
  e.meta.legal_basis = "retention";
  e.meta.recorded_at = e.meta.effective_at = now;
  e.facts = {{"policy_version", policy.version},
             {"examined", static_cast<int64_t>(report.examined)},
             {"erased", static_cast<int64_t>(report.erased)},
             {"held", static_cast<int64_t>(report.held)},
             {"trigger", std::string(requested_by ? "request" : "schedule")}};
  storage::AppendRequest req;
  req.writes.push_back({RetentionRunStream(), storage::ExpectedVersion::Any(), {{e.type, EncodeEvent(e)}}});
  CT_ASSIGN_OR_RETURN(auto appended, log.Append(req));
  report.run_position = appended.first_position.value();
  spdlog::info("retention run (policy {}): {} subjects examined, {} erased, {} held", policy.version, report.examined,
               report.erased, report.held);
  return report;
}

}  // namespace casetrail::engine
