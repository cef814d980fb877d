#include "adapters/cli/csv_rows.h"

#include <csv.h>

#include <algorithm>
#include <memory>

namespace casetrail::adapters {
namespace {

// What libcsv's callbacks build. libcsv reports every line ending of its own (CSV_REPALL_NL), so
// blank lines and CRLF can be counted the way an editor numbers lines.
struct Reader {
  std::vector<CsvRow> rows;
  CsvRow row;
  int line = 1;            // the line the next unread byte is on
  bool after_cr = false;   // the last row ended with CR: a following LF is the same line ending

  static void OnField(void* data, size_t len, void* self_ptr) {
    auto* self = static_cast<Reader*>(self_ptr);
    self->after_cr = false;
    if (self->row.cells.empty()) self->row.line = self->line;
    std::string cell(data ? static_cast<const char*>(data) : "", data ? len : 0);
    self->line += static_cast<int>(std::count(cell.begin(), cell.end(), '\n'));  // quoted breaks
    self->row.cells.push_back(std::move(cell));
  }

  static void OnRowEnd(int terminator, void* self_ptr) {
    auto* self = static_cast<Reader*>(self_ptr);
    const bool lf_of_crlf = terminator == '\n' && self->after_cr && self->row.cells.empty();
    if (!self->row.cells.empty()) self->rows.push_back(std::move(self->row));
    self->row = CsvRow{};
    if ((terminator == '\n' || terminator == '\r') && !lf_of_crlf) ++self->line;
    self->after_cr = terminator == '\r';
  }
};

int KeepSpaces(unsigned char) { return 0; }  // libcsv trims spaces around fields by default

}  // namespace

Result<std::vector<CsvRow>> ReadCsvRows(std::string_view text) {
  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0) return Internal("csv_init failed");
  std::unique_ptr<csv_parser, void (*)(csv_parser*)> guard(&parser, csv_free);
  csv_set_space_func(&parser, KeepSpaces);
  Reader reader;
  const size_t parsed = csv_parse(&parser, text.data(), text.size(), Reader::OnField, Reader::OnRowEnd, &reader);
  int line = 0;
  if (parsed != text.size()) {  // the line of the byte libcsv stopped at
    line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + parsed, '\n'));
  } else if (csv_fini(&parser, Reader::OnField, Reader::OnRowEnd, &reader) != 0) {  // a quote left open
    line = reader.row.cells.empty() ? reader.line : reader.row.line;
  }
  if (line != 0) {
    const char* what = csv_error(&parser) == CSV_EPARSE ? "malformed quoting" : csv_strerror(csv_error(&parser));
    return InvalidArgument("CSV line " + std::to_string(line) + ": " + what +
                           " (a quote inside an unquoted field, text after a closing quote, or a quoted field not closed)");
  }
  return std::move(reader.rows);
}

}  // namespace casetrail::adapters
