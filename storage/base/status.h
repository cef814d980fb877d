// Status: the outcome of an operation that can fail, passed as a value across module boundaries.
//
// Codes are chosen by what the caller does next (Abseil's convention):
//   kAborted            retry at a higher level: reload, decide again (stale expected version)
//   kFailedPrecondition do not retry until state changes (invalid transition, guard refused)
//   kUnavailable        retry the same call later (I/O failure, store locked or stopped)
//   kInvalidArgument    the request itself is wrong
//   kNotFound, kAlreadyExists, kPermissionDenied
//   kDataLoss           corrupt record or broken hash chain
//   kInternal           a bug
// An OK status costs one null pointer; errors carry a message and optional context fields
// (for example "current_version") that adapters may surface. Messages never contain personal data.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace casetrail {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,
  kFailedPrecondition,
  kAborted,
  kUnavailable,
  kDataLoss,
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message);
  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status Ok() { return Status(); }

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  std::string_view message() const { return rep_ ? std::string_view(rep_->message) : ""; }

  // Context fields: machine-readable details (never personal data). Returns *this for chaining.
  Status& With(std::string key, std::string value);
  // The value of context field `key`, or "" if absent.
  std::string_view Get(std::string_view key) const;
  const std::vector<std::pair<std::string, std::string>>& context() const;

  std::string ToString() const;

  // Marks a status as deliberately ignored.
  void IgnoreError() const {}

 private:
  struct Rep {
    StatusCode code;
    std::string message;
    std::vector<std::pair<std::string, std::string>> context;
  };
  std::unique_ptr<Rep> rep_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
inline Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status Aborted(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

}  // namespace casetrail

// Returns early from the enclosing function if `expr` yields a non-OK Status.
#define CT_RETURN_IF_ERROR(expr)                         \
  do {                                                   \
    ::casetrail::Status ct_status_ = (expr);             \
    if (!ct_status_.ok()) return ct_status_;             \
  } while (0)
