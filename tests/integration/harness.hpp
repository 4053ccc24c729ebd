#pragma once
// What every integration test shares: the real binary, a data directory provisioned
// through `switchboard admin import`, a server on 127.0.0.1 with a free port, and an
// HTTP client speaking to it.
#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>
#include <thread>

#include <boost/json.hpp>

#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace sb::testing {

namespace http = boost::beast::http;

inline const std::string kBinary = SB_BINARY;

// Two orgs that both have an agent "alice" (tenant isolation), with different numbers.
inline constexpr const char* kTwoOrgs = R"(
[[trunks]]
name = "pstn"
address = "127.0.0.1"
outbound = "127.0.0.1:5070"

[[orgs]]
name = "Acme"
timezone = "Asia/Seoul"
country_code = "82"
numbers = ["0215880000"]
categories = ["Orders", "Refunds"]
password_max_age_days = 90
  [[orgs.menus]]
  digit = "1"
  name = "Orders"
  [[orgs.menus]]
  digit = "2"
  name = "Support"
  [[orgs.agents]]
  id = "alice"
  name = "Alice Kim"
  password = "acme-admin-Secret-1"
  menus = ["1", "2"]
  admin = true
  [[orgs.agents]]
  id = "bob"
  name = "Bob Lee"
  password = "acme-agent-Secret-2"
  menus = ["1"]

[[orgs]]
name = "Globex"
timezone = "UTC"
country_code = "1"
numbers = ["8005550100"]
  [[orgs.menus]]
  digit = "1"
  name = "Sales"
  [[orgs.agents]]
  id = "alice"
  name = "Alice Globex"
  password = "globex-admin-Secret-3"
  menus = ["1"]
  admin = true
)";

inline constexpr const char* kAcmeAdminPassword = "acme-admin-Secret-1";
inline constexpr const char* kAcmeAgentPassword = "acme-agent-Secret-2";
inline constexpr const char* kGlobexAdminPassword = "globex-admin-Secret-3";

inline std::string loginBody(const std::string& org, const std::string& agent, const std::string& password) {
  return boost::json::serialize(boost::json::object{{"org", org}, {"agent", agent}, {"password", password}});
}

// The "type" of a problem+json body ("" when the body is not one).
inline std::string problemType(const std::string& body) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("type")) return {};
  return std::string(v.at("type").as_string());
}

inline std::vector<std::pair<std::string, std::string>> jsonHeaders(const std::string& token = "") {
  std::vector<std::pair<std::string, std::string>> h{{"Content-Type", "application/json"}};
  if (!token.empty()) h.emplace_back("Authorization", "Bearer " + token);
  return h;
}

inline std::vector<std::pair<std::string, std::string>> authHeader(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto file = dir_.write("provisioning.toml", provisioning());
    auto imported = runCommand(kBinary, {"admin", "--data-dir", dataDir(), "import", file.string()});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    startServer();
  }

  void TearDown() override {
    if (server_ && ::testing::Test::HasFailure()) {
      std::cerr << "---- server stderr ----\n" << server_->errorOutput() << "\n";
    }
  }

  virtual std::string provisioning() const { return kTwoOrgs; }
  virtual std::vector<std::string> serverArgs() const { return {}; }

  void startServer() {
    std::vector<std::string> args{"--data-dir", dataDir()};
    auto extra = serverArgs();
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = std::make_unique<ServerProcess>(kBinary, args);
    ASSERT_TRUE(server_->ready()) << server_->startupOutput() << server_->errorOutput();
    client_ = std::make_unique<HttpClient>("127.0.0.1", server_->httpPort());
  }

  std::string dataDir() const { return (dir_.path() / "data").string(); }
  HttpClient& http() { return *client_; }

  Response post(const std::string& target, const std::string& body, const std::string& token = "") {
    return http().request(http::verb::post, target, body, jsonHeaders(token));
  }
  Response get(const std::string& target, const std::string& token = "") {
    return http().request(http::verb::get, target, "", token.empty() ? decltype(authHeader(token)){} : authHeader(token));
  }

  // Logs in and returns the token; fails the test unless the answer is 201.
  std::string login(const std::string& org, const std::string& agent, const std::string& password) {
    auto r = post("/api/v1/sessions", loginBody(org, agent, password));
    EXPECT_EQ(r.status, 201u) << r.body;
    if (r.status != 201u) return {};
    return std::string(r.json().at("token").as_string());
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace sb::testing
