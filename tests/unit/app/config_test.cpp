// Server settings: HOST:PORT lists for --sip and the [server] table of --config.
#include "app/config.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "support/temp_dir.hpp"

namespace sb::app {
namespace {

TEST(Config, SipListenersAreAListOfHostPorts) {
  auto one = parseHostPortList("127.0.0.1:5060");
  ASSERT_TRUE(one);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].host, "127.0.0.1");
  EXPECT_EQ((*one)[0].port, 5060);

  auto two = parseHostPortList("192.0.2.1:5060,[2001:db8::1]:0");
  ASSERT_TRUE(two);
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[1].host, "2001:db8::1");
  EXPECT_EQ((*two)[1].port, 0);
  EXPECT_EQ((*two)[1].str(), "[2001:db8::1]:0");

  EXPECT_FALSE(parseHostPortList(""));
  EXPECT_FALSE(parseHostPortList("127.0.0.1:5060,"));
  EXPECT_FALSE(parseHostPortList(",127.0.0.1:5060"));
  EXPECT_FALSE(parseHostPortList("127.0.0.1:5060,nonsense"));
  EXPECT_FALSE(parseHostPortList("1.1.1.1:1,1.1.1.1:2,1.1.1.1:3,1.1.1.1:4,1.1.1.1:5,1.1.1.1:6,1.1.1.1:7,1.1.1.1:8,1.1.1.1:9"));
}

TEST(Config, ConfigFileTakesSeveralSipListeners) {
  testing::TempDir dir;
  auto file = dir.write("switchboard.toml", "[server]\nsip = \"127.0.0.1:5070,[::1]:0\"\n");
  ServeConfig config;
  EXPECT_TRUE(loadConfigFile(file, config).empty());
  ASSERT_EQ(config.sip.size(), 2u);
  EXPECT_EQ(config.sip[0].port, 5070);
  EXPECT_EQ(config.sip[1].host, "::1");

  auto bad = dir.write("bad.toml", "[server]\nsip = \"127.0.0.1\"\n");
  auto problems = loadConfigFile(bad, config);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("bad.toml:2"), std::string::npos) << problems[0];
}

TEST(Config, ConfigFileTakesTheMediaSettings) {
  testing::TempDir dir;
  auto file = dir.write("media.toml",
                        "[server]\nmedia_threads = 3\nmedia_timeout_s = 45\nmedia_priority = 20\n"
                        "record_calls = false\nprompts_dir = \"/srv/prompts\"\n"
                        "web_root = \"/usr/share/switchboard/web\"\n");
  ServeConfig config;
  EXPECT_TRUE(loadConfigFile(file, config).empty());
  EXPECT_EQ(config.media_threads, 3);
  EXPECT_EQ(config.media_timeout_s, 45);
  EXPECT_EQ(config.media_priority, 20);
  EXPECT_FALSE(config.record_calls);
  EXPECT_EQ(config.prompts_dir, "/srv/prompts");
  EXPECT_EQ(config.web_root, "/usr/share/switchboard/web");

  auto bad = dir.write("bad-media.toml",
                       "[server]\nmedia_threads = -1\nmedia_timeout_s = 1\nmedia_priority = 100\n"
                       "record_calls = \"yes\"\nweb_root = 3\n");
  ServeConfig untouched;
  auto problems = loadConfigFile(bad, untouched);
  ASSERT_EQ(problems.size(), 5u);
  for (const char* key :
       {"media_threads", "media_timeout_s", "media_priority", "record_calls", "web_root"}) {
    EXPECT_EQ(std::count_if(problems.begin(), problems.end(),
                            [&](const std::string& p) { return p.find(key) != std::string::npos; }),
              1)
        << key;
  }
  EXPECT_EQ(untouched.media_timeout_s, 30);
  EXPECT_TRUE(untouched.record_calls);
}

}  // namespace
}  // namespace sb::app
