// Issue 17, TLS over the real server: with --tls-cert/--tls-key it speaks TLS 1.2 and 1.3 only
// (a client offering TLS 1.1, or plain HTTP, is closed), every answer carries
// Strict-Transport-Security, and a non-loopback --listen address without TLS stops the start
// unless --behind-tls-proxy says a proxy terminates TLS.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/cli_runner.h"
#include "tests/support/server_process.h"
#include "tests/support/tls_client.h"

namespace casetrail::testing {
namespace {

using ::testing::HasSubstr;

class TlsE2ETest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(MakeTestCertificate(dir_.path())); }
  std::vector<std::string> TlsArgs() { return {"--tls-cert", dir_.Sub("tls.crt"), "--tls-key", dir_.Sub("tls.key")}; }
  // `serve` with `args` that must stop by itself (a server that starts instead is ended by
  // `timeout`, exit 124).
  CliResult ServeMustStop(const std::string& args) {
    return Cli(dir_, "serve --data " + server_.data_dir() + " --users " + dir_.Sub("users.json") + " --master-key " +
                         dir_.Sub("master.key") + " " + args,
               15);
  }

  TempDir dir_;
  ServerProcess server_{dir_};
};

TEST_F(TlsE2ETest, ServesTls12And13WithHstsAndRefusesTls11AndPlainHttp) {
  server_.SetExtraArgs(TlsArgs());
  ASSERT_TRUE(server_.Start());
  const std::string ca = dir_.Sub("tls.crt");
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    auto me = Https(server_.port(), version, ca, "GET", "/v1/me", TokenOf("A-J1"));
    ASSERT_TRUE(me.handshake_ok) << version;
    EXPECT_EQ(me.protocol, version == TLS1_2_VERSION ? "TLSv1.2" : "TLSv1.3");
    ASSERT_EQ(me.response.status, 200) << me.response.body;
    EXPECT_EQ(me.response.Str("id"), "A-J1");
    ASSERT_TRUE(me.response.headers.count("Strict-Transport-Security"));
    EXPECT_THAT(me.response.headers.at("Strict-Transport-Security"), HasSubstr("max-age=31536000"));
  }
  // On every answer: refusals, health, the web UI.
  auto refused = Https(server_.port(), TLS1_3_VERSION, ca, "GET", "/v1/me", "");
  EXPECT_EQ(refused.response.status, 401);
  EXPECT_TRUE(refused.response.headers.count("Strict-Transport-Security"));
  auto health = Https(server_.port(), TLS1_3_VERSION, ca, "GET", "/healthz");
  EXPECT_EQ(health.response.status, 200);
  EXPECT_TRUE(health.response.headers.count("Strict-Transport-Security"));
  auto ui = Https(server_.port(), TLS1_2_VERSION, ca, "GET", "/");
  EXPECT_EQ(ui.response.status, 200);
  EXPECT_TRUE(ui.response.headers.count("Strict-Transport-Security"));

  auto old = Https(server_.port(), TLS1_1_VERSION, ca, "GET", "/healthz");
  EXPECT_FALSE(old.handshake_ok) << old.protocol;
  auto plain = Http(server_.port(), "GET", "/healthz");
  EXPECT_EQ(plain.status, 0) << "plain HTTP on the TLS port got an answer: " << plain.body;
  // The server is still well after both.
  EXPECT_EQ(Https(server_.port(), TLS1_3_VERSION, ca, "GET", "/healthz").response.status, 200);
  auto metrics = Https(server_.port(), TLS1_3_VERSION, ca, "GET", "/metrics");
  EXPECT_THAT(metrics.response.body, HasSubstr("casetrail_tls_handshake_failures_total 2\n"));
}

TEST_F(TlsE2ETest, PlainHttpServesNoHsts) {
  ASSERT_TRUE(server_.Start());
  auto health = Http(server_.port(), "GET", "/healthz");
  ASSERT_EQ(health.status, 200);
  EXPECT_FALSE(health.headers.count("Strict-Transport-Security"));
}

TEST_F(TlsE2ETest, ANonLoopbackAddressWithoutTlsStopsTheStartUnlessAProxyTerminatesIt) {
  auto r = ServeMustStop("--listen 0.0.0.0:0");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.err, HasSubstr("without TLS"));
  EXPECT_THAT(r.err, HasSubstr("--tls-cert"));
  EXPECT_THAT(r.err, HasSubstr("--behind-tls-proxy"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("casetrail is serving")));

  // With a proxy in front (it connects over loopback here), or with TLS, it starts.
  server_.SetListen("0.0.0.0:0");
  server_.SetExtraArgs({"--behind-tls-proxy"});
  ASSERT_TRUE(server_.Start());
  EXPECT_EQ(Http(server_.port(), "GET", "/healthz").status, 200);
  server_.Stop();
  server_.SetExtraArgs(TlsArgs());
  ASSERT_TRUE(server_.Start());
  EXPECT_EQ(Https(server_.port(), TLS1_3_VERSION, dir_.Sub("tls.crt"), "GET", "/healthz").response.status, 200);
}

TEST_F(TlsE2ETest, AKeyOthersMayReadOrACertificateThatIsNotOneStopsTheStart) {
  ASSERT_EQ(::chmod(dir_.Sub("tls.key").c_str(), 0644), 0);
  auto r = ServeMustStop("--tls-cert " + dir_.Sub("tls.crt") + " --tls-key " + dir_.Sub("tls.key") +
                         " --listen 127.0.0.1:0");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("chmod 600 " + dir_.Sub("tls.key")));
  ASSERT_EQ(::chmod(dir_.Sub("tls.key").c_str(), 0600), 0);
  std::ofstream(dir_.Sub("not.crt")) << "not a certificate\n";
  r = ServeMustStop("--tls-cert " + dir_.Sub("not.crt") + " --tls-key " + dir_.Sub("tls.key") +
                    " --listen 127.0.0.1:0");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--tls-cert"));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("not a certificate\n")));
}

}  // namespace
}  // namespace casetrail::testing
