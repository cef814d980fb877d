// Calendar dates in Europe/Stockholm, the users' time zone (with the system tz database).
// API.md: a date means 00:00 Europe/Stockholm; as an upper bound (to, as_of, valid_at) it means
// the end of that day.
#pragma once

#include <string_view>

#include "engine/clock.h"
#include "storage/base/result.h"

namespace casetrail::replay {

// The first instant after the Stockholm day `date` (YYYY-MM-DD). kInvalidArgument if not a date.
Result<engine::Timestamp> EndOfStockholmDay(std::string_view date);
// The Stockholm calendar date (YYYY-MM-DD) of an instant, from 0001-01-01 to 9999-12-31: an
// instant outside engine::kMinTime..kMaxTime, or a local date past the last, gets the nearer end.
std::string StockholmDate(engine::Timestamp t);
// The instant of a Stockholm wall-clock time (the earlier one in the autumn's repeated hour).
engine::Timestamp StockholmTime(int year, int month, int day, int hour, int minute);

// A query bound: an RFC 3339 time is taken as is; a date means the end of that Stockholm day.
Result<engine::Timestamp> UpperBound(std::string_view time_or_date);

}  // namespace casetrail::replay
