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
  EXPECT_EQ(s.Get("field"), "");
  EXPECT_EQ(s.Get("unknown_fields"), "1");
  EXPECT_EQ(s.message().find("19121212"), std::string_view::npos);

  engine::CommandSpec spec;
  spec.name = "BookConversation";
  engine::WorkflowDefinition def;
  auto fields = engine::ValidateFields(spec, def, {{"tolvan@example.test", true}});
  EXPECT_EQ(fields.status().Get("unknown_fields"), "1");
  EXPECT_EQ(fields.status().message().find("tolvan"), std::string_view::npos);
}

// Issue 17: a name that looks like one is the caller's text too (a surname typed as a key): unknown
// members are counted, never named.
TEST(ProblemFieldNamesTest, UnknownNamesAreCountedNeverNamed) {
  Status s = OnlyFields(boost::json::object{{"nmae", 1}, {"tolvansson", 2}, {"name", "x"}}, {"name"});
  EXPECT_EQ(s.Get("field"), "");
  EXPECT_EQ(s.Get("unknown_fields"), "2");
  EXPECT_EQ(s.message(), "2 unknown fields in the body");
  engine::CommandSpec spec;
  spec.name = "BookConversation";
  engine::WorkflowDefinition def;
  auto r = engine::ValidateFields(spec, def, {{"slott", true}});
  EXPECT_EQ(r.status().Get("field"), "");
  EXPECT_EQ(r.status().message().find("slott"), std::string_view::npos);
  // A known field at fault is still named, for the form to point at it.
  EXPECT_EQ(InvalidField("contact.phone", "must be a string").Get("field"), "contact.phone");
  EXPECT_EQ(engine::ShownFieldName(std::string(65, 'a')), kHidden);
  EXPECT_EQ(engine::ShownFieldName(""), kHidden);
}

}  // namespace
}  // namespace casetrail::adapters
