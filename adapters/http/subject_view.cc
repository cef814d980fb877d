#include "adapters/http/subject_view.h"

#include "engine/event.h"

namespace casetrail::adapters {
namespace json = boost::json;

Result<std::optional<engine::Fields>> SubjectPersonal(storage::Log& log, engine::SubjectKeys& keys,
                                                      const std::string& subject) {
  CT_ASSIGN_OR_RETURN(auto records, log.ReadStream(StreamId("subject:" + subject), StreamVersion(1),
                                                   storage::Direction::kForward, SIZE_MAX));
  engine::Fields merged;
  for (const auto& r : records) {
    if (r.type != "SubjectRegistered" && r.type != "SubjectRectified") continue;
    CT_ASSIGN_OR_RETURN(engine::Event e, engine::DecodeEvent(r.type, r.data));
    auto opened = keys.Open(subject, e.sealed);
    if (!opened.ok()) {
      if (opened.status().code() == StatusCode::kNotFound) return std::optional<engine::Fields>();
      return opened.status();
    }
    for (auto& [k, v] : *opened) merged[k] = v;
  }
  return std::optional<engine::Fields>(std::move(merged));
}

json::object SubjectJson(const engine::Fields& f) {
  auto text = [&](const char* k) {
    const std::string* v = engine::AsText(f, k);
    return v ? json::value(*v) : json::value(nullptr);
  };
  // Stored canonical as 12 digits; shown in the written form YYYYMMDD-NNNN.
  json::value number = text("personal_number");
  if (number.is_string() && number.as_string().size() == 12) {
    std::string digits(number.as_string());
    number = digits.substr(0, 8) + "-" + digits.substr(8);
  }
  return {{"name", text("name")}, {"personal_number", number},
          {"contact", json::object{{"phone", text("phone")}, {"email", text("email")}}}};
}

}  // namespace casetrail::adapters
