// The CSV importer on a real data directory, in-process: a row whose text is not UTF-8 is refused
// in the row check, by line and column and without its values, and writes nothing (fuzzing,
// "Hardening": it used to fail mid-row, leaving a subject without consent or a consent without a
// case).
#include "adapters/cli/csv_import.h"
#include "adapters/cli/csv_rows.h"
#include "adapters/cli/offline_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "storage/base/status_matchers.h"
#include "storage/key_file.h"
#include "tests/support/personal_numbers.h"
#include "tests/support/temp_dir.h"

namespace casetrail::testing {
namespace {

constexpr const char* kHeader =
    "personal_number,name,gender,phone,email,unit,channel,long_term_unemployed,lacks_upper_secondary,"
    "resident_stockholm,rom_participant,need_assessed,consent_scopes,consent_method,evidence_ref,note\n";

// A row that passes every check, with the given name, evidence and note.
std::string Row(const std::string& number, const std::string& name, const std::string& evidence,
                const std::string& note) {
  return number + "," + name + ",female,,,jarva,space,true,true,true,false,true,,signed_form," + evidence + "," + note +
         "\n";
}

class CsvImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.Sub("data"));
    ASSERT_THAT(storage::WriteNewKeyFile(dir_.Sub("master.key")), IsOk());
    flags_.data = dir_.Sub("data");
    flags_.master_key = dir_.Sub("master.key");
    auto api = adapters::OfflineApi::Open(flags_);
    ASSERT_THAT(api, IsOk());
    api_ = std::move(api).value();
  }

  // Imports `csv` as a file; the importer's stderr goes to `err`.
  Result<adapters::ImportReport> ImportRaw(const std::string& csv, std::string* err) {
    {
      std::ofstream out(dir_.Sub("referrals.csv"), std::ios::binary);
      out << csv;
    }
    std::ostringstream captured;
    auto* old = std::cerr.rdbuf(captured.rdbuf());
    auto r = adapters::ImportReferralsCsv(*api_, dir_.Sub("referrals.csv"));
    std::cerr.rdbuf(old);
    *err = captured.str();
    return r;
  }

  // Imports `csv`; returns what the importer wrote on stderr.
  std::string Import(const std::string& csv, adapters::ImportReport* report) {
    std::string err;
    auto r = ImportRaw(csv, &err);
    EXPECT_THAT(r, IsOk());
    if (r.ok()) *report = *r;
    return err;
  }

  TempDir dir_;
  adapters::DataDirFlags flags_;
  std::unique_ptr<adapters::OfflineApi> api_;
};

TEST_F(CsvImportTest, ARowWithInvalidUtf8IsReportedByLineAndWritesNothing) {
  const std::string bad_note = TestNumber(1), bad_evidence = TestNumber(2), bad_name = TestNumber(3);
  const std::string truncated = TestNumber(4), overlong = TestNumber(5), surrogate = TestNumber(6);
  const std::string csv = std::string(kHeader) + Row(bad_note, "Anna Note", "F-1", "bra \xff vecka") +
                          Row(bad_evidence, "Bo Bevis", "F-\xc3", "") + Row(bad_name, "Ce\x80 Namn", "F-3", "") +
                          Row(truncated, "Dan Kort", "F-4", "slut \xe2\x82") +
                          Row(overlong, "Eva Lang", "F-5", "\xc0\xaf") +
                          Row(surrogate, "Fia Halv", "F-6", "\xed\xa0\x80");
  const Position before = api_->log().GetHead().position;
  adapters::ImportReport report;
  const std::string err = Import(csv, &report);
  EXPECT_EQ(report.rows, 6);
  EXPECT_EQ(report.imported, 0);
  EXPECT_EQ(report.rejected, 6);
  EXPECT_THAT(err, ::testing::HasSubstr("line 2: invalid_utf8 (note)"));
  EXPECT_THAT(err, ::testing::HasSubstr("line 3: invalid_utf8 (evidence_ref)"));
  EXPECT_THAT(err, ::testing::HasSubstr("line 4: invalid_utf8 (name)"));
  EXPECT_THAT(err, ::testing::HasSubstr("line 5: invalid_utf8 (note)"));
  EXPECT_THAT(err, ::testing::HasSubstr("line 6: invalid_utf8 (note)"));
  EXPECT_THAT(err, ::testing::HasSubstr("line 7: invalid_utf8 (note)"));
  for (const std::string& value : {bad_note.substr(0, 8), std::string("Anna"), std::string("bra"), std::string("F-")}) {
    EXPECT_EQ(err.find(value), std::string::npos) << "errors never repeat values: " << err;
  }
  EXPECT_EQ(api_->log().GetHead().position, before) << "a bad row writes nothing";
  for (const std::string& number : {bad_note, bad_evidence, bad_name, truncated, overlong, surrogate}) {
    auto found = api_->engine().service->LookupSubject(number);
    ASSERT_THAT(found, IsOk());
    EXPECT_FALSE(found->has_value()) << "no subject registered";
  }
}

TEST_F(CsvImportTest, ValidUtf8IsImported) {
  const std::string csv = std::string(kHeader) + Row(TestNumber(11), "Åsa Öberg", "F-€", "vill läsa 🎓") +
                          Row(TestNumber(12), "\"Komma, Citat\"", "", "\"två\nrader\"");
  adapters::ImportReport report;
  const std::string err = Import(csv, &report);
  EXPECT_EQ(report.rows, 2);
  EXPECT_EQ(report.imported, 2) << err;
  EXPECT_EQ(report.rejected, 0) << err;
}

// "Hardening": the hand-written reader took an unterminated quote as a field running to the end of
// the file, so the rows after it vanished into a note. libcsv in strict mode refuses the file by
// line, before anything is written.
TEST_F(CsvImportTest, MalformedQuotingRefusesTheWholeFileByLineAndWritesNothing) {
  const std::string good = TestNumber(21), open_quote = TestNumber(22), stray = TestNumber(23);
  const Position before = api_->log().GetHead().position;
  struct Case {
    std::string csv;
    std::string line;
  };
  for (const Case& c : {Case{std::string(kHeader) + Row(good, "Gun Bra", "F-1", "") + Row(open_quote, "Ola Open", "", "\"hej"), "line 3"},
                        Case{std::string(kHeader) + Row(good, "Gun Bra", "F-1", "") + Row(stray, "Ann\"a Citat", "", ""), "line 3"},
                        Case{std::string(kHeader) + Row(stray, "\"Per\"son", "", ""), "line 2"}}) {
    std::string err;
    auto r = ImportRaw(c.csv, &err);
    ASSERT_THAT(r, StatusIs(StatusCode::kInvalidArgument));
    EXPECT_THAT(r.status().message(), ::testing::HasSubstr(c.line)) << r.status().message();
    for (const std::string& value : {good.substr(0, 8), open_quote.substr(0, 8), std::string("hej"), std::string("Ann")}) {
      EXPECT_EQ(std::string(r.status().message()).find(value), std::string::npos) << "errors never repeat values";
    }
    EXPECT_EQ(api_->log().GetHead().position, before) << "a malformed file writes nothing, its good rows neither";
  }
}

TEST(CsvRowsTest, LinesCountCrlfBlankLinesAndQuotedBreaksAndSpacesAreKept) {
  auto rows = adapters::ReadCsvRows("a, b \r\n\r\n\"x\r\ny\",\"q\"\"z\"\nlast");
  ASSERT_THAT(rows, IsOk());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].line, 1);
  EXPECT_THAT((*rows)[0].cells, ::testing::ElementsAre("a", " b "));
  EXPECT_EQ((*rows)[1].line, 3);
  EXPECT_THAT((*rows)[1].cells, ::testing::ElementsAre("x\r\ny", "q\"z"));
  EXPECT_EQ((*rows)[2].line, 5);
  EXPECT_THAT((*rows)[2].cells, ::testing::ElementsAre("last"));
  EXPECT_THAT(adapters::ReadCsvRows("a,\"open\n\nstill open"), StatusIs(StatusCode::kInvalidArgument));
  auto open = adapters::ReadCsvRows("h\nok\n\"open\nmore");
  ASSERT_FALSE(open.ok());
  EXPECT_THAT(open.status().message(), ::testing::HasSubstr("line 3")) << "the line the open field starts on";
}

}  // namespace
}  // namespace casetrail::testing
