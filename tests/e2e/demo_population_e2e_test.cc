// The demo population (`serve --demo`, adapters/demo/demo_population.h) read back over HTTP: every
// event type of study-referral's revisions is in it, beside the cooperation's own records; its
// personal identity numbers are all from Skatteverket's test series (birth numbers 980–999, a
// real date, a valid control digit); most people are 20–29 at referral; several counsellors act;
// every meeting and list a case event names exists and holds the case.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <set>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;

// The series' rule, written here again on its own: YYYYMMDD-NNNC, a calendar date, NNN in 980–999,
// C the Luhn digit of YYMMDDNNN.
bool InTestSeries(const std::string& number) {
  if (number.size() != 13 || number[8] != '-') return false;
  const std::string digits = number.substr(0, 8) + number.substr(9);
  for (char ch : digits) {
    if (ch < '0' || ch > '9') return false;
  }
  const int y = std::stoi(digits.substr(0, 4)), m = std::stoi(digits.substr(4, 2)), d = std::stoi(digits.substr(6, 2));
  const int month_days[] = {31, (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > month_days[m - 1]) return false;
  const int serial = std::stoi(digits.substr(8, 3));
  if (serial < 980 || serial > 999) return false;
  int sum = 0;
  for (int i = 0; i < 9; ++i) {
    int v = (digits[2 + i] - '0') * (i % 2 == 0 ? 2 : 1);
    sum += v > 9 ? v - 9 : v;
  }
  return (10 - sum % 10) % 10 == digits[11] - '0';
}

TEST(DemoPopulationE2ETest, EveryEventTypeOnlyTestSeriesNumbersAndRealListReferences) {
  EXPECT_TRUE(InTestSeries("19910315-9829"));
  EXPECT_FALSE(InTestSeries("19910315-2386")) << "a number outside the series";
  EXPECT_FALSE(InTestSeries("19910315-9828")) << "a wrong control digit";

  TempDir dir;
  ServerProcess server(dir);
  server.SetExtraArgs({"--demo", "--demo-cases", "150"});
  ASSERT_TRUE(server.Start());
  auto get = [&](const std::string& path, const std::string& who = "C-1") {
    auto r = Http(server.port(), "GET", path, TokenOf(who));
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r.Json();
  };

  // What both revisions can emit.
  std::set<std::string> expected = {"CaseClosed"};
  const json::value workflows = get("/v1/workflows");
  for (const auto& rev : workflows.at("workflows").as_array()) {
    for (const auto& cmd : rev.at("commands").as_array()) {
      for (const auto& o : cmd.at("outcomes").as_array()) {
        for (const auto& e : o.at("emits").as_array()) expected.emplace(e.at("event").as_string());
      }
    }
  }
  ASSERT_GE(expected.size(), 26u);

  std::set<std::string> seen, subjects, actors_syv, revisions;
  std::vector<std::pair<std::string, std::string>> references;  // (case, meeting or list id)
  std::string page;
  int cases = 0;
  do {
    auto list = get("/v1/cases?limit=200" + (page.empty() ? "" : "&page_token=" + page));
    for (const auto& c : list.at("cases").as_array()) {
      const std::string id(c.at("case_id").as_string());
      ++cases;
      auto one = get("/v1/cases/" + id);
      subjects.emplace(one.at("subject_id").as_string());
      const json::value events = get("/v1/cases/" + id + "/events");
      for (const auto& e : events.at("events").as_array()) {
        seen.emplace(e.at("type").as_string());
        if (e.at("actor").at("role").as_string() == "syv") actors_syv.emplace(e.at("actor").at("id").as_string());
        const auto& data = e.at("data").as_object();
        for (const char* k : {"meeting", "list"}) {
          if (data.contains(k) && data.at(k).is_string()) references.emplace_back(id, std::string(data.at(k).as_string()));
        }
      }
    }
    page = list.at("next_page_token").is_string() ? std::string(list.at("next_page_token").as_string()) : "";
  } while (!page.empty());
  EXPECT_EQ(cases, 154) << "150 generated, the fixture and three customers already in studies (T16)";
  std::vector<std::string> missing;
  for (const auto& t : expected) {
    if (!seen.count(t)) missing.push_back(t);
  }
  EXPECT_TRUE(missing.empty()) << "event types the demo lacks: " << ::testing::PrintToString(missing);
  EXPECT_GE(actors_syv.size(), 3u) << "several counsellors";

  // Every meeting and list a case event names was generated before and lists the case.
  ASSERT_FALSE(references.empty());
  for (const auto& [case_id, ref] : references) {
    const std::string kind = ref.substr(0, ref.find(':'));
    const std::string unit = ref.substr(kind.size() + 1, ref.rfind(':') - kind.size() - 1);
    const std::string period = ref.substr(ref.rfind(':') + 1);
    auto r = Http(server.port(), "GET", "/v1/lists/" + kind + "?unit=" + unit + "&" + (kind == "monthly" ? "month=" : "quarter=") + period,
                  TokenOf("C-1"));
    ASSERT_EQ(r.status, 200) << ref << ": " << r.body;
    bool listed = false;
    const json::value listed_cases = r.Json();
    for (const auto& e : listed_cases.at("cases").as_array()) listed = listed || e.at("case_id").as_string() == case_id;
    EXPECT_TRUE(listed) << case_id << " is not on " << ref;
  }

  // Numbers and ages, from the register extracts (an erased person has none left to show).
  int numbers = 0, twenties = 0, outside = 0, erased = 0;
  for (const auto& s : subjects) {
    auto r = Http(server.port(), "GET", "/v1/subjects/" + s + "/extract", TokenOf("C-1"));
    if (r.status == 410) {
      ++erased;
      continue;
    }
    ASSERT_EQ(r.status, 200) << r.body;
    const auto& person = r.Json().at("personal_data").as_object();
    ASSERT_TRUE(person.at("personal_number").is_string());
    const std::string number(person.at("personal_number").as_string());
    EXPECT_TRUE(InTestSeries(number)) << "subject " << s << " has a number outside the test series";
    ++numbers;
    const std::string band(person.at("age_band").as_string());
    (band == "16-24" || band == "25-29" ? twenties : outside)++;
  }
  EXPECT_EQ(erased, 1) << "one erasure";
  EXPECT_GE(numbers, 140);
  EXPECT_GE(twenties * 100, numbers * 75) << "most are 20–29 at referral (" << twenties << " of " << numbers << ")";
  EXPECT_GT(outside, 0) << "some are not";

  // The cooperation's own records.
  auto decisions = get("/v1/decisions").at("decisions").as_array();
  std::set<std::string> decision_types;
  for (const auto& d : decisions) decision_types.emplace(d.at("type").as_string());
  EXPECT_THAT(decision_types, ::testing::IsSupersetOf({"DecisionRecorded", "WorkflowRevisionAdopted"}));
  auto deviations = get("/v1/deviations").at("deviations").as_array();
  EXPECT_GE(deviations.size(), 2u);
  EXPECT_GE(get("/v1/meetings?unit=jarva").at("meetings").as_array().size(), 12u);
  EXPECT_GE(get("/v1/strategic-meetings", "G-1").at("meetings").as_array().size(), 3u);
  auto indicators = get("/v1/indicators?year=2025", "G-1");
  EXPECT_GE(indicators.at("activities").at("group_activities").at("count").as_int64(), 6);
  EXPECT_TRUE(indicators.at("activities").at("listed_activities").at("jobbtorg_cooperation_review").at("done").as_bool());
  auto published = get("/v1/lists/progression?unit=jarva&quarter=2025-Q3");
  EXPECT_TRUE(published.at("published_at").is_string()) << json::serialize(published);
}

}  // namespace
}  // namespace casetrail::testing
