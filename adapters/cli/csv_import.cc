#include "adapters/cli/csv_import.h"

#include "engine/clock.h"

#include <sodium.h>

#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "adapters/cli/csv_rows.h"
#include "engine/personal_number.h"
#include "storage/base/hex.h"

namespace casetrail::adapters {
namespace json = boost::json;

namespace {

std::optional<bool> ParseBool(std::string v) {
  for (auto& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (v == "true" || v == "yes" || v == "ja" || v == "1") return true;
  if (v == "false" || v == "no" || v == "nej" || v == "0") return false;
  return std::nullopt;
}

// Well-formed UTF-8 (RFC 3629): no stray continuation bytes, no overlong forms, no surrogates,
// nothing above U+10FFFF. The API refuses anything else, and it would do so mid-row.
bool IsUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf;  // the allowed range of the second byte
    if (b < 0x80) {
      ++i;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      len = 2;
    } else if (b >= 0xe0 && b <= 0xef) {
      len = 3;
      if (b == 0xe0) lo = 0xa0;  // overlong
      if (b == 0xed) hi = 0x9f;  // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      if (b == 0xf0) lo = 0x90;  // overlong
      if (b == 0xf4) hi = 0x8f;  // above U+10FFFF
    } else {
      return false;
    }
    if (s.size() - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xbf)) return false;
    }
    i += len;
  }
  return true;
}

struct RowProblem {
  std::string code, column;
};

const std::vector<std::string> kRequired = {"personal_number", "name", "unit", "channel", "long_term_unemployed",
                                            "lacks_upper_secondary", "resident_stockholm", "rom_participant",
                                            "need_assessed", "consent_method"};
const std::set<std::string> kKnown = {"personal_number", "name", "gender", "phone", "email", "unit", "channel",
                                      "long_term_unemployed", "lacks_upper_secondary", "resident_stockholm",
                                      "rom_participant", "need_assessed", "consent_scopes", "consent_method",
                                      "evidence_ref", "note"};

std::string FileKey(const std::string& text) {
  uint8_t out[8];
  crypto_generichash(out, sizeof(out), reinterpret_cast<const uint8_t*>(text.data()), text.size(), nullptr, 0);
  return ToHex(std::string_view(reinterpret_cast<const char*>(out), sizeof(out)));
}

std::string CodeOf(const ApiResponse& r) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  if (ec || !v.is_object()) return "error";
  const auto* c = v.as_object().if_contains("code");
  std::string code = c && c->is_string() ? std::string(c->as_string()) : "error";
  if (const auto* f = v.as_object().if_contains("field"); f && f->is_string()) code += " (" + std::string(f->as_string()) + ")";
  return code;
}

}  // namespace

Result<ImportReport> ImportReferralsCsv(ApiClient& api, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read the CSV file");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  const std::string file_key = FileKey(text);
  // The units the server's model has (GET /v1/workflows), not a list of our own.
  std::set<std::string> units;
  {
    ApiResponse w = api.Call("compliance", "", "GET", "/v1/workflows");
    if (w.status != 200) return Unavailable("the workflow model could not be read (" + std::to_string(w.status) + ")");
    boost::system::error_code ec;
    json::value doc = json::parse(w.body, ec);
    if (ec || !doc.is_object() || !doc.as_object().contains("model")) return Unavailable("the server answered no workflow model");
    for (const auto& u : doc.at("model").at("units").as_array()) units.insert(std::string(u.at("id").as_string()));
  }
  auto read = ReadCsvRows(text);
  if (!read.ok()) return read.status();
  const std::vector<CsvRow> rows = std::move(read).value();
  if (rows.empty()) return InvalidArgument("the CSV file has no header row");
  std::map<std::string, size_t> col;
  std::vector<std::string> header;
  for (size_t i = 0; i < rows[0].cells.size(); ++i) {
    std::string name = rows[0].cells[i];
    if (i == 0 && name.rfind("\xEF\xBB\xBF", 0) == 0) name = name.substr(3);  // a UTF-8 BOM
    if (!kKnown.count(name)) return InvalidArgument("unknown CSV column: " + name);
    col[name] = i;
    header.push_back(name);
  }
  for (const auto& r : kRequired) {
    if (!col.count(r)) return InvalidArgument("missing CSV column: " + r);
  }
  const int year = std::stoi(engine::FormatRfc3339(std::chrono::floor<std::chrono::microseconds>(
                                                     std::chrono::system_clock::now())).substr(0, 4));
  ImportReport report;
  for (size_t n = 1; n < rows.size(); ++n) {
    const CsvRow& row = rows[n];
    ++report.rows;
    auto get = [&](const std::string& c) -> std::string {
      auto it = col.find(c);
      return it != col.end() && it->second < row.cells.size() ? row.cells[it->second] : std::string();
    };
    auto reject = [&](const RowProblem& p) {
      std::cerr << "line " << row.line << ": " << p.code << (p.column.empty() ? "" : " (" + p.column + ")") << "\n";
      ++report.rejected;
    };
    // 1. The whole row is checked before anything is written.
    std::optional<RowProblem> bad;
    for (size_t i = 0; i < header.size() && i < row.cells.size(); ++i) {
      if (!bad && !IsUtf8(row.cells[i])) bad = RowProblem{"invalid_utf8", header[i]};
    }
    for (const auto& r : kRequired) {
      if (!bad && get(r).empty()) bad = RowProblem{"missing", r};
    }
    if (!bad && !engine::ParsePersonalNumber(get("personal_number"), year).ok()) bad = RowProblem{"invalid_personal_number", "personal_number"};
    const std::string unit = get("unit"), channel = get("channel"), method = get("consent_method");
    std::string gender = get("gender").empty() ? "unknown" : get("gender");
    if (!bad && !units.count(unit)) bad = RowProblem{"invalid_field", "unit"};
    if (!bad && channel != "space" && channel != "group_activity") bad = RowProblem{"invalid_field", "channel"};
    if (!bad && method != "signed_form" && method != "bankid" && method != "verbal") bad = RowProblem{"invalid_field", "consent_method"};
    if (!bad && gender != "female" && gender != "male" && gender != "unknown") bad = RowProblem{"invalid_field", "gender"};
    std::map<std::string, bool> flags;
    for (const char* f : {"long_term_unemployed", "lacks_upper_secondary", "resident_stockholm", "rom_participant", "need_assessed"}) {
      auto b = ParseBool(get(f));
      if (!bad && !b) bad = RowProblem{"invalid_field", f};
      flags[f] = b.value_or(false);
    }
    if (!bad && !(flags["resident_stockholm"] && flags["need_assessed"] &&
                  (flags["long_term_unemployed"] || flags["lacks_upper_secondary"]))) {
      bad = RowProblem{"guard_failed", "G-TARGET"};
    }
    json::array scopes;
    std::set<std::string> scope_set;
    {
      std::string list = get("consent_scopes");
      for (auto& ch : list) {
        if (ch == ';') ch = ' ';
      }
      std::stringstream words(list.empty() ? "transfer_referral share_guidance share_study_progress" : list);
      for (std::string w; words >> w;) {
        if (w != "transfer_referral" && w != "share_guidance" && w != "share_study_progress" && !bad) {
          bad = RowProblem{"invalid_field", "consent_scopes"};
        }
        if (scope_set.insert(w).second) scopes.emplace_back(w);
      }
    }
    if (!bad && (!scope_set.count("transfer_referral") || !scope_set.count("share_guidance"))) {
      bad = RowProblem{"consent_missing", "consent_scopes"};
    }
    if (!bad) {
      // A person who already has an open case would get consent written and the referral refused:
      // asked through the API (the lookup says so), the same offline and against a server.
      auto found = api.Call("af_officer", unit, "POST", "/v1/subjects/lookup",
                            json::serialize(json::object{{"personal_number", get("personal_number")}}));
      if (found.status == 200) {
        boost::system::error_code ec;
        auto v = json::parse(found.body, ec);
        const auto* open = !ec && v.is_object() ? v.as_object().if_contains("open_case") : nullptr;
        if (open && open->is_bool() && open->as_bool()) bad = RowProblem{"case_open", ""};
      } else if (found.status != 404) {
        bad = RowProblem{CodeOf(found), ""};
      }
    }
    if (bad) {
      reject(*bad);
      continue;
    }
    // 2. Register (the same person again answers with the same subject), consent, referral.
    const std::string key = "import:" + file_key + ":" + std::to_string(row.line);
    json::object subject{{"personal_number", get("personal_number")}, {"name", get("name")}, {"gender", gender}};
    if (!get("phone").empty() || !get("email").empty()) {
      json::object contact;
      if (!get("phone").empty()) contact["phone"] = get("phone");
      if (!get("email").empty()) contact["email"] = get("email");
      subject["contact"] = std::move(contact);
    }
    auto s = api.Call("af_officer", unit, "POST", "/v1/subjects", json::serialize(subject));
    if (s.status != 200 && s.status != 201) {
      reject({CodeOf(s), ""});
      continue;
    }
    const std::string subject_id(json::parse(s.body).at("subject_id").as_string());
    json::object consent{{"scopes", scopes}, {"method", method}};
    if (!get("evidence_ref").empty()) consent["evidence_ref"] = get("evidence_ref");
    auto c = api.Call("af_officer", unit, "POST", "/v1/subjects/" + subject_id + "/consents", json::serialize(consent),
                      key + ":consent");
    if (c.status != 201) {
      reject({CodeOf(c) + ", subject registered without consent", ""});
      continue;
    }
    json::object referral{{"subject_id", subject_id}, {"unit", unit}, {"channel", channel}};
    for (const auto& [f, v] : flags) referral[f] = v;
    if (!get("note").empty()) referral["note"] = get("note");
    auto r = api.Call("af_officer", unit, "POST", "/v1/cases", json::serialize(referral), key + ":case");
    if (r.status != 201) {
      reject({CodeOf(r) + ", consent recorded without a case", ""});
      continue;
    }
    ++report.imported;
    if (report.rows % 100 == 0) std::cerr << "imported " << report.imported << " of " << report.rows << " rows\n";
  }
  return report;
}

}  // namespace casetrail::adapters
