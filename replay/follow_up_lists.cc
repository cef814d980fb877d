#include "replay/follow_up_lists.h"

#include <date/tz.h>
#include <sodium.h>

#include <boost/json.hpp>
#include <set>

#include "replay/case_rebuild.h"
#include "replay/stockholm_time.h"
#include "storage/base/hex.h"

namespace casetrail::replay {
namespace json = boost::json;

namespace {

std::string Ymd(const date::year_month_day& d) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

void Hash(FollowUpList& l) {
  json::array cases;
  for (const auto& c : l.cases) {
    cases.push_back(json::object{{"case_id", c.case_id}, {"state", c.state}, {"referred_at", c.referred_at},
                                 {"carried_over", c.carried_over}});
  }
  const std::string text = l.list_id + "\n" + json::serialize(cases);
  uint8_t out[32];
  crypto_generichash(out, sizeof(out), reinterpret_cast<const uint8_t*>(text.data()), text.size(), nullptr, 0);
  l.content_hash = ToHex(std::string_view(reinterpret_cast<const char*>(out), sizeof(out)));
}

}  // namespace

bool IsSwedishPublicHoliday(int year, int month, int day) {
  // Fixed dates (and the eves treated as holidays); Easter-bound holidays and Midsummer are never
  // Wednesdays, which is all the meeting rule needs, but they are listed for completeness.
  static const std::set<std::pair<int, int>> kFixed = {{1, 1}, {1, 6}, {5, 1}, {6, 6}, {12, 24}, {12, 25}, {12, 26}, {12, 31}};
  if (kFixed.count({month, day})) return true;
  // Easter Sunday (anonymous Gregorian algorithm) → Good Friday, Easter Monday, Ascension.
  const int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3,
            h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7,
            m = (a + 11 * h + 22 * l) / 451, em = (h + l - 7 * m + 114) / 31, ed = (h + l - 7 * m + 114) % 31 + 1;
  const date::sys_days easter = date::year{year} / em / ed;
  const date::sys_days today = date::year{year} / month / day;
  for (int offset : {-2, 1, 39}) {
    if (today == easter + date::days(offset)) return true;
  }
  // Midsummer Eve and Day: the Friday and Saturday between 19 and 26 June; All Saints' Day: the
  // Saturday between 31 October and 6 November.
  const date::weekday wd{today};
  if (month == 6 && ((wd == date::Friday && day >= 19 && day <= 25) || (wd == date::Saturday && day >= 20 && day <= 26))) return true;
  if (((month == 10 && day == 31) || (month == 11 && day <= 6)) && wd == date::Saturday) return true;
  return false;
}

Result<ListCalendar> ParseListCalendar(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return InvalidArgument("calendar: not a JSON object");
  ListCalendar c;
  static const char* kDays[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
  auto number = [&](const json::value& x, const char* key, int lo, int hi, int* out) -> Status {
    if (!x.is_int64() || x.as_int64() < lo || x.as_int64() > hi) {
      return InvalidArgument(std::string("calendar: ") + key + " must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
    }
    *out = static_cast<int>(x.as_int64());
    return Status::Ok();
  };
  for (const auto& [k, x] : v.as_object()) {
    if (k == "meeting_weekday") {
      const auto* day = x.is_string() ? std::find(std::begin(kDays), std::end(kDays), std::string(x.as_string())) : std::end(kDays);
      if (day == std::end(kDays)) return InvalidArgument("calendar: meeting_weekday must be a weekday in English, e.g. wednesday");
      c.meeting_weekday = static_cast<int>(day - std::begin(kDays));
    } else if (k == "skip_public_holidays") {
      if (!x.is_bool()) return InvalidArgument("calendar: skip_public_holidays must be true or false");
      c.skip_public_holidays = x.as_bool();
    } else if (k == "list_days_before") {
      CT_RETURN_IF_ERROR(number(x, "list_days_before", 0, 14, &c.list_days_before));
    } else if (k == "list_hour") {
      CT_RETURN_IF_ERROR(number(x, "list_hour", 0, 23, &c.list_hour));
    } else if (k == "progression_hour") {
      CT_RETURN_IF_ERROR(number(x, "progression_hour", 0, 23, &c.progression_hour));
    } else if (k == "feedback_after_days") {
      CT_RETURN_IF_ERROR(number(x, "feedback_after_days", 1, 365, &c.feedback_after_days));
    } else if (k == "review_check_days") {
      CT_RETURN_IF_ERROR(number(x, "review_check_days", 0, 31, &c.review_check_days));
    } else {
      return InvalidArgument("calendar: unknown key " + std::string(k));
    }
  }
  return c;
}

std::string DefaultMeetingDay(int year, int month, const ListCalendar& cal) {
  for (unsigned d = 1; d <= 31; ++d) {
    const date::year_month_day ymd{date::year{year} / month / d};
    if (!ymd.ok()) break;
    if (date::weekday{ymd} == date::weekday{static_cast<unsigned>(cal.meeting_weekday)} &&
        !(cal.skip_public_holidays && IsSwedishPublicHoliday(year, month, static_cast<int>(d)))) {
      return Ymd(ymd);
    }
  }
  return Ymd(date::year{year} / month / 1);
}

engine::Timestamp MonthlyGenerationTime(const std::string& meeting_day, const ListCalendar& cal) {
  const int y = std::stoi(meeting_day.substr(0, 4)), m = std::stoi(meeting_day.substr(5, 2)), d = std::stoi(meeting_day.substr(8, 2));
  const date::year_month_day before{date::sys_days{date::year{y} / m / d} - date::days(cal.list_days_before)};
  return StockholmTime(static_cast<int>(before.year()), static_cast<unsigned>(before.month()),
                       static_cast<unsigned>(before.day()), cal.list_hour, 0);
}

engine::Timestamp ReviewCheckTime(const std::string& held_on, const ListCalendar& cal) {
  const int y = std::stoi(held_on.substr(0, 4)), m = std::stoi(held_on.substr(5, 2)), d = std::stoi(held_on.substr(8, 2));
  const date::year_month_day after{date::sys_days{date::year{y} / m / d} + date::days(cal.review_check_days)};
  return StockholmTime(static_cast<int>(after.year()), static_cast<unsigned>(after.month()),
                       static_cast<unsigned>(after.day()), cal.list_hour, 0);
}

bool OnMonthlyLists(const std::string& state) { return state == "referred" || state == "booked" || state == "unplanned"; }

engine::Timestamp ProgressionGenerationTime(int year, int quarter, const ListCalendar& cal) {
  const date::year_month_day last{date::year{year} / (3 * quarter) / date::last};
  return StockholmTime(year, 3 * quarter, static_cast<unsigned>(last.day()), cal.progression_hour, 0);
}

Result<FollowUpList> BuildMonthlyList(storage::Log& log, const engine::DefinitionRegistry& registry,
                                      const std::string& unit, int year, int month, const std::string& since,
                                      const std::vector<std::string>& case_ids, const ListCalendar& calendar) {
  FollowUpList l;
  char period[8];
  std::snprintf(period, sizeof(period), "%04d-%02d", year, month);
  l.kind = "monthly";
  l.unit = unit;
  l.period = period;
  l.list_id = "monthly:" + unit + ":" + period;
  l.since = since;
  l.generated_at = MonthlyGenerationTime(DefaultMeetingDay(year, month, calendar), calendar);
  for (const auto& id : case_ids) {
    CT_ASSIGN_OR_RETURN(auto events, ReadCaseEvents(log, id));
    AsOf as_of;
    as_of.recorded_by = l.generated_at;
    CT_ASSIGN_OR_RETURN(engine::CaseState s, Rebuild(events, as_of, registry));
    if (!s.Exists() || s.unit != unit) continue;
    const std::string referred = StockholmDate(s.opened_at);
    const bool new_since = referred >= since;
    if (!OnMonthlyLists(s.state)) continue;  // planned and later, and closed: never listed
    l.cases.push_back({id, s.state, engine::FormatRfc3339(s.opened_at), !new_since});
  }
  Hash(l);
  return l;
}

Result<FollowUpList> BuildProgressionList(storage::Log& log, const engine::DefinitionRegistry& registry,
                                          const std::string& unit, int year, int quarter,
                                          const std::vector<std::string>& case_ids, const ListCalendar& calendar) {
  FollowUpList l;
  l.kind = "progression";
  l.unit = unit;
  l.period = std::to_string(year) + "-Q" + std::to_string(quarter);
  l.list_id = "progression:" + unit + ":" + l.period;
  l.generated_at = ProgressionGenerationTime(year, quarter, calendar);
  const engine::Timestamp start = StockholmTime(year, 3 * quarter - 2, 1, 0, 0);
  const engine::Timestamp end = quarter == 4 ? StockholmTime(year + 1, 1, 1, 0, 0) : StockholmTime(year, 3 * quarter + 1, 1, 0, 0);
  for (const auto& id : case_ids) {
    CT_ASSIGN_OR_RETURN(auto events, ReadCaseEvents(log, id));
    AsOf known;
    known.recorded_by = l.generated_at;
    CT_ASSIGN_OR_RETURN(engine::CaseState latest, Rebuild(events, known, registry));
    if (!latest.Exists() || latest.unit != unit) continue;
    // Studying at the quarter's start, or after any event effective within it (as known then).
    std::vector<engine::Timestamp> points = {start + std::chrono::microseconds(1)};
    for (const auto& e : events) {
      if (e.event.meta.recorded_at <= l.generated_at && e.event.meta.effective_at >= start && e.event.meta.effective_at < end) {
        points.push_back(e.event.meta.effective_at + std::chrono::microseconds(1));
      }
    }
    bool studying = false;
    for (const auto& p : points) {
      AsOf at = known;
      at.effective_by = p;
      CT_ASSIGN_OR_RETURN(engine::CaseState s, Rebuild(events, at, registry));
      if (s.state == "studying") {
        studying = true;
        break;
      }
    }
    if (studying) l.cases.push_back({id, latest.state, engine::FormatRfc3339(latest.opened_at), false});
  }
  Hash(l);
  return l;
}

std::string ListJson(const FollowUpList& l) {
  json::array cases;
  for (const auto& c : l.cases) {
    json::object o{{"case_id", c.case_id}, {"state", c.state}, {"referred_at", c.referred_at}};
    if (l.kind == "monthly") o["carried_over"] = c.carried_over;
    cases.push_back(std::move(o));
  }
  json::object o{{"list_id", l.list_id}, {"kind", l.kind}, {"unit", l.unit}};
  if (l.kind == "monthly") {
    o["month"] = l.period;
    o["since"] = l.since;
  } else {
    o["period"] = l.period;
  }
  o["generated_at"] = engine::FormatRfc3339(l.generated_at);
  o["content_hash"] = l.content_hash;
  o["cases"] = std::move(cases);
  return json::serialize(o);
}

Result<FollowUpList> ParseListJson(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return DataLoss("stored list is not JSON");
  const auto& o = v.as_object();
  FollowUpList l;
  auto s = [&](const char* k) { return o.contains(k) && o.at(k).is_string() ? std::string(o.at(k).as_string()) : std::string(); };
  l.list_id = s("list_id");
  l.kind = s("kind");
  l.unit = s("unit");
  l.period = l.kind == "monthly" ? s("month") : s("period");
  l.since = s("since");
  auto t = engine::ParseRfc3339(s("generated_at"));
  if (t.ok()) l.generated_at = *t;
  l.content_hash = s("content_hash");
  for (const auto& c : o.at("cases").as_array()) {
    const auto& co = c.as_object();
    l.cases.push_back({std::string(co.at("case_id").as_string()), std::string(co.at("state").as_string()),
                       std::string(co.at("referred_at").as_string()),
                       co.contains("carried_over") && co.at("carried_over").as_bool()});
  }
  return l;
}

}  // namespace casetrail::replay
