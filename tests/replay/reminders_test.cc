// The reminder book over a real log: timers derived from the definitions (armed, re-armed,
// cancelled by a state change or by withdrawing the consent a timer names), fired reminders of a
// case that closes marked for cancellation, and attempts a crash left without an outcome seen as
// unresolved; a book resumed from its checkpoint body equals one folded from the first event.
#include "replay/reminders.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "engine/cooperation_records.h"
#include "tests/support/engine_harness.h"

namespace casetrail::testing {
namespace {

class ReminderBookTest : public ::testing::Test {
 protected:
  // A book folded from the whole log as it stands.
  std::unique_ptr<replay::ReminderBook> Fold() {
    auto book = std::make_unique<replay::ReminderBook>(&h_.registry());
    auto events = h_.log().ReadAll(Position(1), 1000000);
    EXPECT_THAT(events, IsOk());
    for (const auto& e : *events) book->Apply(e);
    return book;
  }
  // kind → status of a case's reminders at `now`.
  std::multimap<std::string, std::string> Of(const replay::ReminderBook& book, const std::string& case_id,
                                             const std::string& now) {
    std::multimap<std::string, std::string> out;
    for (const auto& r : book.List("all", At(now))) {
      if (r.case_id == case_id) out.emplace(r.kind, r.Status(At(now)));
    }
    return out;
  }
  // An outbox or reminder event as the worker writes it (adapters/workers/reminder_worker.cc).
  void Record(const std::string& stream, const std::string& type, Fields facts) {
    ASSERT_THAT(engine::AppendRecordOnce(h_.log(), StreamId(stream), type, Actor{"worker:reminders", "worker", "", "system", ""},
                                         std::move(facts), h_.clock().Now(), ""),
                IsOk());
  }
  std::string StudyingCase(const std::string& subject) {
    const std::string c = h_.Refer(subject)->case_id;
    EXPECT_THAT(h_.Run(c, kSyv, "BookConversation", {{"slot", std::string("2025-09-10T10:00:00+02:00")}}), IsOk());
    EXPECT_THAT(h_.Run(c, kSyv, "RecordConversationHeld", {{"outcome", std::string("plan")}}), IsOk());
    EXPECT_THAT(h_.Run(c, kSyv, "RecordStudiesStarted", {{"start_date", std::string("2025-09-15")}}), IsOk());
    EXPECT_EQ(h_.State(c), "studying");
    return c;
  }

  EngineHarness h_;
};

using ::testing::Pair;
using ::testing::UnorderedElementsAre;

TEST_F(ReminderBookTest, TimersAreArmedReArmedAndCancelledByStateChanges) {
  h_.SetTime("2025-01-13T09:00:00+01:00");
  const std::string s = h_.NewSubject(TestNumber(1));
  h_.Consent(s);
  const std::string c = h_.Refer(s)->case_id;
  auto book = Fold();
  EXPECT_THAT(Of(*book, c, "2025-01-13T10:00:00+01:00"), UnorderedElementsAre(Pair("booking_overdue", "scheduled")));
  auto due = book->Due(At("2025-01-27T09:00:00+01:00"));
  ASSERT_EQ(due.size(), 1u) << "J5: 14 days after the referral";
  EXPECT_EQ(due[0].id, "J5:booking_overdue:" + c + ":1");
  EXPECT_TRUE(book->Due(At("2025-01-27T08:59:59+01:00")).empty());

  ASSERT_THAT(h_.Run(c, kSyv, "BookConversation", {{"slot", std::string("2025-01-22T10:00:00+01:00")}}), IsOk());
  ASSERT_THAT(h_.Run(c, kSyv, "RescheduleConversation", {{"slot", std::string("2025-01-24T10:00:00+01:00")}}), IsOk());
  book = Fold();
  EXPECT_THAT(Of(*book, c, "2025-01-14T09:00:00+01:00"),
              UnorderedElementsAre(Pair("booking_overdue", "cancelled"), Pair("appointment", "cancelled"),
                                   Pair("appointment", "scheduled")))
      << "the reschedule replaced the first appointment reminder";
  due = book->Due(At("2025-01-23T08:00:00+01:00"));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].due_at, At("2025-01-23T08:00:00+01:00")) << "J13: 08:00 the day before the new slot";
}

TEST_F(ReminderBookTest, WithdrawingTheConsentATimerNamesCancelsItAndAGrantRearmsIt) {
  h_.SetTime("2025-09-01T09:00:00+02:00");  // rev2 is in force: J15 names share_study_progress
  const std::string s = h_.NewSubject(TestNumber(2));
  h_.Consent(s);
  const std::string c = StudyingCase(s);
  auto book = Fold();
  EXPECT_THAT(Of(*book, c, "2025-09-02T09:00:00+02:00"),
              UnorderedElementsAre(Pair("booking_overdue", "cancelled"), Pair("appointment", "cancelled"),
                                   Pair("study_start_check", "cancelled"), Pair("feedback_overdue", "scheduled")));
  ASSERT_THAT(h_.service().WithdrawConsent(EngineHarness::As(kOfficerJarva), s, {"share_study_progress"}), IsOk());
  EXPECT_EQ(h_.State(c), "studying") << "only transfer_referral closes the case";
  book = Fold();
  EXPECT_EQ(Of(*book, c, "2025-09-02T09:00:00+02:00").find("feedback_overdue")->second, "cancelled");
  EXPECT_TRUE(book->Due(At("2026-06-01T09:00:00+02:00")).empty()) << "nothing fires while the consent is withdrawn";
  h_.Consent(s, {"share_study_progress"});
  book = Fold();
  auto due = book->Due(At("2026-06-01T09:00:00+02:00"));
  ASSERT_EQ(due.size(), 1u) << "granted again: the same timer is pending again";
  EXPECT_EQ(due[0].kind, "feedback_overdue");
}

TEST_F(ReminderBookTest, UnderRev1TheFeedbackTimerDoesNotDependOnTheProgressConsent) {
  h_.SetTime("2025-02-01T09:00:00+01:00");
  const std::string s = h_.NewSubject(TestNumber(3));
  h_.Consent(s);
  const std::string c = StudyingCase(s);
  ASSERT_THAT(h_.service().WithdrawConsent(EngineHarness::As(kOfficerJarva), s, {"share_study_progress"}), IsOk());
  auto book = Fold();
  EXPECT_EQ(Of(*book, c, "2025-02-02T09:00:00+01:00").find("feedback_overdue")->second, "scheduled");
}

TEST_F(ReminderBookTest, AFiredReminderOfACaseThatClosesIsOwedACancellationAndAnOpenAttemptIsUnresolved) {
  h_.SetTime("2025-01-13T09:00:00+01:00");
  const std::string s = h_.NewSubject(TestNumber(4));
  h_.Consent(s);
  const std::string c = h_.Refer(s)->case_id;
  const std::string id = "J5:booking_overdue:" + c + ":1";
  h_.SetTime("2025-01-27T09:00:00+01:00");
  Record("reminder:" + c, "ReminderFired",
         {{"reminder_id", id}, {"kind", std::string("booking_overdue")}, {"case_id", c},
          {"due_at", std::string("2025-01-27T08:00:00Z")}});
  Record("outbox:webhook:" + id, "DeliveryAttempted",
         {{"reminder_id", id}, {"channel", std::string("webhook")}, {"attempt", int64_t{1}}});
  auto book = Fold();
  auto owed = book->Undelivered("webhook");
  ASSERT_EQ(owed.size(), 1u);
  EXPECT_TRUE(owed[0].deliveries.at("webhook").Unresolved()) << "attempted, no outcome: a crash cut it short";
  EXPECT_FALSE(owed[0].case_closed);

  Record("outbox:webhook:" + id, "DeliveryInDoubt",
         {{"reminder_id", id}, {"channel", std::string("webhook")}, {"attempt", int64_t{1}}});
  book = Fold();
  owed = book->Undelivered("webhook");
  ASSERT_EQ(owed.size(), 1u);
  EXPECT_FALSE(owed[0].deliveries.at("webhook").Unresolved());
  EXPECT_EQ(owed[0].deliveries.at("webhook").in_doubt, 1);

  ASSERT_THAT(h_.Run(c, kOfficerJarva, "RecordCustomerDeclined"), IsOk());
  book = Fold();
  owed = book->Undelivered("webhook");
  ASSERT_EQ(owed.size(), 1u) << "still owed: a cancellation is recorded, not silently dropped";
  EXPECT_TRUE(owed[0].case_closed);
  Record("outbox:webhook:" + id, "DeliveryCancelled",
         {{"reminder_id", id}, {"channel", std::string("webhook")}, {"reason", std::string("case_closed")}});
  book = Fold();
  EXPECT_TRUE(book->Undelivered("webhook").empty());
  EXPECT_EQ(book->List("sent", At("2025-01-28T09:00:00+01:00"))[0].deliveries.at("webhook").State(), "cancelled");
}

// Everything a reader of the book sees at `now`, as text: every reminder with its deliveries,
// what is due, what is owed on the webhook channel, the cases with their units.
std::string Seen(const replay::ReminderBook& book, engine::Timestamp now) {
  std::ostringstream out;
  auto reminder = [&](const replay::Reminder& r) {
    out << r.id << "|" << r.name << "|" << r.kind << "|" << r.case_id << "|" << engine::FormatRfc3339(r.due_at) << "|"
        << r.Status(now) << "|" << engine::FormatRfc3339(r.sent_at) << "|" << r.case_closed;
    for (const auto& [channel, d] : r.deliveries) {
      out << "|" << channel << ":" << d.attempts << "/" << d.outcomes << "/" << d.in_doubt << "/" << d.State();
    }
    out << "\n";
  };
  for (const auto& r : book.List("all", now)) reminder(r);
  out << "due:\n";
  for (const auto& r : book.Due(now)) reminder(r);
  out << "owed:\n";
  for (const auto& r : book.Undelivered("webhook")) reminder(r);
  for (const auto& [c, unit] : book.Cases()) out << c << "@" << unit << "\n";
  if (auto t = book.EarliestReferral()) out << engine::FormatRfc3339(*t);
  return out.str();
}

TEST_F(ReminderBookTest, ABookResumedFromItsCheckpointEqualsOneFoldedFromTheFirstEvent) {
  h_.SetTime("2025-09-01T09:00:00+02:00");
  std::vector<std::string> subjects;
  for (int i = 0; i < 5; ++i) {
    subjects.push_back(h_.NewSubject(TestNumber(10 + i)));
    h_.Consent(subjects.back());
  }
  const std::string studying = StudyingCase(subjects[0]);
  const std::string referred = h_.Refer(subjects[1])->case_id;
  const std::string id = "J5:booking_overdue:" + referred + ":1";
  h_.SetTime("2025-09-16T09:00:00+02:00");
  Record("reminder:" + referred, "ReminderFired",
         {{"reminder_id", id}, {"kind", std::string("booking_overdue")}, {"case_id", referred},
          {"due_at", std::string("2025-09-15T07:00:00Z")}});
  Record("outbox:webhook:" + id, "DeliveryAttempted", {{"reminder_id", id}, {"channel", std::string("webhook")}, {"attempt", int64_t{1}}});
  ASSERT_THAT(h_.service().WithdrawConsent(EngineHarness::As(kOfficerJarva), subjects[0], {"share_study_progress"}), IsOk());
  const std::string quiet = h_.Refer(subjects[4])->case_id;  // nothing happens to it after the checkpoint
  const Position checkpoint_at = h_.log().GetHead().position;
  auto at_checkpoint = Fold();
  replay::FoldedTo folded;
  const std::string body = at_checkpoint->EncodeState(&folded);
  EXPECT_EQ(folded.position, checkpoint_at);

  // After the checkpoint: a grant again, a booking, a failed delivery, a new case, a close.
  h_.Consent(subjects[0], {"share_study_progress"});
  ASSERT_THAT(h_.Run(referred, kSyv, "BookConversation", {{"slot", std::string("2025-09-20T10:00:00+02:00")}}), IsOk());
  Record("outbox:webhook:" + id, "DeliveryFailed", {{"reminder_id", id}, {"channel", std::string("webhook")}, {"attempt", int64_t{1}}});
  const std::string late = h_.Refer(subjects[2])->case_id;
  ASSERT_THAT(h_.Run(h_.Refer(subjects[3])->case_id, kSyv, "BookConversation", {{"slot", std::string("2025-09-25T10:00:00+02:00")}}), IsOk());
  ASSERT_THAT(h_.Run(late, kOfficerJarva, "RecordCustomerDeclined"), IsOk());

  replay::ReminderBook resumed(&h_.registry());
  ASSERT_TRUE(resumed.DecodeState(body, folded));
  EXPECT_EQ(resumed.position(), checkpoint_at);
  auto rest = h_.log().ReadAll(Position(checkpoint_at.value() + 1), 1000000);
  ASSERT_THAT(rest, IsOk());
  ASSERT_FALSE(rest->empty());
  for (const auto& e : *rest) resumed.Apply(e);
  auto folded_whole = Fold();
  for (const char* now : {"2025-09-16T09:00:00+02:00", "2025-09-19T09:00:00+02:00", "2026-06-01T09:00:00+02:00"}) {
    EXPECT_EQ(Seen(resumed, At(now)), Seen(*folded_whole, At(now))) << now;
  }
  EXPECT_NE(Seen(resumed, At("2026-06-01T09:00:00+02:00")).find("feedback_overdue"), std::string::npos);
  const auto due = resumed.Due(At("2026-06-01T09:00:00+02:00"));
  EXPECT_TRUE(std::any_of(due.begin(), due.end(), [&](const auto& r) { return r.case_id == quiet; }))
      << "a timer armed before the checkpoint is armed after it";
  replay::FoldedTo a, b;
  EXPECT_EQ(resumed.EncodeState(&a), folded_whole->EncodeState(&b)) << "the same book, byte for byte";
  EXPECT_FALSE(resumed.DecodeState("not a body", folded)) << "a body that does not decode is refused";
  EXPECT_EQ(Seen(resumed, At("2025-09-19T09:00:00+02:00")), Seen(*folded_whole, At("2025-09-19T09:00:00+02:00")))
      << "and changes nothing";
}

}  // namespace
}  // namespace casetrail::testing
