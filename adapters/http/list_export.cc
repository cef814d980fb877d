#include "adapters/http/list_export.h"

#include <sodium.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "storage/base/hex.h"

namespace casetrail::adapters {

std::string ListCsv(const replay::FollowUpList& l) {
  std::ostringstream out;
  const bool monthly = l.kind == "monthly";
  out << "list_id,case_id,state,referred_at" << (monthly ? ",carried_over" : "") << "\r\n";
  for (const auto& c : l.cases) {
    out << l.list_id << ',' << c.case_id << ',' << c.state << ',' << c.referred_at;
    if (monthly) out << ',' << (c.carried_over ? "true" : "false");
    out << "\r\n";
  }
  return out.str();
}

Result<std::string> ListXlsx(const replay::FollowUpList& l) {
  // libxlsxwriter writes to a file: a private temporary one, named by random bytes only.
  uint8_t rnd[8];
  randombytes_buf(rnd, sizeof(rnd));
  const auto path = std::filesystem::temp_directory_path() /
                    ("casetrail-" + ToHex(std::string_view(reinterpret_cast<const char*>(rnd), sizeof(rnd))) + ".xlsx");
  lxw_workbook* wb = workbook_new(path.c_str());
  if (!wb) return Unavailable("cannot create the XLSX export");
  lxw_worksheet* ws = workbook_add_worksheet(wb, l.kind == "monthly" ? "Monthly list" : "Progression list");
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  int row = 0;
  worksheet_write_string(ws, row, 0, "List", bold);
  worksheet_write_string(ws, row++, 1, l.list_id.c_str(), nullptr);
  worksheet_write_string(ws, row, 0, "Generated", bold);
  worksheet_write_string(ws, row++, 1, engine::FormatRfc3339(l.generated_at).c_str(), nullptr);
  worksheet_write_string(ws, row, 0, "Content hash", bold);
  worksheet_write_string(ws, row++, 1, l.content_hash.c_str(), nullptr);
  ++row;
  const bool monthly = l.kind == "monthly";
  const char* headers[] = {"case_id", "state", "referred_at", "carried_over"};
  for (int c = 0; c < (monthly ? 4 : 3); ++c) worksheet_write_string(ws, row, c, headers[c], bold);
  ++row;
  for (const auto& e : l.cases) {
    worksheet_write_string(ws, row, 0, e.case_id.c_str(), nullptr);
    worksheet_write_string(ws, row, 1, e.state.c_str(), nullptr);
    worksheet_write_string(ws, row, 2, e.referred_at.c_str(), nullptr);
    if (monthly) worksheet_write_boolean(ws, row, 3, e.carried_over, nullptr);
    ++row;
  }
  worksheet_set_column(ws, 0, 0, 22, nullptr);
  worksheet_set_column(ws, 1, 2, 28, nullptr);
  const lxw_error err = workbook_close(wb);
  std::string bytes;
  if (err == LXW_NO_ERROR) {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (err != LXW_NO_ERROR || bytes.empty()) return Unavailable("cannot write the XLSX export");
  return bytes;
}

}  // namespace casetrail::adapters
