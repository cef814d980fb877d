// The age-band breakdowns of I1–I4 (DOMAIN §5) over real HTTP: a known small population gives
// exact band counts, the bands of every figure add up to it (every unit, the total, the previous
// year), and the strategic role's answer hides every small band cell with a partner in each sum.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;

const std::vector<std::string> kBands = {"16-24", "25-29", "30-39", "40-49", "50-64", "65+", "unknown"};
const std::vector<std::string> kUnits = {"jarva", "globen", "city"};

// A number of Skatteverket's test series (birth number 980–999) with its control digit.
std::string TestNumber(int year, int month, int day, int birth_number) {
  char digits[16];
  std::snprintf(digits, sizeof(digits), "%02d%02d%02d%03d", year % 100, month, day, birth_number);
  int sum = 0;
  for (int i = 0; i < 9; ++i) {
    int d = (digits[i] - '0') * (i % 2 == 0 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  char out[20];
  std::snprintf(out, sizeof(out), "%04d%02d%02d-%03d%d", year, month, day, birth_number, (10 - sum % 10) % 10);
  return out;
}

uint64_t N(const json::value& v) { return v.to_number<uint64_t>(); }

class IndicatorBandsE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_);
    ASSERT_TRUE(server_->Start());
    Populate();
  }
  HttpResponse Post(const std::string& path, const std::string& who, const json::value& body) {
    return Http(server_->port(), "POST", path, TokenOf(who), json::serialize(body));
  }
  json::object Get(const std::string& path, const std::string& who) {
    auto r = Http(server_->port(), "GET", path, TokenOf(who));
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r.Json().as_object();
  }
  void Command(const std::string& c, const std::string& command, json::object data) {
    auto r = Post("/v1/cases/" + c + "/commands", "V-1", {{"command", command}, {"data", std::move(data)}});
    EXPECT_EQ(r.status, 200) << command << ": " << r.body;
  }
  // Registers a person born `year` (their age band follows) and refers them; the case id.
  std::string Refer(int n, int year, const std::string& gender, const std::string& who, const std::string& unit,
                    const std::string& channel, bool rom) {
    auto s = Post("/v1/subjects", who, {{"personal_number", TestNumber(year, 1 + n, 10 + n, 980 + n)},
                                        {"name", "Person " + std::to_string(n)}, {"gender", gender}});
    EXPECT_EQ(s.status, 201) << s.body;
    const std::string subject = s.Str("subject_id");
    EXPECT_EQ(Post("/v1/subjects/" + subject + "/consents", who,
                   {{"scopes", {"transfer_referral", "share_guidance", "share_study_progress"}}, {"method", "signed_form"},
                    {"evidence_ref", "form"}}).status, 201);
    auto c = Post("/v1/cases", who, {{"subject_id", subject}, {"unit", unit}, {"channel", channel},
                                     {"long_term_unemployed", true}, {"lacks_upper_secondary", true},
                                     {"resident_stockholm", true}, {"rom_participant", rom}, {"need_assessed", true}});
    EXPECT_EQ(c.status, 201) << c.body;
    return c.Str("case_id");
  }
  // In 2025: born 2003 (16-24), 2000 and 1997 (25-29), 1980 (40-49) and 1955 (65+).
  void Populate() {
    ASSERT_EQ(Post("/v1/admin/clock", "ADM-1", {{"set", "2025-03-03T09:00:00+01:00"}}).status, 200);
    const std::string a = Refer(0, 2003, "female", "A-J1", "jarva", "space", true);
    const std::string b = Refer(1, 2000, "male", "A-J1", "jarva", "space", false);
    Refer(2, 1997, "female", "A-G1", "globen", "space", false);
    const std::string d = Refer(3, 1980, "male", "A-G1", "globen", "space", true);
    Refer(4, 1955, "female", "V-1", "city", "group_activity", false);
    for (const auto& c : {a, b, d}) Command(c, "BookConversation", {{"slot", "2025-03-05T10:00:00+01:00"}});
    ASSERT_EQ(Post("/v1/admin/clock", "ADM-1", {{"set", "2025-03-05T11:00:00+01:00"}}).status, 200);
    for (const auto& c : {a, b}) Command(c, "RecordConversationHeld", {{"outcome", "plan"}});
    Command(a, "RecordStudiesStarted", {{"start_date", "2025-03-05"}, {"pace", "full_time"}});
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

// Each band figure's value (a ratio's numerator and denominator) against the unbroken figure.
void ExpectBandsAddUp(const json::object& block, const std::string& where) {
  const auto& bands = block.at("by_age_band").as_object();
  auto sum = [&](const std::string& figure, const char* part = nullptr) {
    uint64_t s = 0;
    for (const auto& b : kBands) {
      const json::value& v = bands.at(figure).at(b);
      s += part ? N(v.at(part)) : N(v);
    }
    return s;
  };
  EXPECT_EQ(sum("referrals"), N(block.at("referrals"))) << where;
  EXPECT_EQ(sum("cases_booked"), N(block.at("cases_booked"))) << where;
  EXPECT_EQ(sum("conversations_held"), N(block.at("conversations_held").at("total"))) << where;
  for (const char* r : {"started_after_conversation", "rom_started"}) {
    for (const char* part : {"numerator", "denominator"}) EXPECT_EQ(sum(r, part), N(block.at(r).at(part))) << where << r;
  }
}

TEST_F(IndicatorBandsE2ETest, KnownPopulationGivesExactBandsThatAddUp) {
  const auto total = Get("/v1/indicators?year=2025", "C-1");
  const auto& b = total.at("by_age_band").as_object();
  auto counts = [&](const std::string& figure) {
    std::vector<uint64_t> out;
    for (const auto& band : kBands) out.push_back(N(b.at(figure).at(band)));
    return out;
  };
  EXPECT_THAT(counts("referrals"), ::testing::ElementsAre(1, 2, 0, 1, 0, 1, 0));
  EXPECT_THAT(counts("cases_booked"), ::testing::ElementsAre(1, 1, 0, 1, 0, 0, 0));
  EXPECT_THAT(counts("conversations_held"), ::testing::ElementsAre(1, 1, 0, 0, 0, 0, 0));
  EXPECT_EQ(N(b.at("started_after_conversation").at("16-24").at("numerator")), 1u);  // I2: 1/1 and 0/1
  EXPECT_EQ(N(b.at("started_after_conversation").at("25-29").at("numerator")), 0u);
  EXPECT_EQ(N(b.at("started_after_conversation").at("25-29").at("denominator")), 1u);
  EXPECT_DOUBLE_EQ(b.at("started_after_conversation").at("16-24").at("share").as_double(), 1.0);
  EXPECT_TRUE(b.at("started_after_conversation").at("30-39").at("share").is_null());  // no denominator
  EXPECT_EQ(N(b.at("rom_started").at("16-24").at("numerator")), 1u);  // I3: 1/1 and 0/1
  EXPECT_EQ(N(b.at("rom_started").at("40-49").at("numerator")), 0u);
  EXPECT_EQ(N(b.at("rom_started").at("40-49").at("denominator")), 1u);
  EXPECT_TRUE(total.at("suppressed").as_array().empty());
  // A unit's bands: Järva has the 16-24 and one 25-29.
  const auto jarva = Get("/v1/indicators?year=2025&unit=jarva", "C-1");
  EXPECT_EQ(N(jarva.at("by_age_band").at("referrals").at("16-24")), 1u);
  EXPECT_EQ(N(jarva.at("by_age_band").at("referrals").at("25-29")), 1u);
  EXPECT_EQ(N(jarva.at("by_age_band").at("referrals").at("65+")), 0u);
  // Every scope and the previous year add up; the units' bands add up to the total's.
  std::map<std::string, uint64_t> unit_sum;
  for (const auto& period : {"2025", "2025-Q1", "2025-03", "2026"}) {
    for (const auto& unit : kUnits) {
      const auto r = Get(std::string("/v1/indicators?period=") + period + "&unit=" + unit, "C-1");
      ExpectBandsAddUp(r, std::string(period) + " " + unit);
      ExpectBandsAddUp(r.at("previous_year").as_object(), std::string(period) + " " + unit + " previous year");
      if (std::string(period) == "2025") {
        for (const auto& band : kBands) unit_sum[band] += N(r.at("by_age_band").at("referrals").at(band));
      }
    }
    const auto all = Get(std::string("/v1/indicators?period=") + period, "C-1");
    ExpectBandsAddUp(all, period);
    ExpectBandsAddUp(all.at("previous_year").as_object(), std::string(period) + " previous year");
  }
  for (const auto& band : kBands) EXPECT_EQ(unit_sum[band], N(b.at("referrals").at(band))) << band;
}

TEST_F(IndicatorBandsE2ETest, StrategicAnswerHidesSmallBandsWithAPartnerInEverySum) {
  for (const std::string scope : {"", "&unit=jarva", "&unit=globen", "&unit=city"}) {
    const auto exact = Get("/v1/indicators?year=2025" + scope, "C-1");
    const auto shown = Get("/v1/indicators?year=2025" + scope, "G-1");
    std::set<std::string> named;
    for (const auto& h : shown.at("suppressed").as_array()) named.insert(std::string(h.as_string()));
    const auto& e = exact.at("by_age_band").as_object();
    const auto& s = shown.at("by_age_band").as_object();
    for (const std::string figure : {"referrals", "cases_booked", "conversations_held"}) {
      int hidden = 0;
      for (const auto& band : kBands) {
        const uint64_t n = N(e.at(figure).at(band));
        const bool is_hidden = s.at(figure).at(band).is_null();
        hidden += is_hidden;
        if (n >= 1 && n < 5) EXPECT_TRUE(is_hidden) << scope << " " << figure << " " << band << " = " << n;
        if (!is_hidden) EXPECT_EQ(N(s.at(figure).at(band)), n) << "a shown cell is exact";
        EXPECT_EQ(named.count("by_age_band." + figure + "." + band), is_hidden ? 1u : 0u) << figure << band;
      }
      // A band row with one hidden cell, beside a shown figure, would give it away.
      const json::value& whole = figure == "conversations_held" ? shown.at(figure).at("total") : shown.at(figure);
      if (!whole.is_null()) EXPECT_NE(hidden, 1) << scope << " " << figure;
    }
    for (const std::string ratio : {"started_after_conversation", "rom_started"}) {
      for (const auto& band : kBands) {
        const auto& r = e.at(ratio).at(band);
        if (N(r.at("denominator")) == 0) continue;
        EXPECT_TRUE(s.at(ratio).at(band).at("numerator").is_null()) << ratio << " " << band << ": small parts";
        EXPECT_EQ(named.count("by_age_band." + ratio + "." + band + ".numerator"), 1u);
        EXPECT_EQ(named.count("by_age_band." + ratio + "." + band + ".share"), 1u);
      }
    }
    // Nothing of the bands is hidden from compliance.
    EXPECT_TRUE(exact.at("suppressed").as_array().empty());
  }
}

}  // namespace
}  // namespace casetrail::testing
