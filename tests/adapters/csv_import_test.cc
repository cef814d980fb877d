// The CSV importer on a real data directory, in-process: a row whose text is not UTF-8 is refused
// in the row check, by line and column and without its values, and writes nothing (fuzzing,
// "Hardening": it used to fail mid-row, leaving a subject without consent or a consent without a
// case).
#include "adapters/cli/csv_import.h"
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

  // Imports `csv`; returns what the importer wrote on stderr.
  std::string Import(const std::string& csv, adapters::ImportReport* report) {
    {
      std::ofstream out(dir_.Sub("referrals.csv"), std::ios::binary);
      out << csv;
    }
    std::ostringstream err;
    auto* old = std::cerr.rdbuf(err.rdbuf());
    auto r = adapters::ImportReferralsCsv(*api_, dir_.Sub("referrals.csv"));
    std::cerr.rdbuf(old);
    EXPECT_THAT(r, IsOk());
    if (r.ok()) *report = *r;
    return err.str();
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

}  // namespace
}  // namespace casetrail::testing
