// Rows of a CSV file (RFC 4180), read with Debian's libcsv in strict mode: quoted fields may hold
// commas, doubled quotes and line breaks; CRLF or LF; blank lines are skipped; spaces are kept as
// written. A quote inside an unquoted field, text after a closing quote, or a quoted field left
// open at the end of the file is an error naming the line, never the text.
#pragma once

#include <string>
#include <vector>

#include "storage/base/result.h"

namespace casetrail::adapters {

struct CsvRow {
  int line = 0;  // the line the row starts on (1-based; a quoted line break counts as a line)
  std::vector<std::string> cells;
};

Result<std::vector<CsvRow>> ReadCsvRows(std::string_view text);

}  // namespace casetrail::adapters
