#include "storage/base/status.h"

namespace casetrail {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case StatusCode::kNotFound: return "NOT_FOUND";
    case StatusCode::kAlreadyExists: return "ALREADY_EXISTS";
    case StatusCode::kPermissionDenied: return "PERMISSION_DENIED";
    case StatusCode::kFailedPrecondition: return "FAILED_PRECONDITION";
    case StatusCode::kAborted: return "ABORTED";
    case StatusCode::kUnavailable: return "UNAVAILABLE";
    case StatusCode::kDataLoss: return "DATA_LOSS";
    case StatusCode::kInternal: return "INTERNAL";
  }
  return "UNKNOWN";
}

Status::Status(StatusCode code, std::string message) {
  if (code != StatusCode::kOk) rep_ = std::make_unique<Rep>(Rep{code, std::move(message), {}});
}

Status::Status(const Status& other)
    : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
  return *this;
}

Status& Status::With(std::string key, std::string value) {
  if (rep_) rep_->context.emplace_back(std::move(key), std::move(value));
  return *this;
}

std::string_view Status::Get(std::string_view key) const {
  if (rep_) {
    for (const auto& [k, v] : rep_->context) {
      if (k == key) return v;
    }
  }
  return "";
}

const std::vector<std::pair<std::string, std::string>>& Status::context() const {
  static const std::vector<std::pair<std::string, std::string>> kEmpty;
  return rep_ ? rep_->context : kEmpty;
}

std::string Status::ToString() const {
  if (!rep_) return "OK";
  std::string out(StatusCodeName(rep_->code));
  out += ": ";
  out += rep_->message;
  for (const auto& [k, v] : rep_->context) out += " " + k + "=" + v;
  return out;
}

}  // namespace casetrail
