// Hostile and malformed input gets a clear 4xx and changes nothing.
#include "harness.hpp"

namespace sb::testing {
namespace {

using BadInputTest = ServerTest;

TEST_F(BadInputTest, MalformedLoginBodies) {
  const std::vector<std::pair<std::string, unsigned>> cases = {
      {"", 400},
      {"{", 400},
      {"[]", 400},
      {"\"alice\"", 400},
      {"{\"org\":\"Acme\"}", 422},
      {"{\"org\":1,\"agent\":\"alice\",\"password\":\"x\"}", 422},
      {"{\"org\":\"Acme\",\"agent\":[\"alice\"],\"password\":\"x\"}", 422},
      {"{\"org\":\"Acme\",\"agent\":\"alice\",\"password\":null}", 422},
      {"{\"org\":\"Acme\",\"agent\":\"alice\",\"password\":\"x\",\"admin\":true}", 422},
      {std::string(100, '[') + std::string(100, ']'), 400},
      {"{\"org\":\"Acme\",\"agent\":\"" + std::string(5000, 'a') + "\",\"password\":\"x\"}", 422},
      {"{\"org\":\"Ac\\u0000me\",\"agent\":\"alice\",\"password\":\"x\"}", 422},
      {"{\"org\":\"\xff\xfe\",\"agent\":\"alice\",\"password\":\"x\"}", 400},
  };
  for (const auto& [body, status] : cases) {
    auto r = post("/api/v1/sessions", body);
    EXPECT_EQ(r.status, status) << body.substr(0, 80) << " → " << r.body;
    EXPECT_EQ(r.headers["content-type"], "application/problem+json");
    auto p = boost::json::parse(r.body).as_object();
    EXPECT_TRUE(p.contains("type") && p.contains("title") && p.contains("status") && p.contains("detail"));
    EXPECT_EQ(p.at("status").as_int64(), static_cast<int64_t>(status));
  }
}

TEST_F(BadInputTest, WrongContentTypeIs415) {
  auto r = http().request(http::verb::post, "/api/v1/sessions", loginBody("Acme", "alice", kAcmeAdminPassword),
                          {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 415u);
}

TEST_F(BadInputTest, TwoMebibyteBodyIs413AndChangesNothing) {
  std::string admin = login("Acme", "alice", kAcmeAdminPassword);
  std::string huge = "{\"id\":\"mallory\",\"name\":\"" + std::string(2 << 20, 'm') + "\",\"password\":\"mallory-Secret-1\"}";
  auto r = post("/api/v1/admin/agents", huge, admin);
  EXPECT_EQ(r.status, 413u);
  auto list = get("/api/v1/admin/agents", admin);
  ASSERT_EQ(list.status, 200u);
  EXPECT_EQ(list.json().at("items").as_array().size(), 2u);
}

TEST_F(BadInputTest, HostileAgentFieldsAreRefusedAndNothingIsCreated) {
  std::string admin = login("Acme", "alice", kAcmeAdminPassword);
  auto create = [&](boost::json::object o) { return post("/api/v1/admin/agents", boost::json::serialize(o), admin); };
  const std::vector<boost::json::object> bad = {
      {{"id", "has space"}, {"name", "X"}, {"password", "valid-Secret-pass-1"}},
      {{"id", "a/b"}, {"name", "X"}, {"password", "valid-Secret-pass-1"}},
      {{"id", "ok"}, {"name", "line\nbreak"}, {"password", "valid-Secret-pass-1"}},
      {{"id", "ok"}, {"name", "\x1b[31mred"}, {"password", "valid-Secret-pass-1"}},
      {{"id", "ok"}, {"name", ""}, {"password", "valid-Secret-pass-1"}},
      {{"id", "ok"}, {"name", std::string(201, 'n')}, {"password", "valid-Secret-pass-1"}},
      {{"id", std::string(65, 'i')}, {"name", "X"}, {"password", "valid-Secret-pass-1"}},
      {{"id", "ok"}, {"name", "X"}, {"password", "short"}},
      {{"id", "ok"}, {"name", "X"}, {"password", "valid-Secret-pass-1"}, {"menus", "1"}},
      {{"id", "ok"}, {"name", "X"}, {"password", "valid-Secret-pass-1"}, {"menus", {"12"}}},
      {{"id", "ok"}, {"name", "X"}, {"password", "valid-Secret-pass-1"}, {"admin", "yes"}},
      {{"id", "ok"}, {"name", "X"}, {"password", "valid-Secret-pass-1"}, {"enabled", false}},
  };
  for (const auto& o : bad) {
    auto r = create(o);
    EXPECT_EQ(r.status, 422u) << boost::json::serialize(o) << " → " << r.body;
  }
  auto list = get("/api/v1/admin/agents", admin);
  EXPECT_EQ(list.json().at("items").as_array().size(), 2u);
  // Unicode names are fine.
  EXPECT_EQ(create({{"id", "jiwoo"}, {"name", "김지우 🎧"}, {"password", "valid-Secret-pass-1"}}).status, 201u);
}

TEST_F(BadInputTest, UnknownRoutesAndMethods) {
  auto r = get("/api/v1/nothing-here");
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.headers["content-type"], "application/problem+json");
  auto m = http().request(http::verb::delete_, "/api/v1/me", "", {});
  EXPECT_EQ(m.status, 405u);
  EXPECT_NE(m.headers["allow"].find("GET"), std::string::npos);
}

TEST_F(BadInputTest, GarbageOnTheSocketDoesNotHurtTheServer) {
  auto reply = rawExchange("127.0.0.1", server_->httpPort(), "\x16\x03\x01\x02\x00garbage\r\n\r\n",
                           std::chrono::seconds{5});
  EXPECT_NE(reply.find("400"), std::string::npos);
  EXPECT_EQ(get("/healthz").status, 200u);
}

}  // namespace
}  // namespace sb::testing
