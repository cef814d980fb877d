// Integrity and operations: /v1/verify, /v1/checkpoints/latest, /v1/workflows, /v1/admin/clock,
// /v1/admin/backup.
#include "adapters/http/api_system.h"

#include "adapters/http/api.h"  // OpenApiDocument

#include <algorithm>
#include "engine/cooperation_records.h"
#include "engine/retention.h"
#include "engine/timers.h"
#include "replay/case_rebuild.h"
#include "adapters/http/body_fields.h"
#include "adapters/http/json_values.h"
#include "storage/backup.h"
#include "storage/base/hex.h"

namespace casetrail::adapters {
namespace json = boost::json;

namespace {
template <size_t N>
std::string Hex(const std::array<uint8_t, N>& a) {
  return ToHex(std::string_view(reinterpret_cast<const char*>(a.data()), N));
}

}  // namespace

ApiResponse SystemRoutes::Verify(Call& c) {
  if (!May(c, "verify")) return Problem(403, "forbidden", "compliance or admin only");
  auto r = d_.log->Verify(nullptr);
  if (!r.ok()) return FromStatus(r.status());
  if (!r->ok) {
    return Json(200, json::object{{"ok", false}, {"first_bad_position", r->first_bad_position->value()},
                                  {"problem", r->problem}});
  }
  return Json(200, json::object{{"ok", true}, {"events", r->events},
                                {"head", json::object{{"position", r->head.position.value()}, {"hash", Hex(r->head.hash)}}}});
}

ApiResponse SystemRoutes::LatestCheckpoint(Call&) {
  if (Status s = d_.log->WriteCheckpoint(); !s.ok()) return FromStatus(s);
  auto r = d_.log->LatestCheckpoint();
  if (!r.ok()) return FromStatus(r.status());
  if (!*r) return Problem(404, "not_found", "the log is empty");
  const auto& cp = **r;
  return Json(200, json::object{{"position", cp.position.value()}, {"hash", Hex(cp.hash)},
                                {"signature", Hex(cp.signature)}, {"public_key", Hex(cp.public_key)}});
}

// Who the token belongs to, as the server sees it: clients (the web UI) show the role and unit
// and build their navigation from it instead of guessing from refusals.
ApiResponse SystemRoutes::Me(Call& c) {
  json::object me{{"id", c.actor.id}, {"role", c.actor.role},
                  {"unit", c.actor.unit.empty() ? json::value(nullptr) : json::value(c.actor.unit)}};
  if (!c.actor.acting_for.empty()) me["acting_for"] = c.actor.acting_for;
  return Json(200, std::move(me));
}

ApiResponse SystemRoutes::Workflows(Call&) {
  json::array revisions;
  for (const auto* d : d_.registry->All()) {
    json::array commands;
    for (const auto& cmd : d->commands) {
      json::object fields;
      for (const auto& [name, f] : cmd.fields) {
        static const char* kTypes[] = {"bool", "int", "code", "codes", "date", "time", "id", "text"};
        json::object spec{{"type", kTypes[static_cast<int>(f.type)]}, {"required", f.required}, {"personal", f.personal}};
        if (!f.codes.empty()) spec["codes"] = json::value_from(d->codes.at(f.codes));
        fields[name] = std::move(spec);
      }
      json::array from;
      if (cmd.from_any_open) from.emplace_back("*open");
      for (const auto& s : cmd.from) from.emplace_back(s);
      // What the command leads to: its outcomes, each with the events it emits and their target states.
      json::array outcomes;
      for (const auto& o : cmd.outcomes) {
        json::array emits;
        for (const auto& e : o.emits) {
          json::object x{{"event", e.event}, {"to", e.to ? json::value(*e.to) : json::value(nullptr)}};
          if (e.closed_reason) x["closed_reason"] = *e.closed_reason;
          emits.push_back(std::move(x));
        }
        outcomes.push_back(json::object{{"when", ToJson(o.when)}, {"emits", std::move(emits)}});
      }
      commands.push_back(json::object{{"name", cmd.name}, {"roles", json::value_from(cmd.roles)}, {"from", from},
                                      {"consent", json::value_from(cmd.consent)}, {"guards", json::value_from(cmd.guards)},
                                      {"fields", std::move(fields)}, {"outcomes", std::move(outcomes)}});
    }
    json::array timers;
    for (const auto& t : d->timers) {
      json::object timer{{"name", t.name}, {"kind", t.kind}, {"after_event", t.after_event},
                         {"in_states", json::value_from(t.in_states)}, {"delay", t.delay}};
      if (!t.relative_to.empty()) timer["relative_to"] = t.relative_to;
      if (!t.fallback_delay.empty()) timer["fallback_delay"] = t.fallback_delay;
      if (!t.at.empty()) timer["at"] = t.at;
      if (!t.consent.empty()) timer["consent"] = json::value_from(t.consent);
      timers.push_back(std::move(timer));
    }
    revisions.push_back(json::object{{"revision", d->Name()}, {"adopted", d->adopted},
                                     {"states", json::value_from(d->states)},
                                     {"terminal_states", json::value_from(d->terminal_states)}, {"commands", std::move(commands)},
                                     {"timers", std::move(timers)}});
  }
  // The model in force (roles, units, consent scopes with their plain-language labels): what
  // forms and filters offer.
  return Json(200, json::object{{"workflows", std::move(revisions)}, {"model", json::parse(Model().canonical)}});
}

// A consistent image of the log and the key store, taken while serving, into a new folder under
// --backup-root (a plain name: the server never writes elsewhere). Like `casetrail backup`.
ApiResponse SystemRoutes::Backup(Call& c) {
  if (Status s = OnlyFields(c.body, {"name"}); !s.ok()) return FromStatus(s);
  auto name = ReqString(c.body, "name");
  if (!name.ok()) return FromStatus(name.status());
  const bool plain = !name->empty() && name->size() <= 100 && (*name)[0] != '.' &&
                     std::all_of(name->begin(), name->end(), [](char ch) {
                       return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.';
                     });
  if (!plain) return FromStatus(InvalidField("name", "must be a plain folder name (letters, digits, - _ .)"));
  if (!May(c, "backup")) return Problem(403, "forbidden", "admin or compliance takes backups");
  if (d_.backup_root.empty() || !d_.key_store) {
    return Problem(409, "backup_not_configured", "start the server with --backup-root DIR");
  }
  const std::string to = d_.backup_root + "/" + *name;
  if (Status s = storage::CreateBackup(*d_.log, *d_.key_store, to); !s.ok()) {
    if (s.code() == StatusCode::kAlreadyExists) return Problem(409, "backup_exists", "a backup of that name exists");
    return FromStatus(s);
  }
  return Json(200, json::object{{"backup", to}, {"head", d_.log->GetHead().position.value()}});
}

// GET /v1/admin/records: administrative actions and retention runs, oldest first.
ApiResponse SystemRoutes::AdminRecords(Call& c) {
  if (!May(c, "read_audit") && !May(c, "move_clock")) return Problem(403, "forbidden", "admin or compliance reads these");
  std::vector<engine::StoredEvent> all;
  for (const StreamId& stream : {engine::AdminStream(), engine::RetentionRunStream()}) {
    auto events = replay::ReadStreamEvents(*d_.log, stream);
    if (!events.ok()) return FromStatus(events.status());
    all.insert(all.end(), events->begin(), events->end());
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.position.value() < b.position.value(); });
  json::array out;
  for (const auto& e : all) {
    json::object entry = EnvelopeJson(e, true);
    entry["facts"] = ToJson(e.event.facts);
    out.push_back(std::move(entry));
  }
  return Json(200, json::object{{"records", std::move(out)}});
}

ApiResponse SystemRoutes::MoveClock(Call& c) {
  if (!May(c, "move_clock")) return Problem(403, "forbidden", "admin only");
  if (Status s = OnlyFields(c.body, {"advance", "set"}); !s.ok()) return FromStatus(s);
  engine::Timestamp now = d_.manual_clock->Now(), target = now;
  if (auto adv = OptString(c.body, "advance"); adv.ok() && *adv) {
    auto d = engine::ParseDuration(**adv);
    if (!d.ok() || *d < std::chrono::microseconds(0)) return FromStatus(InvalidField("advance", "must be an ISO 8601 duration such as P10D"));
    target = now + *d;
  } else if (auto set = OptString(c.body, "set"); set.ok() && *set) {
    auto t = engine::ParseRfc3339(**set);
    if (!t.ok()) return FromStatus(InvalidField("set", "must be an RFC 3339 time"));
    target = *t;
  } else {
    return FromStatus(InvalidField("advance", "or set is required"));
  }
  if (target < now) {
    return Problem(422, "invalid_field", "the clock cannot move backwards", {{"field", c.body.contains("set") ? "set" : "advance"}});
  }
  if (target > engine::kMaxTime) {  // repeated advances would otherwise leave the time range
    return Problem(422, "invalid_field", "the clock cannot move past 9999-12-31T23:59:59.999999Z", {{"field", "advance"}});
  }
  // Recorded before it moves: who moved it, from when, to when.
  auto recorded = engine::AppendRecord(*d_.log, engine::AdminStream(), "ClockMoved", c.actor,
                                       {{"from", engine::FormatRfc3339(now)}, {"to", engine::FormatRfc3339(target)}}, now, now);
  if (!recorded.ok()) return FromStatus(recorded.status());
  d_.manual_clock->Set(target);
  // API.md: the answer comes after every job due by the new time has committed.
  if (d_.worker) {
    if (Status s = d_.worker->RunJobs(); !s.ok()) return FromStatus(s);
    // Deliveries are not jobs: a short wait lets a quick receiver's delivery land before the
    // answer, and a slow receiver or SMTP relay cannot hold the clock (nor the jobs) for longer.
    d_.worker->DeliverSoon(std::chrono::seconds(2));
  }
  return Json(200, json::object{{"now", engine::FormatRfc3339(target)}});
}

}  // namespace casetrail::adapters

namespace casetrail::adapters {

ApiResponse SystemRoutes::ListReminders(Call& c) {
  std::string status = "all", case_id, kind;
  size_t limit = 500;
  // Pages follow the order (due_at, id); a token is the last item's "<due_at in µs>.<id>".
  std::optional<std::pair<int64_t, std::string>> after;
  for (const auto& [k, v] : c.query) {
    if (k == "status") {
      if (v != "scheduled" && v != "due" && v != "sent" && v != "cancelled" && v != "all") {
        return FromStatus(InvalidField("status", "must be scheduled, due, sent, cancelled or all"));
      }
      status = v;
    } else if (k == "case_id") {
      case_id = v;
    } else if (k == "kind") {
      kind = v;
    } else if (k == "limit") {
      char* end = nullptr;
      limit = std::strtoul(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || limit == 0 || limit > 5000) return FromStatus(InvalidField("limit", "must be 1 to 5000"));
    } else if (k == "page_token") {
      const auto dot = v.find('.');
      const std::string micros = dot == std::string::npos ? "" : v.substr(0, dot);
      char* end = nullptr;
      const long long us = std::strtoll(micros.c_str(), &end, 10);
      if (micros.empty() || *end != '\0') return FromStatus(InvalidField("page_token", "is not a token of this route"));
      after = std::pair<int64_t, std::string>{us, v.substr(dot + 1)};
    } else {
      return FromStatus(engine::UnknownFields(1, "in the query"));
    }
  }
  if (!May(c, "read_reminders")) {
    return Problem(403, "forbidden", "reminders are for workers, admin and compliance");
  }
  if (!d_.worker) return Json(200, json::object{{"reminders", json::array{}}, {"next_page_token", nullptr}});
  d_.worker->CatchUp(5000);
  const auto now = d_.clock->Now();
  json::array out;
  bool more = false;
  std::pair<int64_t, std::string> last;
  for (const auto& r : d_.worker->book().List(status, now, case_id)) {
    const std::pair<int64_t, std::string> key{r.due_at.time_since_epoch().count(), r.id};
    if (after && key <= *after) continue;
    if (!kind.empty() && r.kind != kind) continue;
    if (out.size() == limit) {
      more = true;
      break;
    }
    out.push_back(json::object{
        {"id", r.id},
        {"kind", r.kind},
        {"case_id", r.case_id},
        {"due_at", r.due_at == engine::Timestamp{} ? json::value(nullptr) : json::value(engine::FormatRfc3339(r.due_at))},
        {"sent_at", r.fired ? json::value(engine::FormatRfc3339(r.sent_at)) : json::value(nullptr)},
        {"status", r.Status(now)},
        {"delivery", [&] {
           json::object d;
           for (const auto& [channel, x] : r.deliveries) {
             d[channel] = json::object{{"attempts", x.attempts}, {"in_doubt", x.in_doubt}, {"state", x.State()}};
           }
           return d;
         }()}});
    last = key;
  }
  const json::value next = more ? json::value(std::to_string(last.first) + "." + last.second) : json::value(nullptr);
  return Json(200, json::object{{"reminders", std::move(out)}, {"next_page_token", next}});
}

void SystemRoutes::Register(RouteTable& t) {
  t.Add("GET", {"reminders"}, [this](Call& c) { return ListReminders(c); });
  t.Add("GET", {"verify"}, [this](Call& c) { return Verify(c); });
  t.Add("GET", {"checkpoints", "latest"}, [this](Call& c) { return LatestCheckpoint(c); });
  t.Add("GET", {"workflows"}, [this](Call& c) { return Workflows(c); });
  t.Add("GET", {"me"}, [this](Call& c) { return Me(c); });
  t.Add("GET", {"openapi.json"}, [](Call&) { return ApiResponse{200, "application/json", std::string(OpenApiDocument()), {}}; });
  if (d_.manual_clock) t.Add("POST", {"admin", "clock"}, [this](Call& c) { return MoveClock(c); });
  t.Add("POST", {"admin", "backup"}, [this](Call& c) { return Backup(c); });
  t.Add("GET", {"admin", "records"}, [this](Call& c) { return AdminRecords(c); });
}

}  // namespace casetrail::adapters
