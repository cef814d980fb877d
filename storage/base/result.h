// Result<T>: either a value or a non-OK Status. Constructing a Result from an OK Status is a bug.
#pragma once

#include <cstdlib>
#include <optional>
#include <utility>

#include "storage/base/status.h"

namespace casetrail {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    if (status_.ok()) status_ = Internal("Result constructed from an OK status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // Precondition: ok().
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace casetrail

#define CT_CONCAT_INNER(a, b) a##b
#define CT_CONCAT(a, b) CT_CONCAT_INNER(a, b)

// Declares `lhs` from a Result-returning `expr`, or returns its Status early.
#define CT_ASSIGN_OR_RETURN(lhs, expr) CT_ASSIGN_OR_RETURN_IMPL(CT_CONCAT(ct_result_, __LINE__), lhs, expr)
#define CT_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
