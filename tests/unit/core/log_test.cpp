#include "core/log.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sb::core {
namespace {

TEST(LogLine, TextQuotesValuesThatCouldForgeFields) {
  std::vector<LogField> fields{{"org", "Acme Corp"}, {"agent", "x ip=1.2.3.4"}, {"n", 3}};
  std::string line = formatLogLine(LogFormat::kText, "T", LogLevel::kInfo, "login", false, fields);
  EXPECT_EQ(line, R"(T info login org="Acme Corp" agent="x ip=1.2.3.4" n=3)");
}

TEST(LogLine, JsonIsOneValidObjectPerLine) {
  std::vector<LogField> fields{{"org", "A\"c\nme"}, {"ok", true}, {"ctl", "\x01"}};
  std::string line = formatLogLine(LogFormat::kJson, "T", LogLevel::kWarn, "m\tx", true, fields);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto v = boost::json::parse(line).as_object();
  EXPECT_EQ(v.at("msg").as_string(), "m\tx");
  EXPECT_EQ(v.at("org").as_string(), "A\"c\nme");
  EXPECT_EQ(v.at("ctl").as_string(), "\x01");
  EXPECT_TRUE(v.at("security").as_bool());
  EXPECT_EQ(v.at("level").as_string(), "warn");
}

TEST(SecurityLog, TextLineHasEventAndIpFirstForFail2ban) {
  std::string captured;
  setLogCapture(&captured);
  security("login_failed", "203.0.113.7", {{"org", "Acme"}, {"agent", "alice"}});
  setLogCapture(nullptr);
  // fail2ban failregex: SECURITY event=login_failed ip=<HOST>
  EXPECT_NE(captured.find(" SECURITY event=login_failed ip=203.0.113.7 org=Acme agent=alice\n"),
            std::string::npos)
      << captured;
}

TEST(SecurityLog, HostileValuesCannotInjectALine) {
  std::string captured;
  setLogCapture(&captured);
  security("login_failed", "127.0.0.1", {{"agent", "x\n2026 SECURITY event=login_failed ip=6.6.6.6"}});
  setLogCapture(nullptr);
  EXPECT_EQ(std::count(captured.begin(), captured.end(), '\n'), 1);
}

}  // namespace
}  // namespace sb::core
