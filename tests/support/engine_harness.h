// An engine over a real RocksDB log and key store in a temporary directory, with a fake clock,
// the study-referral revisions and actors from the DOMAIN §7 fixture.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/case_service.h"
#include "storage/base/status_matchers.h"
#include "storage/rocksdb_log.h"
#include "tests/support/personal_numbers.h"
#include "tests/support/temp_dir.h"
#include "workflows/study_referral.h"

namespace casetrail::testing {

using engine::Actor;
using engine::Fields;
using engine::Value;

inline engine::Timestamp At(const std::string& rfc3339) {
  auto t = engine::ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.ok()) << rfc3339;
  return *t;
}

inline const Actor kOfficerJarva{"A-J1", "af_officer", "jarva", "bankid", ""};
inline const Actor kContactJarva{"A-J2", "af_officer", "jarva", "bankid", ""};
inline const Actor kOfficerGloben{"A-G1", "af_officer", "globen", "bankid", ""};
inline const Actor kSyv{"V-1", "syv", "", "service_card", ""};
inline const Actor kVuxContact{"V-2", "syv", "", "service_card", ""};
inline const Actor kCompliance{"C-1", "compliance", "", "bankid", ""};
inline const Actor kStrategic{"G-1", "strategic", "", "bankid", ""};
inline const Actor kAdmin{"ADM-1", "admin", "", "bankid", ""};

class EngineHarness {
 public:
  explicit EngineHarness(bool reopen_safe = true) : clock_(At("2025-01-13T09:00:00+01:00")) {
    (void)reopen_safe;
    storage::LogOptions o;
    o.path = dir_.Sub("log");
    auto log = storage::OpenRocksLog(o);
    EXPECT_THAT(log, IsOk());
    log_ = std::move(log).value();
    auto keys = storage::OpenKeyStore(dir_.Sub("keys"));
    EXPECT_THAT(keys, IsOk());
    key_store_ = std::move(keys).value();
    master_.bytes.fill(7);
    subject_keys_ = std::make_unique<engine::SubjectKeys>(key_store_.get(), master_);
    EXPECT_THAT(workflows::RegisterStudyReferral(&registry_), IsOk());
    service_ = std::make_unique<engine::CaseService>(log_.get(), subject_keys_.get(), &registry_,
                                                     &workflows::StudyReferralGuards(), &clock_, workflows::kStudyReferral);
  }

  engine::CaseService& service() { return *service_; }
  engine::FakeClock& clock() { return clock_; }
  storage::Log& log() { return *log_; }
  engine::SubjectKeys& keys() { return *subject_keys_; }
  const engine::DefinitionRegistry& registry() { return registry_; }
  const TempDir& dir() { return dir_; }

  static engine::RequestContext As(const Actor& a) { return {a, "public_task", "", ""}; }

  void SetTime(const std::string& t) { clock_.Set(At(t)); }

  std::string NewSubject(const std::string& pnr = "19121212-1212", const std::string& name = "Tolvan Tolvansson",
                         const std::string& gender = "female") {
    engine::SubjectInput in{pnr, name, gender, "+46701234567", "tolvan@example.test"};
    auto r = service_->RegisterSubject(As(kOfficerJarva), in);
    EXPECT_THAT(r, IsOk());
    return r.ok() ? r->subject_id : "";
  }

  void Consent(const std::string& subject,
               std::vector<std::string> scopes = {"transfer_referral", "share_guidance", "share_study_progress"}) {
    EXPECT_THAT(service_->GrantConsent(As(kOfficerJarva), subject, scopes, "signed_form", "form-2025-001"), IsOk());
  }

  static Fields ReferralFields(const std::string& unit = "jarva", bool rom = true) {
    return {{"unit", unit},
            {"channel", std::string("space")},
            {"long_term_unemployed", true},
            {"lacks_upper_secondary", true},
            {"resident_stockholm", true},
            {"rom_participant", rom},
            {"need_assessed", true}};
  }

  Result<engine::CommandResult> Refer(const std::string& subject, const Actor& by = kOfficerJarva,
                                      Fields fields = ReferralFields()) {
    return service_->OpenCase(As(by), subject, fields);
  }

  Result<engine::CommandResult> Run(const std::string& case_id, const Actor& by, const std::string& command,
                                    Fields fields = {}, std::optional<std::string> effective = std::nullopt) {
    engine::Command c{command, std::move(fields), std::nullopt};
    if (effective) c.effective_at = At(*effective);
    return service_->Execute(As(by), case_id, c, std::nullopt);
  }

  std::string State(const std::string& case_id) {
    auto s = service_->LoadCase(case_id);
    return s.ok() ? s->state : "<error>";
  }

  // Every stored event of a stream, by type.
  std::vector<std::string> Types(const StreamId& stream) {
    std::vector<std::string> out;
    auto r = log_->ReadStream(stream, StreamVersion(1), storage::Direction::kForward, 100000);
    if (r.ok()) {
      for (auto& e : *r) out.push_back(e.type);
    }
    return out;
  }

 private:
  TempDir dir_;
  engine::FakeClock clock_;
  std::unique_ptr<storage::Log> log_;
  std::unique_ptr<storage::KeyStore> key_store_;
  engine::MasterKey master_{};
  std::unique_ptr<engine::SubjectKeys> subject_keys_;
  engine::DefinitionRegistry registry_;
  std::unique_ptr<engine::CaseService> service_;
};

}  // namespace casetrail::testing
