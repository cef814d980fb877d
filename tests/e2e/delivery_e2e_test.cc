// Reminder delivery against bad receivers, on the real binary over loopback: each webhook
// receiver is its own outbox channel (one that fails is retried alone, the others never see a
// repeat), every send has a deadline (--delivery-timeout), and a hanging SMTP relay or receiver
// holds up neither POST /v1/admin/clock nor the jobs. Webhooks go over HTTPS with the receiver's
// certificate checked, and mail through libcurl with STARTTLS whenever the relay offers it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/personal_numbers.h"
#include "tests/support/raw_connection.h"
#include "tests/support/referral_over_http.h"
#include "tests/support/server_process.h"
#include "tests/support/silent_listener.h"
#include "tests/support/smtp_listener.h"
#include "tests/support/tls_client.h"
#include "tests/support/webhook_receiver.h"

namespace casetrail::testing {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;
constexpr const char* kSecret = "webhook-secret-for-tests-0001";

class DeliveryE2ETest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> flags) {
    {
      std::ofstream secret(dir_.Sub("webhook.secret"));
      secret << kSecret << "\n";
    }
    flags.insert(flags.end(), {"--worker-poll-ms", "50"});
    server_ = std::make_unique<ServerProcess>(dir_);
    server_->SetExtraArgs(std::move(flags));
    ASSERT_TRUE(server_->Start());
  }
  std::vector<std::string> Webhook(uint16_t port) {
    return {"--webhook", "http://127.0.0.1:" + std::to_string(port) + "/hook", "--webhook-secret", dir_.Sub("webhook.secret")};
  }
  // Moves the manual clock with a client deadline: a server that never answers fails, not hangs.
  RawResponse SetClock(const std::string& t, int timeout_ms = 10000) {
    const std::string body = json::serialize(json::value{{"set", t}});
    RawConnection c(server_->port());
    c.Send("POST /v1/admin/clock HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TokenOf("ADM-1") +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    return c.ReadResponse(timeout_ms);
  }
  // The delivery record of the one fired reminder, by channel.
  json::object Deliveries() {
    auto r = Http(server_->port(), "GET", "/v1/reminders?status=sent", TokenOf("W-1"));
    const auto& list = r.Json().at("reminders").as_array();
    return list.empty() ? json::object{} : list[0].at("delivery").as_object();
  }
  // Polls the deliveries until `done` holds or `ms` passed.
  bool WaitFor(const std::function<bool(const json::object&)>& done, int ms = 8000) {
    for (int i = 0; i < ms / 50; ++i) {
      if (done(Deliveries())) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  static double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

// Two receivers, the second always failing. Its retries (30 s, 1, 2 min on the manual clock) go
// to it alone: the healthy one gets the reminder once, and never an unflagged repeat.
TEST_F(DeliveryE2ETest, OneFailingReceiverDoesNotMakeTheOthersSeeARepeat) {
  WebhookReceiver healthy(kSecret), failing(kSecret, /*fail_first=*/1000);
  auto flags = Webhook(healthy.port());
  auto second = Webhook(failing.port());
  flags.insert(flags.end(), second.begin(), second.begin() + 2);  // one --webhook-secret serves both
  Start(flags);
  ReferOverHttp(server_->port(), TestNumber(10), "Kanal Testsson");
  for (const char* t : {"2025-02-01T09:00:00+01:00", "2025-02-01T09:00:31+01:00", "2025-02-01T09:01:32+01:00",
                        "2025-02-01T09:03:33+01:00"}) {
    ASSERT_EQ(SetClock(t).status, 200) << t;
  }
  ASSERT_TRUE(WaitFor([](const json::object& d) {
    return d.size() == 2 && d.at("webhook").at("state").as_string() == "delivered";
  })) << json::serialize(Deliveries());
  EXPECT_GE(failing.requests(), 3) << "the failing receiver is retried";
  EXPECT_EQ(healthy.requests(), 1) << "the healthy receiver got the reminder once";
  EXPECT_EQ(healthy.unflagged_repeats(), 0);
  const json::object d = Deliveries();
  for (const auto& [channel, x] : d) {
    if (channel == "webhook") continue;
    EXPECT_EQ(std::string(channel).rfind("webhook-", 0), 0u) << channel;
    EXPECT_EQ(x.at("state").as_string(), "pending");
    EXPECT_GE(x.at("attempts").as_int64(), 3);
  }
  EXPECT_EQ(d.at("webhook").at("attempts").as_int64(), 1);
}

// An SMTP relay that accepts and never answers: the clock moves at once (the reminder fires),
// and moves again while the send hangs; the send fails at --delivery-timeout, so after the
// backoff a second attempt is made.
TEST_F(DeliveryE2ETest, AHangingSmtpRelayTimesOutAndDoesNotHoldTheClock) {
  SilentListener relay;
  Start({"--smtp", "127.0.0.1:" + std::to_string(relay.port()), "--mail-from", "casetrail@af.example", "--mail-to",
         "jarva-syv@vux.example", "--delivery-timeout", "3"});
  ReferOverHttp(server_->port(), TestNumber(11), "Post Testsson");
  const auto fired = Clock::now();
  EXPECT_EQ(SetClock("2025-02-01T09:00:00+01:00", 5000).status, 200);
  EXPECT_LT(Seconds(fired), 2.8) << "the clock waited on the relay";
  auto start = Clock::now();
  EXPECT_EQ(SetClock("2025-02-01T09:00:10+01:00", 5000).status, 200) << "while a send hangs";
  EXPECT_LT(Seconds(start), 2.8);
  EXPECT_EQ(Deliveries().at("email").at("attempts").as_int64(), 1);
  // Past the send deadline the failure is on record; past the backoff (30 s) comes attempt 2.
  std::this_thread::sleep_until(fired + std::chrono::milliseconds(3500));
  ASSERT_EQ(SetClock("2025-02-01T09:00:31+01:00", 5000).status, 200);
  EXPECT_TRUE(WaitFor([](const json::object& d) { return d.at("email").at("attempts").as_int64() >= 2; }))
      << json::serialize(Deliveries());
  EXPECT_GE(relay.accepted(), 2u);
}

// A webhook receiver that accepts and never answers: the POST fails after --delivery-timeout and
// a second attempt follows after the backoff.
TEST_F(DeliveryE2ETest, AHangingWebhookReceiverTimesOut) {
  SilentListener receiver;
  Start([&] {
    auto f = Webhook(receiver.port());
    f.insert(f.end(), {"--delivery-timeout", "1"});
    return f;
  }());
  ReferOverHttp(server_->port(), TestNumber(12), "Krok Testsson");
  ASSERT_EQ(SetClock("2025-02-01T09:00:00+01:00", 5000).status, 200);
  // Only a recorded failure lets the backoff run: after 30 s on the clock comes attempt 2.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_EQ(SetClock("2025-02-01T09:00:31+01:00", 5000).status, 200);
  EXPECT_TRUE(WaitFor([](const json::object& d) {
    return d.contains("webhook") && d.at("webhook").at("attempts").as_int64() >= 2;
  })) << json::serialize(Deliveries());
  EXPECT_GE(receiver.accepted(), 2u);
}

// Issue 17: a webhook over HTTPS is delivered when the receiver's certificate verifies (here
// against --webhook-ca), and is not when it does not (the system's store does not know the test
// certificate): the handshake fails, nothing is posted, the attempt stays pending.
TEST_F(DeliveryE2ETest, WebhooksGoOverHttpsAndTheReceiversCertificateIsChecked) {
  ASSERT_TRUE(MakeTestCertificate(dir_.path()));
  WebhookReceiver trusted(kSecret, 0, 0, dir_.Sub("tls.crt"), dir_.Sub("tls.key"));
  Start({"--webhook", "https://127.0.0.1:" + std::to_string(trusted.port()) + "/hook", "--webhook-secret",
         dir_.Sub("webhook.secret"), "--webhook-ca", dir_.Sub("tls.crt")});
  ReferOverHttp(server_->port(), TestNumber(13), "Säker Testsson");
  ASSERT_EQ(SetClock("2025-02-01T09:00:00+01:00").status, 200);
  ASSERT_TRUE(WaitFor([](const json::object& d) {
    return d.contains("webhook") && d.at("webhook").at("state").as_string() == "delivered";
  })) << json::serialize(Deliveries());
  EXPECT_EQ(trusted.processed().size(), 1u);
  EXPECT_EQ(trusted.bad_signatures(), 0);
  EXPECT_EQ(trusted.failed_handshakes(), 0);
}

TEST_F(DeliveryE2ETest, AWebhookWhoseCertificateDoesNotVerifyGetsNothing) {
  ASSERT_TRUE(MakeTestCertificate(dir_.path()));
  WebhookReceiver untrusted(kSecret, 0, 0, dir_.Sub("tls.crt"), dir_.Sub("tls.key"));
  Start({"--webhook", "https://127.0.0.1:" + std::to_string(untrusted.port()) + "/hook", "--webhook-secret",
         dir_.Sub("webhook.secret")});
  ReferOverHttp(server_->port(), TestNumber(14), "Osäker Testsson");
  ASSERT_EQ(SetClock("2025-02-01T09:00:00+01:00").status, 200);
  ASSERT_TRUE(WaitFor([](const json::object& d) {
    return d.contains("webhook") && d.at("webhook").at("attempts").as_int64() >= 1 &&
           d.at("webhook").at("state").as_string() == "pending";
  })) << json::serialize(Deliveries());
  for (int i = 0; i < 100 && untrusted.failed_handshakes() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_GE(untrusted.failed_handshakes(), 1);
  EXPECT_EQ(untrusted.requests(), 0) << "nothing was posted to a receiver that did not verify";
}

TEST_F(DeliveryE2ETest, APlainHttpWebhookOffThisMachineStopsTheStart) {
  {
    std::ofstream secret(dir_.Sub("webhook.secret"));
    secret << kSecret << "\n";
  }
  ServerProcess server(dir_);
  // 192.0.2.1 (TEST-NET-1): refused at start, before anything could be sent there.
  server.SetExtraArgs({"--webhook", "http://192.0.2.1:8080/hook", "--webhook-secret", dir_.Sub("webhook.secret")});
  EXPECT_FALSE(server.Start());
}

// Mail goes through STARTTLS when the relay offers it (the certificate checked against
// --smtp-ca); with --smtp-require-tls a relay without STARTTLS gets nothing.
TEST_F(DeliveryE2ETest, MailUsesStartTlsWhenTheRelayOffersItAndCanRequireIt) {
  ASSERT_TRUE(MakeTestCertificate(dir_.path()));
  SmtpListener relay(dir_.Sub("tls.crt"), dir_.Sub("tls.key"));
  Start({"--smtp", "127.0.0.1:" + std::to_string(relay.port()), "--mail-from", "casetrail@af.example", "--mail-to",
         "jarva-syv@vux.example", "--smtp-ca", dir_.Sub("tls.crt")});
  ReferOverHttp(server_->port(), TestNumber(15), "Brev Testsson");
  ASSERT_EQ(SetClock("2025-02-01T09:00:00+01:00").status, 200);
  ASSERT_TRUE(WaitFor([](const json::object& d) {
    return d.contains("email") && d.at("email").at("state").as_string() == "delivered";
  })) << json::serialize(Deliveries());
  ASSERT_EQ(relay.messages().size(), 1u);
  EXPECT_TRUE(relay.messages()[0].tls) << "sent after STARTTLS";
  EXPECT_EQ(relay.messages()[0].from, "<casetrail@af.example>");
  EXPECT_THAT(relay.messages()[0].data, ::testing::HasSubstr("Message-ID: <"));
  server_->Stop();

  SmtpListener plain;  // offers no STARTTLS
  TempDir other;
  ServerProcess second(other);
  second.SetExtraArgs({"--smtp", "127.0.0.1:" + std::to_string(plain.port()), "--mail-from", "casetrail@af.example",
                           "--mail-to", "jarva-syv@vux.example", "--smtp-require-tls", "--worker-poll-ms", "50"});
  ASSERT_TRUE(second.Start());
  ReferOverHttp(second.port(), TestNumber(16), "Krav Testsson");
  const std::string body = json::serialize(json::value{{"set", "2025-02-01T09:00:00+01:00"}});
  ASSERT_EQ(Http(second.port(), "POST", "/v1/admin/clock", TokenOf("ADM-1"), body).status, 200);
  bool attempted = false;
  for (int i = 0; i < 160 && !attempted; ++i) {
    auto r = Http(second.port(), "GET", "/v1/reminders?status=sent", TokenOf("W-1"));
    const auto& list = r.Json().at("reminders").as_array();
    attempted = !list.empty() && list[0].at("delivery").as_object().contains("email") &&
                list[0].at("delivery").at("email").at("attempts").as_int64() >= 1;
    if (!attempted) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(attempted);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(plain.messages().empty()) << "mailed without TLS although it was required";
}

}  // namespace
}  // namespace casetrail::testing
