#include "adapters/http/subject_view.h"

#include "engine/event.h"
#include "engine/value.h"

namespace casetrail::adapters {
namespace json = boost::json;

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
