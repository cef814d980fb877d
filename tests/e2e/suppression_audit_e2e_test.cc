// Small-cell suppression audited as an attacker would (docs/strategic.md §6): the strategic group
// sees each unit's table and the total side by side, each with the previous year. Every cell the
// server hides is a variable; every sum the tables obey is an equation — a unit's cells add up
// to the total's (a column), a block's women, men and unknown add up to its total (a row), a
// ratio's share is its numerator over its denominator. Solving every equation with one unknown,
// again and again until nothing more follows, must recover no hidden cell. The age-band tables
// (by_age_band) add their own: a scope's bands add up to its figure (a row), the units' cells of a
// band to the total's (a column), and a band's conversations held is its I2's denominator. Run on
// the demo population (244 cases), for every year and quarter it covers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <optional>
#include <set>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;

// One variable per (block, part, path): "jarva|previous_year.|conversations_held.men".
using Cells = std::map<std::string, std::optional<double>>;

const std::vector<std::string> kCountPaths = {
    "referrals",  "cases_booked", "conversations_held.women", "conversations_held.men", "conversations_held.unknown",
    "conversations_held.total", "started_after_conversation.numerator", "started_after_conversation.denominator",
    "rom_started.numerator", "rom_started.denominator", "group_activities"};
const std::vector<std::string> kRatios = {"started_after_conversation", "rom_started"};
const std::vector<std::string> kBands = {"16-24", "25-29", "30-39", "40-49", "50-64", "65+", "unknown"};
// Each band figure's path (under by_age_band.<figure>.<band>) and the unbroken path it adds up to.
const std::vector<std::pair<std::string, std::string>> kBandPaths = {
    {"referrals", "referrals"},
    {"cases_booked", "cases_booked"},
    {"conversations_held", "conversations_held.total"},
    {"started_after_conversation.numerator", "started_after_conversation.numerator"},
    {"started_after_conversation.denominator", "started_after_conversation.denominator"},
    {"rom_started.numerator", "rom_started.numerator"},
    {"rom_started.denominator", "rom_started.denominator"}};
std::string BandPath(const std::string& figure, const std::string& band) {
  const size_t dot = figure.find('.');
  if (dot == std::string::npos) return "by_age_band." + figure + "." + band;
  return "by_age_band." + figure.substr(0, dot) + "." + band + figure.substr(dot);
}

std::optional<double> Num(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.as_int64());
  if (v.is_uint64()) return static_cast<double>(v.as_uint64());
  if (v.is_double()) return v.as_double();
  return std::nullopt;  // null: hidden
}

const json::value& At(const json::object& block, const std::string& path) {
  const size_t dot = path.find('.');
  if (dot == std::string::npos) return block.at(path);
  return block.at(path.substr(0, dot)).as_object().at(path.substr(dot + 1));
}

void Read(const std::string& name, const json::object& report, Cells* cells) {
  for (const auto& [part, block] : {std::pair<std::string, const json::object*>{"", &report},
                                    {"previous_year.", &report.at("previous_year").as_object()}}) {
    for (const auto& p : kCountPaths) (*cells)[name + "|" + part + p] = Num(At(*block, p));
    for (const auto& r : kRatios) (*cells)[name + "|" + part + r + ".share"] = Num(At(*block, r + ".share"));
    const json::object& bands = block->at("by_age_band").as_object();
    for (const auto& band : kBands) {
      for (const auto& [figure, whole] : kBandPaths) {
        const size_t dot = figure.find('.');
        const json::value& v = dot == std::string::npos ? bands.at(figure).at(band)
                                                        : bands.at(figure.substr(0, dot)).at(band).at(figure.substr(dot + 1));
        (*cells)[name + "|" + part + BandPath(figure, band)] = Num(v);
      }
      for (const auto& r : kRatios) (*cells)[name + "|" + part + BandPath(r + ".share", band)] = Num(bands.at(r).at(band).at("share"));
    }
  }
}

// Solves, to a fixed point, every equation with exactly one unknown; returns what it recovered.
std::set<std::string> Recover(Cells cells, const std::vector<std::string>& units) {
  std::set<std::string> recovered;
  auto known = [&](const std::string& k) { return cells.at(k).has_value(); };
  bool progress = true;
  while (progress) {
    progress = false;
    auto solve = [&](const std::string& k, double v) {
      cells[k] = v;
      recovered.insert(k);
      progress = true;
    };
    // One sum: `parts` add up to `total`; with exactly one unknown it follows.
    auto sum_of = [&](const std::vector<std::string>& parts, const std::string& total) {
      int unknown = !known(total);
      for (const auto& k : parts) unknown += !known(k);
      if (unknown != 1) return;
      double sum = 0;
      for (const auto& k : parts) sum += known(k) ? *cells[k] : 0;
      if (!known(total)) {
        solve(total, sum);
      } else {
        for (const auto& k : parts) {
          if (!known(k)) solve(k, *cells[total] - sum);
        }
      }
    };
    std::vector<std::string> scopes = units;
    scopes.push_back("total");
    for (const std::string part : {"", "previous_year."}) {
      for (const auto& [figure, whole] : kBandPaths) {
        // Band rows: a scope's bands add up to its figure.
        for (const auto& scope : scopes) {
          std::vector<std::string> row;
          for (const auto& band : kBands) row.push_back(scope + "|" + part + BandPath(figure, band));
          sum_of(row, scope + "|" + part + whole);
        }
        // Band columns: the units' cells of a band add up to the total's.
        for (const auto& band : kBands) {
          std::vector<std::string> column;
          for (const auto& u : units) column.push_back(u + "|" + part + BandPath(figure, band));
          sum_of(column, "total|" + part + BandPath(figure, band));
        }
      }
      for (const auto& scope : scopes) {
        for (const auto& band : kBands) {
          const std::string prefix = scope + "|" + part;
          // A band's conversations held is its I2's denominator.
          const std::string held = prefix + BandPath("conversations_held", band),
                            den = prefix + BandPath("started_after_conversation.denominator", band);
          if (known(held) && !known(den)) solve(den, *cells[held]);
          else if (!known(held) && known(den)) solve(held, *cells[den]);
          for (const auto& r : kRatios) {
            const std::string n = prefix + BandPath(r + ".numerator", band), d = prefix + BandPath(r + ".denominator", band),
                              sh = prefix + BandPath(r + ".share", band);
            if (known(n) + known(d) + known(sh) != 2) continue;
            if (!known(n)) solve(n, *cells[sh] * *cells[d]);
            else if (!known(d) && *cells[sh] != 0) solve(d, *cells[n] / *cells[sh]);
            else if (!known(sh) && *cells[d] != 0) solve(sh, *cells[n] / *cells[d]);
          }
        }
      }
      // Columns: the units add up to the total.
      for (const auto& p : kCountPaths) {
        std::vector<std::string> parts;
        for (const auto& u : units) parts.push_back(u + "|" + part + p);
        sum_of(parts, "total|" + part + p);
      }
      for (const auto& b : [&] { auto all = units; all.push_back("total"); return all; }()) {
        // Rows: women + men + unknown = total.
        const std::string base = b + "|" + part + "conversations_held.";
        const std::vector<std::string> row = {base + "women", base + "men", base + "unknown"};
        int unknown = !known(base + "total");
        for (const auto& k : row) unknown += !known(k);
        if (unknown == 1) {
          double sum = 0;
          for (const auto& k : row) sum += known(k) ? *cells[k] : 0;
          if (!known(base + "total")) {
            solve(base + "total", sum);
          } else {
            for (const auto& k : row) {
              if (!known(k)) solve(k, *cells[base + "total"] - sum);
            }
          }
        }
        // Ratios: share = numerator / denominator.
        for (const auto& r : kRatios) {
          const std::string n = b + "|" + part + r + ".numerator", d = b + "|" + part + r + ".denominator",
                            s = b + "|" + part + r + ".share";
          if (known(n) + known(d) + known(s) != 2) continue;
          if (!known(n)) solve(n, *cells[s] * *cells[d]);
          else if (!known(d) && *cells[s] != 0) solve(d, *cells[n] / *cells[s]);
          else if (!known(s) && *cells[d] != 0) solve(s, *cells[n] / *cells[d]);
        }
      }
    }
  }
  return recovered;
}

TEST(SuppressionAuditE2ETest, NoHiddenCellOfTheDemoTablesFollowsFromTheShownOnes) {
  TempDir dir;
  ServerProcess server(dir);
  server.SetExtraArgs({"--demo", "--demo-cases", "240"});
  ASSERT_TRUE(server.Start());
  auto workflows = Http(server.port(), "GET", "/v1/workflows", TokenOf("G-1")).Json();
  std::vector<std::string> units;
  for (const auto& u : workflows.at("model").at("units").as_array()) units.emplace_back(u.at("id").as_string());
  ASSERT_EQ(units.size(), 3u);

  int tables = 0, hidden_cells = 0, band_cells = 0;
  std::vector<std::string> leaks;
  for (const std::string year : {"2025", "2026"}) {
    for (const std::string period : {year, year + "-Q1", year + "-Q2", year + "-Q3", year + "-Q4", year + "-H1", year + "-H2"}) {
      Cells cells;
      for (const auto& scope : [&] { auto all = units; all.push_back("total"); return all; }()) {
        const std::string q = "/v1/indicators?period=" + period + (scope == "total" ? "" : "&unit=" + scope);
        auto r = Http(server.port(), "GET", q, TokenOf("G-1"));
        ASSERT_EQ(r.status, 200) << q << ": " << r.body;
        Read(scope, r.Json().as_object(), &cells);
      }
      ++tables;
      for (const auto& [k, v] : cells) {
        hidden_cells += !v.has_value();
        band_cells += !v.has_value() && k.find("by_age_band.") != std::string::npos;
      }
      for (const auto& k : Recover(cells, units)) leaks.push_back(period + " " + k);
    }
  }
  std::cout << "audited " << tables << " tables (units, total and previous year side by side), " << hidden_cells
            << " hidden cells (" << band_cells << " of them age-band cells)\n";
  EXPECT_GT(hidden_cells, 0) << "the demo population has small cells to hide";
  EXPECT_GT(band_cells, 0) << "and small age-band cells";
  EXPECT_TRUE(leaks.empty()) << ::testing::PrintToString(leaks);
}

}  // namespace
}  // namespace casetrail::testing
