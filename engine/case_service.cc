#include "engine/case_service.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "engine/case_service_internal.h"
#include "engine/personal_number.h"
#include "engine/snapshot_codec.h"
#include "storage/base/failpoint.h"
#include "storage/base/hex.h"

namespace casetrail::engine {
namespace {

using detail::IdempotencyReused;
using detail::kMaxRetries;
using detail::NotFoundCode;
using detail::Request;

using detail::NewId;

// A stable id from an idempotency key, so a repeated OpenCase names the same case.
std::string IdFromKey(const char* prefix, const std::string& actor, const std::string& key) {
  uint8_t out[6];
  std::string in = actor + '\0' + key;
  crypto_generichash(out, sizeof(out), reinterpret_cast<const uint8_t*>(in.data()), in.size(), nullptr, 0);
  return prefix + ToHex(std::string_view(reinterpret_cast<const char*>(out), sizeof(out)));
}

std::string Today(Timestamp now) { return FormatRfc3339(now).substr(0, 10); }
using detail::AgeBand;
using detail::Year;

bool IsRefusal(const Status& s) {
  return !s.Get("code").empty() && s.Get("code") != "not_found";
}

}  // namespace

CaseService::CaseService(storage::Log* log, SubjectKeys* keys, const DefinitionRegistry* definitions,
                         const GuardTable* guards, Clock* clock, std::string workflow)
    : log_(log), keys_(keys), definitions_(definitions), guards_(guards), clock_(clock),
      workflow_(std::move(workflow)) {}

const WorkflowModel& CaseService::model() const {
  static const WorkflowModel kNone;
  const WorkflowModel* m = definitions_->Model(workflow_);
  return m ? *m : kNone;
}

Result<const WorkflowDefinition*> CaseService::DefinitionFor(int revision) const {
  const WorkflowDefinition* d = definitions_->Find(workflow_, revision);
  if (!d) return Internal("unknown workflow revision " + std::to_string(revision));
  return d;
}

// ---- loading ----------------------------------------------------------------------------------

Result<CaseState> CaseService::LoadCase(const std::string& case_id, std::optional<uint64_t> at_version,
                                        bool use_snapshots) {
  CaseState state;
  const StreamId stream = CaseStream(case_id);
  const uint64_t limit = at_version.value_or(UINT64_MAX);
  if (use_snapshots) {
    CT_ASSIGN_OR_RETURN(auto snap, log_->LatestSnapshot(stream, StreamVersion(limit)));
    if (snap) {
      auto decoded = DecodeSnapshot(snap->data);
      if (decoded.ok()) {
        state = std::move(*decoded);
      } else if (decoded.status().Get("code") == "fold_version") {
        // Written by another fold: fold the case from its first event and replace the snapshot.
        CT_ASSIGN_OR_RETURN(state, LoadCase(case_id, snap->version.value(), false));
        log_->PutSnapshot(stream, snap->version, EncodeSnapshot(state)).IgnoreError();
      } else {
        return decoded.status();
      }
    }
  }
  for (uint64_t from = state.version + 1; from <= limit;) {
    CT_ASSIGN_OR_RETURN(auto batch, log_->ReadStream(stream, StreamVersion(from), storage::Direction::kForward,
                                                     std::min<uint64_t>(limit - from + 1, 256)));
    if (batch.empty()) break;
    for (const auto& rec : batch) {
      CT_ASSIGN_OR_RETURN(StoredEvent ev, DecodeStored(rec));
      CT_ASSIGN_OR_RETURN(const WorkflowDefinition* def, DefinitionFor(ev.event.meta.revision));
      Apply(state, ev, *def);
    }
    from = batch.back().version.value() + 1;
  }
  return state;
}

Result<SubjectState> CaseService::LoadSubject(const std::string& subject_id) {
  SubjectState s;
  CT_ASSIGN_OR_RETURN(auto events, log_->ReadStream(SubjectStream(subject_id), StreamVersion(1),
                                                    storage::Direction::kForward, SIZE_MAX));
  for (const auto& rec : events) {
    CT_ASSIGN_OR_RETURN(Event e, DecodeEvent(rec.type, rec.data));
    s.version = rec.version.value();
    if (e.type == "SubjectRegistered") {
      if (auto* g = AsText(e.facts, "gender")) s.gender = *g;
      if (auto* a = AsText(e.facts, "age_band")) s.age_band = *a;
      s.registered_at = e.meta.recorded_at;
    } else if (e.type == "SubjectRectified") {
      if (auto* a = AsText(e.facts, "age_band")) s.age_band = *a;  // a rectified number
    } else if (e.type == "CaseLinked") {
      if (auto* c = AsText(e.facts, "case_id")) s.cases.push_back(*c);
    } else if (e.type == "SubjectErased" || e.type == "GallringExecuted") {
      s.erased = true;
    } else if (e.type == "LegalHoldPlaced") {
      s.legal_hold = true;
    } else if (e.type == "LegalHoldLifted") {
      s.legal_hold = false;
    }
  }
  return s;
}

Result<ConsentState> CaseService::LoadConsent(const std::string& subject_id) {
  ConsentState c;
  CT_ASSIGN_OR_RETURN(auto events, log_->ReadStream(ConsentStream(subject_id), StreamVersion(1),
                                                    storage::Direction::kForward, SIZE_MAX));
  for (const auto& rec : events) {
    CT_ASSIGN_OR_RETURN(Event e, DecodeEvent(rec.type, rec.data));
    c.Apply(e, rec.version.value());
  }
  return c;
}

// ---- subjects and consent -----------------------------------------------------------------------

Result<std::optional<std::string>> CaseService::LookupSubject(const std::string& personal_number) {
  CT_ASSIGN_OR_RETURN(PersonalNumber pn, ParsePersonalNumber(personal_number, Year(clock_->Now())));
  return keys_->FindByNumber(pn.canonical);
}

Result<RegisterResult> CaseService::RegisterSubject(const RequestContext& ctx, const SubjectInput& in) {
  if (!model().May(ctx.actor.role, "register_subject")) {
    return Refusal(StatusCode::kPermissionDenied, "forbidden", "role may not register subjects");
  }
  const Timestamp now = clock_->Now();
  auto pn = ParsePersonalNumber(in.personal_number, Year(now));
  if (!pn.ok()) {
    return Status(StatusCode::kInvalidArgument, std::string(pn.status().message()))
        .With("code", "invalid_personal_number");
  }
  if (in.gender != "female" && in.gender != "male" && in.gender != "unknown") {
    return Refusal(StatusCode::kInvalidArgument, "invalid_field", "gender must be female, male or unknown")
        .With("field", "gender");
  }
  // One registration of a number at a time (the index is checked and written under the lock),
  // and the key store and the log change together: see RepairRegistrations for a crash between.
  std::lock_guard number_lock(number_locks_.For(pn->canonical));
  CT_ASSIGN_OR_RETURN(auto existing, keys_->FindByNumber(pn->canonical));
  if (existing) {
    CT_ASSIGN_OR_RETURN(StreamVersion registered, log_->CurrentVersion(SubjectStream(*existing)));
    if (registered.value() > 0) return RegisterResult{*existing, false};
    // An index entry without its SubjectRegistered: an append that failed after the keys were
    // written. Roll it back rather than answer with a subject that does not exist.
    spdlog::warn("subject {} had keys but no registration; rolled back", *existing);
    CT_RETURN_IF_ERROR(keys_->Shred(*existing));
  }

  const std::string subject_id = NewId("S-");
  CT_RETURN_IF_ERROR(keys_->Create(subject_id, pn->canonical));
  CT_FAILPOINT("register-after-keys");  // crash tests: die between the key store and the log
  Event e = detail::SubjectEvent("SubjectRegistered", ctx, now, subject_id, "RegisterSubject");
  e.facts["gender"] = in.gender;
  e.facts["age_band"] = AgeBand(Year(now) - pn->birth_year);
  Fields personal{{"name", in.name}, {"personal_number", pn->canonical}, {"birth_year", int64_t{pn->birth_year}}};
  if (!in.phone.empty()) personal["phone"] = in.phone;
  if (!in.email.empty()) personal["email"] = in.email;
  auto sealed = keys_->Seal(subject_id, personal);
  Result<storage::AppendResult> appended = sealed.status();
  if (sealed.ok()) {
    e.sealed = *sealed;
    storage::AppendRequest req;
    req.writes.push_back({SubjectStream(subject_id), storage::ExpectedVersion::NoStream(), {{e.type, EncodeEvent(e)}}});
    appended = log_->Append(req);
  }
  if (!appended.ok()) {
    // Nothing may answer for this subject: its keys and index entry go again.
    if (Status undo = keys_->Shred(subject_id); !undo.ok()) {
      spdlog::error("subject {}: rolling back a failed registration failed ({}); repaired at next start",
                    subject_id, undo.ToString());
    }
    return appended.status();
  }
  CT_RETURN_IF_ERROR(keys_->CommitIntent(subject_id));
  spdlog::info("subject {} registered", subject_id);
  return RegisterResult{subject_id, true};
}

Result<uint64_t> CaseService::GrantConsent(const RequestContext& ctx, const std::string& subject_id,
                                           const std::vector<std::string>& scopes, const std::string& method,
                                           const std::string& evidence_ref) {
  CT_ASSIGN_OR_RETURN(SubjectState subject, LoadSubject(subject_id));
  if (!subject.Exists()) return NotFoundCode("subject");
  const WorkflowModel& m = model();
  if (scopes.empty()) return Refusal(StatusCode::kInvalidArgument, "invalid_field", "scopes are required").With("field", "scopes");
  for (const auto& s : scopes) {
    if (!m.Scope(s)) return Refusal(StatusCode::kInvalidArgument, "invalid_field", "unknown consent scope").With("field", "scopes");
  }
  const auto& methods = m.consent_methods;
  if (std::find(methods.begin(), methods.end(), method) == methods.end()) {
    return Refusal(StatusCode::kInvalidArgument, "invalid_field", "unknown consent method").With("field", "method");
  }
  if (!m.May(ctx.actor.role, "record_consent")) {
    return Refusal(StatusCode::kPermissionDenied, "forbidden", "role may not record consent");
  }
  if (subject.erased) return Refusal(StatusCode::kFailedPrecondition, "erased", "subject was erased");
  // A role bound to a unit records consent for its own clients only: a person with no open case
  // (a new client) or one whose open case its unit holds.
  if (const RoleSpec* role = m.Role(ctx.actor.role); role && role->UnitBound()) {
    CT_ASSIGN_OR_RETURN(auto open_unit, OpenCaseUnit(subject));
    if (open_unit && *open_unit != ctx.actor.unit) {
      return Refusal(StatusCode::kPermissionDenied, "forbidden", "the person's open case belongs to another unit");
    }
  }
  Event e = detail::SubjectEvent("ConsentGranted", ctx, clock_->Now(), subject_id, "GrantConsent");
  e.facts["scopes"] = scopes;
  e.facts["method"] = method;
  e.facts["parties"] = m.consent_parties;
  Fields personal;
  if (!evidence_ref.empty()) personal["evidence_ref"] = evidence_ref;
  CT_ASSIGN_OR_RETURN(e.sealed, keys_->Seal(subject_id, personal));
  storage::AppendRequest req = Request(ctx);
  req.writes.push_back({ConsentStream(subject_id), storage::ExpectedVersion::Any(), {{e.type, EncodeEvent(e)}}});
  auto r = log_->Append(req);
  if (!r.ok() && r.status().code() == StatusCode::kAlreadyExists) return IdempotencyReused();
  if (!r.ok()) return r.status();
  spdlog::info("consent granted for subject {}", subject_id);
  return r->stream_versions[0].value();
}

Result<uint64_t> CaseService::WithdrawConsent(const RequestContext& ctx, const std::string& subject_id,
                                              const std::vector<std::string>& scopes, bool on_request) {
  const WorkflowModel& m = model();
  bool closes_cases = false;
  for (const auto& s : scopes) {
    const ScopeSpec* scope = m.Scope(s);
    if (!scope) return Refusal(StatusCode::kInvalidArgument, "invalid_field", "unknown consent scope").With("field", "scopes");
    closes_cases = closes_cases || scope->closes_cases;
  }
  if (scopes.empty()) return Refusal(StatusCode::kInvalidArgument, "invalid_field", "scopes are required").With("field", "scopes");
  if (!m.May(ctx.actor.role, "record_consent")) {
    if (!m.May(ctx.actor.role, "withdraw_on_request")) {
      return Refusal(StatusCode::kPermissionDenied, "forbidden", "role may not record consent");
    }
    if (!on_request) {
      return Refusal(StatusCode::kPermissionDenied, "forbidden",
                     "this role records a withdrawal only on the person's own request (on_request: true)");
    }
  }
  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    CT_ASSIGN_OR_RETURN(SubjectState subject, LoadSubject(subject_id));
    if (!subject.Exists()) return NotFoundCode("subject");
    if (subject.erased) return Refusal(StatusCode::kFailedPrecondition, "erased", "subject was erased");
    // A withdrawal may close the person's case: a role bound to a unit records it only while its
    // unit holds the open case. Roles not bound to a unit are not limited this way.
    if (const RoleSpec* role = m.Role(ctx.actor.role); role && role->UnitBound()) {
      CT_ASSIGN_OR_RETURN(auto open_unit, OpenCaseUnit(subject));
      if (!open_unit || *open_unit != ctx.actor.unit) {
        return Refusal(StatusCode::kPermissionDenied, "forbidden", "only the unit holding the person's open case may record this");
      }
    }
    CT_ASSIGN_OR_RETURN(ConsentState consent, LoadConsent(subject_id));
    const Timestamp now = clock_->Now();
    Event e = detail::SubjectEvent("ConsentWithdrawn", ctx, now, subject_id, "WithdrawConsent");
    e.facts["scopes"] = scopes;
    if (on_request) e.facts["on_request"] = true;
    storage::AppendRequest req = Request(ctx);
    req.writes.push_back({ConsentStream(subject_id), storage::ExpectedVersion::Exact(consent.version()),
                          {{e.type, EncodeEvent(e)}}});
    const std::string cause = "consent:" + subject_id + "@" + std::to_string(consent.version() + 1);
    std::vector<std::string> closed;
    if (closes_cases) {
      CT_ASSIGN_OR_RETURN(closed, CloseOpenCases(subject, e.meta, cause, "consent_withdrawn", &req));
    }
    auto r = log_->Append(req);
    if (!r.ok() && r.status().code() == StatusCode::kAborted) continue;  // a case moved: decide again
    if (!r.ok() && r.status().code() == StatusCode::kAlreadyExists) return IdempotencyReused();
    if (!r.ok()) return r.status();
    for (const auto& c : closed) spdlog::info("case {} closed: consent withdrawn", c);
    return r->stream_versions[0].value();
  }
  return Unavailable("consent withdrawal kept conflicting with concurrent commands");
}

Result<std::vector<std::string>> CaseService::CloseOpenCases(const SubjectState& subject, const EventMeta& cause_meta,
                                                             const std::string& cause, const std::string& reason,
                                                             storage::AppendRequest* req) {
  std::vector<std::string> closed;
  for (const auto& case_id : subject.cases) {
    CT_ASSIGN_OR_RETURN(CaseState c, LoadCase(case_id));
    CT_ASSIGN_OR_RETURN(const WorkflowDefinition* def, DefinitionFor(c.revision));
    if (!def->IsOpen(c.state)) continue;
    Event close;
    close.type = "CaseClosed";
    close.meta = cause_meta;
    close.meta.actor = Actor{"engine", "system", "", "system", ""};
    close.meta.workflow = c.workflow;
    close.meta.revision = c.revision;
    close.meta.command = "";
    close.meta.correlation_id = cause;
    close.facts = {{"reason", reason}, {"caused_by", cause}};
    close.outcome = ClosedOutcome(def->rules, reason);
    // The expected version makes a concurrent command on the case abort this append: decide again.
    req->writes.push_back({CaseStream(case_id), storage::ExpectedVersion::Exact(c.version), {{close.type, EncodeEvent(close)}}});
    closed.push_back(case_id);
  }
  return closed;
}

// ---- case commands ------------------------------------------------------------------------------

Result<std::vector<storage::EventToAppend>> CaseService::Seal(const std::string& subject_id,
                                                              std::vector<PendingEvent> events) {
  std::vector<storage::EventToAppend> out;
  for (auto& p : events) {
    CT_ASSIGN_OR_RETURN(p.event.sealed, keys_->Seal(subject_id, p.personal));
    out.push_back({p.event.type, EncodeEvent(p.event)});
  }
  return out;
}

Status CaseService::RecordRefusal(const RequestContext& ctx, const std::string& owner, const std::string& command,
                                  const Status& why, const Fields& fields, const CommandSpec* spec) {
  // Command and field names come from the client: an unknown command, or a name that is not an
  // identifier, is recorded and logged as "<unknown>", so no typed-in value reaches the log.
  const bool unknown_command = why.Get("code") == "unknown_command";
  auto safe = [](std::string_view name) {
    const bool identifier = !name.empty() && name.size() <= 40 && std::isalpha(static_cast<unsigned char>(name[0])) &&
                            std::all_of(name.begin(), name.end(), [](char ch) {
                              return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-';
                            });
    return identifier ? std::string(name) : std::string("<unknown>");
  };
  const std::string shown = unknown_command ? "<unknown>" : safe(command);
  Event e;
  e.type = "CommandRefused";
  e.meta.actor = ctx.actor;
  e.meta.recorded_at = e.meta.effective_at = clock_->Now();
  e.meta.command = shown;
  // Only the command's own field names are written; any other name is the caller's text (a
  // personal number sent as a key, say) and is counted instead.
  std::vector<std::string> names;
  int64_t unknown = 0;
  for (const auto& [k, _] : fields) {
    if (spec && spec->fields.count(k)) names.push_back(k);
    else ++unknown;
  }
  e.facts = {{"command", shown}, {"code", std::string(why.Get("code"))}, {"fields", names}};
  if (unknown > 0) e.facts["unknown_fields"] = unknown;
  for (const char* k : {"field", "scope", "guard", "current_state"}) {
    if (!why.Get(k).empty()) e.facts[k] = safe(why.Get(k));
  }
  storage::AppendRequest req;
  req.writes.push_back({RefusalStream(owner), storage::ExpectedVersion::Any(), {{e.type, EncodeEvent(e)}}});
  // No fsync of its own: refusals cost a client nothing, so they must not cost the disk a sync
  // each. The record rides the next synced group (or the log's deferred-sync bound); a power cut
  // may drop the last of them (docs/reliability.md), a process crash does not.
  req.sync = false;
  auto r = log_->Append(req);
  spdlog::info("{} refused on {}: {}", shown, owner, why.Get("code"));
  return r.ok() ? Status::Ok() : r.status();
}

Result<CommandResult> CaseService::OpenCase(const RequestContext& ctx, const std::string& subject_id,
                                            const Fields& given, const std::string& command) {
  const Timestamp now = clock_->Now();
  const WorkflowDefinition* def = definitions_->Current(workflow_, Today(now));
  if (!def) return Internal("no adopted workflow revision");
  const CommandSpec* spec = command.empty() ? def->InitialCommand() : def->FindCommand(command);
  if (!spec || !spec->IsInitial()) {
    return Refusal(StatusCode::kInvalidArgument, "unknown_command", "no initial command of that name in " + def->Name());
  }
  const std::string case_id =
      ctx.idempotency_key.empty() ? NewId("C-") : IdFromKey("C-", ctx.actor.id, ctx.idempotency_key);

  if (!ctx.idempotency_key.empty()) {
    auto prior = log_->LookupIdempotency(ctx.actor.id + ":" + ctx.idempotency_key, ctx.idempotency_fingerprint);
    if (!prior.ok()) return prior.status().code() == StatusCode::kAlreadyExists ? IdempotencyReused() : prior.status();
    if (*prior) {
      CT_ASSIGN_OR_RETURN(CaseState c, LoadCase(case_id, (*prior)->stream_versions[0].value()));
      return CommandResult{case_id, c.version, c.state, c.pace, true};
    }
  }
  CT_ASSIGN_OR_RETURN(Fields fields, ValidateFields(*spec, *def, given));
  CT_RETURN_IF_ERROR(CheckRole(model(), *spec, fields, ctx.actor));

  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    CT_ASSIGN_OR_RETURN(SubjectState subject, LoadSubject(subject_id));
    if (!subject.Exists()) return NotFoundCode("subject");
    auto refuse = [&](Status s) -> Status {
      RecordRefusal(ctx, subject_id, spec->name, s, given, spec).IgnoreError();
      return s;
    };
    if (subject.erased) return refuse(Refusal(StatusCode::kFailedPrecondition, "erased", "subject was erased"));
    for (const auto& other : subject.cases) {
      CT_ASSIGN_OR_RETURN(CaseState c, LoadCase(other));
      CT_ASSIGN_OR_RETURN(const WorkflowDefinition* cdef, DefinitionFor(c.revision));
      if (cdef->IsOpen(c.state)) {
        return refuse(Refusal(StatusCode::kAlreadyExists, "case_open", "the subject has an open case").With("case_id", other));
      }
    }
    CT_ASSIGN_OR_RETURN(ConsentState consent, LoadConsent(subject_id));
    CaseState empty;
    empty.subject_id = subject_id;
    Command cmd{spec->name, given, std::nullopt};
    DecideInput in{empty, *spec, fields, ctx.actor, now, std::nullopt, *def, *guards_, consent,
                   "consent:" + subject_id + "@" + std::to_string(consent.version()), ctx.legal_basis,
                   lookup_ ? &lookup_ : nullptr};
    auto decided = Decide(in);
    if (!decided.ok()) return IsRefusal(decided.status()) ? refuse(decided.status()) : decided.status();
    // Facts for statistics, known when the case opens (DOMAIN §5.5): never the birth year itself.
    for (auto& p : *decided) {
      p.event.facts["gender"] = subject.gender;
      p.event.facts["age_band"] = subject.age_band;
    }
    CT_ASSIGN_OR_RETURN(auto events, Seal(subject_id, std::move(*decided)));
    Event link;
    link.type = "CaseLinked";
    link.meta.actor = ctx.actor;
    link.meta.recorded_at = link.meta.effective_at = now;
    link.meta.subject_id = subject_id;
    link.meta.command = spec->name;
    link.facts["case_id"] = case_id;

    storage::AppendRequest req = Request(ctx);
    req.writes.push_back({CaseStream(case_id), storage::ExpectedVersion::NoStream(), std::move(events)});
    req.writes.push_back({SubjectStream(subject_id), storage::ExpectedVersion::Exact(subject.version),
                          {{link.type, EncodeEvent(link)}}});
    req.conditions.push_back({ConsentStream(subject_id), StreamVersion(consent.version())});
    auto r = log_->Append(req);
    if (!r.ok() && r.status().code() == StatusCode::kAborted) continue;
    if (!r.ok() && r.status().code() == StatusCode::kAlreadyExists) return IdempotencyReused();
    if (!r.ok()) return r.status();
    CT_ASSIGN_OR_RETURN(CaseState c, LoadCase(case_id));
    spdlog::info("case {} opened (subject {}, {})", case_id, subject_id, def->Name());
    return CommandResult{case_id, c.version, c.state, c.pace, r->deduplicated};
  }
  return Unavailable("opening the case kept conflicting with concurrent commands");
}

Result<CommandResult> CaseService::Execute(const RequestContext& ctx, const std::string& case_id,
                                           const Command& command, std::optional<uint64_t> expected_version) {
  for (int attempt = 0;; ++attempt) {
    auto r = ExecuteOnce(ctx, case_id, command, expected_version);
    if (r.ok() || expected_version || attempt + 1 >= kMaxRetries || r.status().code() != StatusCode::kAborted) {
      return r;
    }
  }
}

Result<CommandResult> CaseService::ExecuteOnce(const RequestContext& ctx, const std::string& case_id,
                                               const Command& command, std::optional<uint64_t> expected_version) {
  CT_ASSIGN_OR_RETURN(CaseState state, LoadCase(case_id));
  if (!state.Exists()) return NotFoundCode("case");
  if (const RoleSpec* role = model().Role(ctx.actor.role); role && role->UnitBound() && state.unit != ctx.actor.unit) {
    return NotFoundCode("case");
  }
  CT_ASSIGN_OR_RETURN(const WorkflowDefinition* def, DefinitionFor(state.revision));
  const CommandSpec* spec = def->FindCommand(command.name);
  auto refuse = [&](Status s) -> Status {
    RecordRefusal(ctx, case_id, command.name, s, command.fields, spec).IgnoreError();
    return s;
  };
  if (!spec || spec->IsInitial()) {
    return refuse(Refusal(StatusCode::kInvalidArgument, "unknown_command", "no such command in " + def->Name()));
  }
  auto fields = ValidateFields(*spec, *def, command.fields);
  if (!fields.ok()) return refuse(fields.status());
  if (Status s = CheckRole(model(), *spec, *fields, ctx.actor); !s.ok()) return refuse(s);
  // A migration names a registered revision of the case's workflow: a case moved to one that
  // does not exist could take no further command and would replay under no definition.
  if (const auto it = fields->find("to_revision"); it != fields->end() && std::holds_alternative<int64_t>(it->second)) {
    const int64_t to = std::get<int64_t>(it->second);
    if (to <= 0 || to > INT32_MAX || !definitions_->Find(state.workflow, static_cast<int>(to))) {
      return refuse(Refusal(StatusCode::kInvalidArgument, "invalid_field", "to_revision must name a registered revision")
                        .With("field", "to_revision"));
    }
  }

  if (const auto it = fields->find("corrects"); it != fields->end() && std::holds_alternative<int64_t>(it->second)) {
    if (Status s = CheckCorrection(ctx.actor, case_id, std::get<int64_t>(it->second)); !s.ok()) {
      return IsRefusal(s) ? refuse(s) : s;
    }
  }

  if (!ctx.idempotency_key.empty()) {
    auto prior = log_->LookupIdempotency(ctx.actor.id + ":" + ctx.idempotency_key, ctx.idempotency_fingerprint);
    if (!prior.ok()) return prior.status().code() == StatusCode::kAlreadyExists ? refuse(IdempotencyReused()) : prior.status();
    if (*prior) {
      CT_ASSIGN_OR_RETURN(CaseState c, LoadCase(case_id, (*prior)->stream_versions[0].value()));
      return CommandResult{case_id, c.version, c.state, c.pace, true};
    }
  }
  if (expected_version && *expected_version != state.version) {
    return refuse(Status(StatusCode::kAborted, "expected version differs")
                      .With("code", "version_conflict")
                      .With("current_version", std::to_string(state.version)));
  }
  CT_ASSIGN_OR_RETURN(ConsentState consent, LoadConsent(state.subject_id));
  DecideInput in{state, *spec, *fields, ctx.actor, clock_->Now(), command.effective_at, *def, *guards_, consent,
                 "consent:" + state.subject_id + "@" + std::to_string(consent.version()), ctx.legal_basis,
                 lookup_ ? &lookup_ : nullptr};
  auto decided = Decide(in);
  if (!decided.ok()) return IsRefusal(decided.status()) ? refuse(decided.status()) : decided.status();
  CT_ASSIGN_OR_RETURN(auto events, Seal(state.subject_id, std::move(*decided)));

  storage::AppendRequest req = Request(ctx);
  req.writes.push_back({CaseStream(case_id), storage::ExpectedVersion::Exact(state.version), std::move(events)});
  req.conditions.push_back({ConsentStream(state.subject_id), StreamVersion(consent.version())});
  auto r = log_->Append(req);
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kAborted && expected_version) {
      CT_ASSIGN_OR_RETURN(StreamVersion now_at, log_->CurrentVersion(CaseStream(case_id)));
      return refuse(Status(StatusCode::kAborted, "expected version differs")
                        .With("code", "version_conflict")
                        .With("current_version", std::to_string(now_at.value())));
    }
    if (r.status().code() == StatusCode::kAlreadyExists) return refuse(IdempotencyReused());
    return r.status();
  }
  const uint64_t after = r->stream_versions[0].value();
  MaybeSnapshot(case_id, state.version, after);
  CT_ASSIGN_OR_RETURN(CaseState c, LoadCase(case_id, after));
  spdlog::info("case {} {} -> {} (v{})", case_id, command.name, c.state, c.version);
  return CommandResult{case_id, c.version, c.state, c.pace, r->deduplicated};
}

Status CaseService::CheckCorrection(const Actor& actor, const std::string& case_id, int64_t position) {
  // A correction names an event by its log position. It must be one of this case's own events:
  // a position elsewhere would attach a correction of someone else's record to this case.
  std::optional<StoredEvent> corrected;
  for (uint64_t from = 1;;) {
    CT_ASSIGN_OR_RETURN(auto batch, log_->ReadStream(CaseStream(case_id), StreamVersion(from),
                                                     storage::Direction::kForward, 256));
    for (const auto& rec : batch) {
      if (static_cast<int64_t>(rec.position.value()) != position) continue;
      CT_ASSIGN_OR_RETURN(StoredEvent ev, DecodeStored(rec));
      corrected = std::move(ev);
    }
    if (corrected || batch.empty()) break;
    from = batch.back().version.value() + 1;
  }
  if (!corrected) {
    return Refusal(StatusCode::kInvalidArgument, "event_not_in_case", "corrects must name an event of this case")
        .With("field", "corrects");
  }
  // Only the author answers for what they recorded; anyone else needs the model's `correct_any`.
  if (corrected->event.meta.actor.id != actor.id && !model().May(actor.role, "correct_any")) {
    return Refusal(StatusCode::kPermissionDenied, "forbidden", "only the event's author may correct it");
  }
  return Status::Ok();
}

Result<std::optional<std::string>> CaseService::OpenCaseUnit(const SubjectState& subject) {
  for (const auto& case_id : subject.cases) {
    CT_ASSIGN_OR_RETURN(CaseState c, LoadCase(case_id));
    CT_ASSIGN_OR_RETURN(const WorkflowDefinition* def, DefinitionFor(c.revision));
    if (def->IsOpen(c.state)) return std::optional<std::string>(c.unit);
  }
  return std::optional<std::string>();
}

void CaseService::MaybeSnapshot(const std::string& case_id, uint64_t before, uint64_t after) {
  if (after / kSnapshotEvery == before / kSnapshotEvery) return;
  const uint64_t at = after / kSnapshotEvery * kSnapshotEvery;
  auto state = LoadCase(case_id, at);
  if (state.ok()) log_->PutSnapshot(CaseStream(case_id), StreamVersion(at), EncodeSnapshot(*state)).IgnoreError();
}

}  // namespace casetrail::engine
