// Test-only gMock matchers: EXPECT_THAT(status_or_result, StatusIs(StatusCode::kAborted)).
#pragma once

#include <gmock/gmock.h>

#include "storage/base/result.h"
#include "storage/base/status.h"

namespace casetrail {

inline const Status& GetStatus(const Status& s) { return s; }
template <typename T>
const Status& GetStatus(const Result<T>& r) {
  static const Status kOk;
  return r.ok() ? kOk : r.status();
}

MATCHER_P(StatusIs, code, std::string("has status code ") + std::string(StatusCodeName(code))) {
  const Status& s = GetStatus(arg);
  *result_listener << "status is " << s.ToString();
  return s.code() == code;
}

MATCHER(IsOk, "is OK") {
  const Status& s = GetStatus(arg);
  *result_listener << "status is " << s.ToString();
  return s.ok();
}

}  // namespace casetrail
