// invalid_field names the field the caller got wrong, but the caller chose that name. Found by
// fuzzing the API: GET /v1/cases?%AD=1 answered a problem whose "field" held the byte 0xAD, so
// the answer was not JSON; and an unknown key such as a personal number was repeated in the
// detail and the refusal log. A name is shown only if it looks like one.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/http/body_fields.h"
#include "engine/state_machine.h"
#include "storage/base/status_matchers.h"

namespace casetrail::adapters {
namespace {

constexpr const char* kHidden = "(not a field name)";

TEST(ProblemFieldNamesTest, ANameThatIsNotUtf8IsNotRepeated) {
  Status s = InvalidField(std::string("\xad"), "is not a query parameter of this route");
  EXPECT_EQ(s.Get("field"), kHidden);
  EXPECT_EQ(s.message().find('\xad'), std::string_view::npos);
}

TEST(ProblemFieldNamesTest, AValueSentAsANameIsNotRepeated) {
  Status s = OnlyFields(boost::json::object{{"19121212-1212", 1}}, {"name"});
  EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(s.Get("field"), kHidden);
  EXPECT_EQ(s.message().find("19121212"), std::string_view::npos);

  engine::CommandSpec spec;
  spec.name = "BookConversation";
  engine::WorkflowDefinition def;
  auto fields = engine::ValidateFields(spec, def, {{"tolvan@example.test", true}});
  EXPECT_EQ(fields.status().Get("field"), kHidden);
  EXPECT_EQ(fields.status().message().find("tolvan"), std::string_view::npos);
}

TEST(ProblemFieldNamesTest, AMisspelledNameIsStillNamed) {
  EXPECT_EQ(OnlyFields(boost::json::object{{"nmae", 1}}, {"name"}).Get("field"), "nmae");
  EXPECT_EQ(InvalidField("contact.phone", "must be a string").Get("field"), "contact.phone");
  engine::CommandSpec spec;
  spec.name = "BookConversation";
  engine::WorkflowDefinition def;
  EXPECT_EQ(engine::ValidateFields(spec, def, {{"slott", true}}).status().Get("field"), "slott");
  EXPECT_EQ(engine::ShownFieldName(std::string(65, 'a')), kHidden);
  EXPECT_EQ(engine::ShownFieldName(""), kHidden);
}

}  // namespace
}  // namespace casetrail::adapters
