// peer_bench's report: the rows as a markdown table with the ratios, the same rows as JSON (which
// scripts/bench-peers reads into its table of goals) and an SVG chart of the durable appends.
#pragma once

#include <boost/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace casetrail::bench {

struct Row {
  std::string measure;
  std::map<std::string, double> value;  // system → value
  std::string unit;
};

// Writes `report` (markdown), and beside it the JSON and the SVG; prints the markdown. The first
// three rows are the durable appends at 1, 16 and 64 writers.
inline void WriteReport(std::vector<Row> rows, int cases, uint64_t events, double seconds, const std::string& report) {
  namespace json = boost::json;
  // The report.
  std::ostringstream md;
  md << "Population: " << cases << " cases, " << events << " events. Appends measured for " << seconds
     << " s per cell on fresh stores. Ratios are casetrail's figure divided by the other's: above 1 is better\n"
     << "for throughput, below 1 is better for times and bytes.\n\n"
     << "\"casetrail JetStream\" is the embedded engine with its log on a three-node JetStream cluster (R3) on this\n"
     << "machine's loopback: durable means acknowledged by a majority of the nodes.\n\n"
     << "| measure | casetrail | casetrail JetStream | casetrail HTTP | PostgreSQL | bare RocksDB | casetrail ÷ PostgreSQL | casetrail ÷ bare RocksDB |\n"
     << "|---|---:|---:|---:|---:|---:|---:|---:|\n";
  auto cell = [](const Row& r, const char* k) {
    auto it = r.value.find(k);
    if (it == r.value.end()) return std::string("—");
    char buf[32];
    std::snprintf(buf, sizeof(buf), it->second >= 100 ? "%.0f" : "%.1f", it->second);
    return std::string(buf);
  };
  auto ratio = [](const Row& r, const char* a, const char* b) {
    auto x = r.value.find(a), y = r.value.find(b);
    if (x == r.value.end() || y == r.value.end() || y->second == 0) return std::string("—");
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.2f×", x->second / y->second);
    return std::string(buf);
  };
  for (const auto& r : rows) {
    md << "| " << r.measure << " (" << r.unit << ") | " << cell(r, "casetrail") << " | " << cell(r, "casetrail JetStream")
       << " | " << cell(r, "casetrail HTTP") << " | "
       << cell(r, "PostgreSQL") << " | " << cell(r, "bare RocksDB") << " | " << ratio(r, "casetrail", "PostgreSQL") << " | "
       << ratio(r, "casetrail", "bare RocksDB") << " |\n";
  }
  std::ofstream(report) << md.str();
  // The same rows as JSON beside the report (measure → system → value): scripts/bench-peers reads
  // them into its table of the goals.
  {
    json::object all;
    for (const auto& r : rows) {
      json::object values;
      for (const auto& [system, v] : r.value) values[system] = v;
      all[r.measure] = std::move(values);
    }
    std::ofstream(std::filesystem::path(report).replace_extension(".json")) << json::serialize(all);
  }
  // The chart: durable appends/s by writers, one bar per system.
  std::ostringstream svg;
  const char* systems[] = {"casetrail", "casetrail JetStream", "casetrail HTTP", "PostgreSQL", "bare RocksDB"};
  const char* colours[] = {"#1b6ca8", "#38761d", "#6fa8dc", "#cc4125", "#999999"};
  double top = 1;
  for (int i = 0; i < 3; ++i)
    for (auto s : systems) top = std::max(top, rows[i].value[s]);
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='640' height='300' font-family='sans-serif' font-size='12'>"
      << "<text x='10' y='18'>Durable appends per second (higher is better)</text>";
  for (int i = 0; i < 3; ++i) {
    const int x0 = 60 + i * 190;
    svg << "<text x='" << x0 + 40 << "' y='290'>" << (i == 0 ? 1 : i == 1 ? 16 : 64) << " writer(s)</text>";
    for (int s = 0; s < 5; ++s) {
      const double h = 230 * rows[i].value[systems[s]] / top;
      svg << "<rect x='" << x0 + s * 36 << "' y='" << 270 - h << "' width='30' height='" << h << "' fill='" << colours[s] << "'/>"
          << "<text x='" << x0 + s * 36 << "' y='" << 266 - h << "' font-size='9'>" << static_cast<long>(rows[i].value[systems[s]]) << "</text>";
    }
  }
  for (int s = 0; s < 5; ++s) {
    svg << "<rect x='" << 330 + (s % 2) * 150 << "' y='" << 30 + (s / 2) * 16 << "' width='10' height='10' fill='" << colours[s]
        << "'/><text x='" << 345 + (s % 2) * 150 << "' y='" << 39 + (s / 2) * 16 << "'>" << systems[s] << "</text>";
  }
  svg << "</svg>\n";
  std::ofstream(std::filesystem::path(report).replace_extension(".svg")) << svg.str();
  std::cout << md.str();
}

}  // namespace casetrail::bench
