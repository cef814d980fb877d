// Helpers shared by the files of CaseService (case_service.cc, case_service_erasure.cc).
#pragma once

#include <sodium.h>

#include <string>

#include "engine/case_service.h"
#include "storage/base/hex.h"

namespace casetrail::engine::detail {

// Attempts of a decision that keeps meeting concurrent changes before answering unavailable.
inline constexpr int kMaxRetries = 8;

inline Status NotFoundCode(const std::string& what) {
  return Status(StatusCode::kNotFound, what + " not found").With("code", "not_found");
}

// An append request carrying the caller's idempotency key, scoped to the actor.
inline storage::AppendRequest Request(const RequestContext& ctx) {
  storage::AppendRequest req;
  if (!ctx.idempotency_key.empty()) {
    req.idempotency_key = ctx.actor.id + ":" + ctx.idempotency_key;
    req.idempotency_fingerprint = ctx.idempotency_fingerprint;
  }
  return req;
}

// A new random id: the prefix and 12 hex digits.
inline std::string NewId(const char* prefix) {
  uint8_t bytes[6];
  randombytes_buf(bytes, sizeof(bytes));
  return prefix + ToHex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

inline int Year(Timestamp now) { return std::stoi(FormatRfc3339(now).substr(0, 4)); }

// The age band recorded in clear on SubjectRegistered (and on a rectified number).
inline std::string AgeBand(int age) {
  if (age < 25) return "16-24";
  if (age < 30) return "25-29";
  if (age < 40) return "30-39";
  if (age < 50) return "40-49";
  if (age < 65) return "50-64";
  return "65+";
}

// An event of a subject's own streams (subject, consent), decided now by the caller's request.
inline Event SubjectEvent(const std::string& type, const RequestContext& ctx, Timestamp now,
                          const std::string& subject_id, const std::string& command) {
  Event e;
  e.type = type;
  e.meta.actor = ctx.actor;
  e.meta.legal_basis = ctx.legal_basis;
  e.meta.recorded_at = e.meta.effective_at = now;
  e.meta.subject_id = subject_id;
  e.meta.command = command;
  return e;
}

inline Status IdempotencyReused() {
  return Status(StatusCode::kAlreadyExists, "idempotency key reused with a different body")
      .With("code", "idempotency_key_reused");
}

}  // namespace casetrail::engine::detail
