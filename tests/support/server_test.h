// A test fixture over one real `casetrail serve` (ServerProcess) in its own temporary directory,
// with calls signed in as a test user by id (TokenOf): what most end-to-end suites repeat.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

namespace casetrail::testing {

class ServerTest : public ::testing::Test {
 protected:
  // Starts the server on the manual clock `clock` with `extra` flags (a started one is replaced).
  void StartServer(std::vector<std::string> extra = {}, const std::string& clock = "2025-01-13T09:00:00+01:00") {
    server_ = std::make_unique<ServerProcess>(dir_, clock);
    server_->SetExtraArgs(std::move(extra));
    ASSERT_TRUE(server_->Start());
  }
  HttpResponse Post(const std::string& path, const std::string& who, const boost::json::value& body) {
    return Http(server_->port(), "POST", path, TokenOf(who), boost::json::serialize(body));
  }
  HttpResponse Get(const std::string& path, const std::string& who) {
    return Http(server_->port(), "GET", path, TokenOf(who));
  }
  // Moves the manual clock (as the admin).
  void SetClock(const std::string& t) { ASSERT_EQ(Post("/v1/admin/clock", "ADM-1", {{"set", t}}).status, 200) << t; }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

}  // namespace casetrail::testing
