// Erasure by crypto-shredding (GDPR Art. 17): after an erasure and a close, no file under the
// data directory holds the subject's key or any of their personal values, while other subjects
// stay readable, replay and Verify() keep working; and a restore from a backup taken before the
// erasure is erased again from the ledger.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "engine/case_service.h"
#include "storage/backup.h"
#include "storage/base/status_matchers.h"
#include "storage/rocksdb_log.h"
#include "tests/support/engine_harness.h"
#include "tests/support/files.h"
#include "tests/support/temp_dir.h"
#include "workflows/study_referral.h"

namespace casetrail::testing {
namespace {

struct Person {
  std::string number, name, phone, email, note, evidence;
};

// The spellings of a personal number a careless store might keep.
std::vector<std::string> Spellings(const std::string& pnr) {
  std::string digits;
  for (char ch : pnr) {
    if (std::isdigit(static_cast<unsigned char>(ch))) digits += ch;
  }
  return {pnr, digits, digits.substr(2), digits.substr(2, 6) + "-" + digits.substr(8)};
}

// The stores of one data directory, opened and closed as a server would.
class DataDir {
 public:
  explicit DataDir(std::string path) : path_(std::move(path)), clock_(At("2025-01-13T09:00:00+01:00")) {
    master_.bytes.fill(9);
    EXPECT_THAT(workflows::RegisterStudyReferral(&registry_), IsOk());
  }

  void Open() {
    storage::LogOptions o;
    o.path = path_ + "/log";
    auto log = storage::OpenRocksLog(o);
    ASSERT_THAT(log, IsOk());
    log_ = std::move(log).value();
    auto keys = storage::OpenKeyStore(path_ + "/keys");
    ASSERT_THAT(keys, IsOk());
    key_store_ = std::move(keys).value();
    keys_ = std::make_unique<engine::SubjectKeys>(key_store_.get(), master_);
    ledger_ = std::make_unique<storage::ErasureLedger>(path_ + "/erasure-ledger");
    service_ = std::make_unique<engine::CaseService>(log_.get(), keys_.get(), &registry_,
                                                     &workflows::StudyReferralGuards(), &clock_, workflows::kStudyReferral);
    service_->SetErasureLedger(ledger_.get());
  }
  void Close() {
    service_.reset();
    keys_.reset();
    key_store_.reset();
    log_.reset();
  }

  engine::CaseService& service() { return *service_; }
  engine::SubjectKeys& keys() { return *keys_; }
  storage::Log& log() { return *log_; }
  storage::KeyStore& key_store() { return *key_store_; }

  // A subject with consent and a case carrying notes; returns {subject, case}.
  std::pair<std::string, std::string> Enrol(const Person& p) {
    auto ctx = EngineHarness::As(kOfficerJarva);
    auto s = service_->RegisterSubject(ctx, {p.number, p.name, "female", p.phone, p.email});
    EXPECT_THAT(s, IsOk());
    EXPECT_THAT(service_->GrantConsent(ctx, s->subject_id, {"transfer_referral", "share_guidance", "share_study_progress"},
                                       "signed_form", p.evidence),
                IsOk());
    engine::Fields referral = EngineHarness::ReferralFields();
    referral["note"] = p.note;
    auto c = service_->OpenCase(ctx, s->subject_id, referral);
    EXPECT_THAT(c, IsOk());
    auto syv = EngineHarness::As(kSyv);
    EXPECT_THAT(service_->Execute(syv, c->case_id, {"BookConversation", {{"slot", std::string("2025-01-20T10:00:00+01:00")}}, std::nullopt}, std::nullopt), IsOk());
    clock_.Set(At("2025-01-20T11:00:00+01:00"));
    EXPECT_THAT(service_->Execute(syv, c->case_id, {"RecordConversationHeld", {{"outcome", std::string("no_plan")}, {"note", p.note + " (samtal)"}}, std::nullopt}, std::nullopt), IsOk());
    clock_.Set(At("2025-01-13T09:00:00+01:00"));
    return {s->subject_id, c->case_id};
  }

  // The subject's registered personal data, opened through the engine's keys.
  Result<engine::Fields> Personal(const std::string& subject) {
    CT_ASSIGN_OR_RETURN(auto records, log_->ReadStream(engine::SubjectStream(subject), StreamVersion(1),
                                                       storage::Direction::kForward, 10));
    CT_ASSIGN_OR_RETURN(engine::Event e, engine::DecodeEvent(records.at(0).type, records.at(0).data));
    return keys_->Open(subject, e.sealed);
  }

 private:
  std::string path_;
  engine::FakeClock clock_;
  engine::MasterKey master_{};
  engine::DefinitionRegistry registry_;
  std::unique_ptr<storage::Log> log_;
  std::unique_ptr<storage::KeyStore> key_store_;
  std::unique_ptr<engine::SubjectKeys> keys_;
  std::unique_ptr<storage::ErasureLedger> ledger_;
  std::unique_ptr<engine::CaseService> service_;
};

const Person kKept{TestNumber(101), "Kerstin Behållsdotter", "+46701112233", "kerstin.behall@example.test",
                   "Kerstin vill läsa svenska 3 på kvällstid", "blankett-KB-7781"};
const Person kErased{TestNumber(202), "Ebba Raderasdotter", "+46709998877", "ebba.raderas@example.test",
                     "Ebba vill bli undersköterska i Skarpnäck", "blankett-ER-4410"};

engine::RequestContext Compliance() { return EngineHarness::As(kCompliance); }

TEST(ErasureTest, NoFileUnderTheDataDirectoryHoldsTheErasedSubject) {
  TempDir dir;
  DataDir data(dir.path());
  data.Open();
  auto [kept, kept_case] = data.Enrol(kKept);
  auto [gone, gone_case] = data.Enrol(kErased);
  auto kept_key = data.keys().TEST_WrappedKey(kept);
  auto gone_key = data.keys().TEST_WrappedKey(gone);
  ASSERT_THAT(kept_key, IsOk());
  ASSERT_THAT(gone_key, IsOk());

  auto erased = data.service().EraseSubject(Compliance(), gone, "art17_1a", "dnr-2025-0117");
  ASSERT_THAT(erased, IsOk());
  EXPECT_THAT(erased->cases, ::testing::ElementsAre(gone_case));
  // The erased subject: personal data gone, the case closed `erased`, replay works.
  EXPECT_THAT(data.Personal(gone), StatusIs(StatusCode::kNotFound));
  auto closed = data.service().LoadCase(gone_case, std::nullopt, /*use_snapshots=*/false);
  ASSERT_THAT(closed, IsOk());
  EXPECT_EQ(closed->state, "closed");
  EXPECT_EQ(closed->closed_reason.value_or(""), "erased");
  auto found = data.service().LookupSubject(kErased.number);
  ASSERT_THAT(found, IsOk());
  EXPECT_FALSE(found->has_value()) << "the index entry is gone";
  // A second erasure, and any command needing the subject, answer `erased`.
  EXPECT_THAT(data.service().EraseSubject(Compliance(), gone, "art17_1a", "dnr-2025-0117"),
              StatusIs(StatusCode::kFailedPrecondition));
  data.Close();

  // Every byte of every file: WAL, SST, MANIFEST, OPTIONS, LOG, the ledger.
  for (const std::string& value : {kErased.name, kErased.phone, kErased.email, kErased.note, kErased.evidence}) {
    EXPECT_EQ(FindBytesUnder(dir.path(), value), "") << "an erased value is still on disk";
  }
  for (const auto& spelling : Spellings(kErased.number)) {
    EXPECT_EQ(FindBytesUnder(dir.path(), spelling), "") << "the erased personal number is still on disk";
  }
  EXPECT_EQ(FindBytesUnder(dir.path(), *gone_key), "") << "the erased subject's wrapped key is still on disk";
  // The same search finds what must still be there: it is not blind.
  EXPECT_NE(FindBytesUnder(dir.path(), *kept_key), "");
  EXPECT_NE(FindBytesUnder(dir.path(), gone_case), "") << "the erased subject's case ids remain in the chain";

  // Reopened: the other subject is readable, the chain verifies, the erasure is on record.
  data.Open();
  auto personal = data.Personal(kept);
  ASSERT_THAT(personal, IsOk());
  EXPECT_EQ(*engine::AsText(*personal, "name"), kKept.name);
  EXPECT_EQ(*engine::AsText(*personal, "email"), kKept.email);
  auto lookup = data.service().LookupSubject(kKept.number);
  ASSERT_THAT(lookup, IsOk());
  EXPECT_EQ(lookup->value_or(""), kept);
  auto report = data.log().Verify(nullptr);
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->ok);
  auto subject = data.service().LoadSubject(gone);
  ASSERT_THAT(subject, IsOk());
  EXPECT_TRUE(subject->erased);
  EXPECT_EQ(data.service().LoadCase(kept_case)->state, "unplanned");
}

TEST(ErasureTest, OnlyComplianceErasesAndALegalBasisIsRequired) {
  TempDir dir;
  DataDir data(dir.path());
  data.Open();
  auto [gone, gone_case] = data.Enrol(kErased);
  EXPECT_THAT(data.service().EraseSubject(EngineHarness::As(kOfficerJarva), gone, "art17_1a", "dnr-1"),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(data.service().EraseSubject(Compliance(), gone, "", "dnr-1"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(data.service().EraseSubject(Compliance(), gone, "art17_1a", ""), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(data.service().EraseSubject(Compliance(), "S-000000000000", "art17_1a", "dnr-1"),
              StatusIs(StatusCode::kNotFound));
  // Nothing was erased by the refusals.
  EXPECT_THAT(data.Personal(gone), IsOk());
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("erasure-ledger")));
}

TEST(ErasureTest, RestoreFromABackupTakenBeforeTheErasureStaysErased) {
  TempDir dir;
  const std::string live = dir.Sub("live");
  std::filesystem::create_directories(live);
  DataDir data(live);
  data.Open();
  auto [kept, kept_case] = data.Enrol(kKept);
  auto [gone, gone_case] = data.Enrol(kErased);
  auto gone_key = data.keys().TEST_WrappedKey(gone);
  ASSERT_THAT(gone_key, IsOk());
  ASSERT_THAT(storage::CreateBackup(data.log(), data.key_store(), dir.Sub("backup")), IsOk());
  ASSERT_THAT(data.service().EraseSubject(Compliance(), gone, "art17_1a", "dnr-2025-0117"), IsOk());
  data.Close();

  // Disaster: the stores are lost; the ledger, kept outside every backup, survives.
  std::filesystem::remove_all(live + "/log");
  std::filesystem::remove_all(live + "/keys");
  auto restored = storage::RestoreBackup(dir.Sub("backup"), live, storage::LogOptions().signing_seed);
  ASSERT_THAT(restored, IsOk());
  data.Open();
  // The backup brought the key back: without the ledger the subject would be readable again.
  ASSERT_TRUE(data.keys().HasKey(gone));
  ASSERT_THAT(data.Personal(gone), IsOk());
  auto reapplied = data.service().ReapplyErasures();
  ASSERT_THAT(reapplied, IsOk());
  EXPECT_EQ(*reapplied, 1);
  EXPECT_FALSE(data.keys().HasKey(gone));
  EXPECT_THAT(data.Personal(gone), StatusIs(StatusCode::kNotFound));
  auto subject = data.service().LoadSubject(gone);
  ASSERT_THAT(subject, IsOk());
  EXPECT_TRUE(subject->erased) << "the restored log gets the erasure it lacked";
  EXPECT_EQ(data.service().LoadCase(gone_case)->closed_reason.value_or(""), "erased");
  EXPECT_THAT(data.Personal(kept), IsOk());
  // Re-applying again is a no-op.
  EXPECT_EQ(*data.service().ReapplyErasures(), 0);
  data.Close();
  EXPECT_EQ(FindBytesUnder(live, *gone_key), "") << "the restored key was purged again";
  EXPECT_EQ(FindBytesUnder(live, kErased.name), "");
}

}  // namespace
}  // namespace casetrail::testing
