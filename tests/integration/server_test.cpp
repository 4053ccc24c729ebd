// The binary itself: serve, its flags and config file, --demo, signals, exit codes, and
// the admin subcommands.
#include <fstream>
#include <regex>
#include <sstream>

#include "harness.hpp"

namespace sb::testing {
namespace {

TEST(ServeTest, StartsAnswersHealthzAndStopsCleanlyOnSigterm) {
  TempDir dir;
  ServerProcess server(kBinary, {"--data-dir", dir.str()});
  ASSERT_TRUE(server.ready()) << server.errorOutput();
  HttpClient http("127.0.0.1", server.httpPort());
  auto r = http.request(http::verb::get, "/healthz");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.json().at("status").as_string(), "ok");
  EXPECT_EQ(server.stop(), 0);
}

TEST(ServeTest, DemoProvisionsOnceWithRandomPasswords) {
  TempDir dir;
  std::string password;
  {
    ServerProcess server(kBinary, {"--data-dir", dir.str(), "--demo"});
    ASSERT_TRUE(server.ready()) << server.errorOutput();
    std::smatch m;
    const std::string out = server.startupOutput();
    ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(agent alice\s+password (\S+))"))) << out;
    password = m[1].str();
    EXPECT_GE(password.size(), 16u);
    HttpClient http("127.0.0.1", server.httpPort());
    auto r = http.request(http::verb::post, "/api/v1/sessions", loginBody("Demo", "alice", password), jsonHeaders());
    EXPECT_EQ(r.status, 201u) << r.body;
    EXPECT_EQ(server.stop(), 0);
  }
  {
    ServerProcess again(kBinary, {"--data-dir", dir.str(), "--demo"});
    ASSERT_TRUE(again.ready());
    EXPECT_EQ(again.startupOutput().find(password), std::string::npos) << "passwords are printed once";
    EXPECT_NE(again.startupOutput().find("already holds data"), std::string::npos);
  }
  // Two fresh demos never share a password.
  TempDir other;
  ServerProcess second(kBinary, {"--data-dir", other.str(), "--demo"});
  ASSERT_TRUE(second.ready());
  EXPECT_EQ(second.startupOutput().find(password), std::string::npos);
}

TEST(ServeTest, BadFlagsExitWithStatus2) {
  TempDir dir;
  EXPECT_EQ(runCommand(kBinary, {"serve", "--data-dir", dir.str(), "--http", "nonsense"}).exit_code, 2);
  EXPECT_EQ(runCommand(kBinary, {"serve", "--data-dir", dir.str(), "--rtp-ports", "5-3"}).exit_code, 2);
  EXPECT_EQ(runCommand(kBinary, {"serve", "--data-dir", dir.str(), "--log-format", "xml"}).exit_code, 2);
  EXPECT_EQ(runCommand(kBinary, {"serve"}).exit_code, 2);  // no data dir
  EXPECT_EQ(runCommand(kBinary, {"frobnicate"}).exit_code, 2);
  EXPECT_EQ(runCommand(kBinary, {}).exit_code, 2);
}

TEST(ServeTest, ConfigFileProblemsAreReportedWithLines) {
  TempDir dir;
  auto cfg = dir.write("sb.toml", "[server]\nhttp = \"127.0.0.1:0\"\nhttp_port = 80\nthreads = \"two\"\n");
  auto r = runCommand(kBinary, {"serve", "--data-dir", dir.str(), "--config", cfg.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("sb.toml:3: unknown key 'http_port'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("sb.toml:4: threads must be"), std::string::npos) << r.err;
}

TEST(ServeTest, FlagsWinOverTheConfigFile) {
  TempDir dir;
  auto cfg = dir.write("sb.toml", "[server]\nhttp = \"127.0.0.1:1\"\nlog_format = \"json\"\n");
  ServerProcess server(kBinary, {"--data-dir", dir.str(), "--config", cfg.string()});  // --http 127.0.0.1:0 wins
  ASSERT_TRUE(server.ready()) << server.errorOutput();
  EXPECT_NE(server.httpPort(), 1);
  HttpClient http("127.0.0.1", server.httpPort());
  EXPECT_EQ(http.request(http::verb::get, "/healthz").status, 200u);
  server.stop();
  // --log-format json from the file: every log line is a JSON object.
  std::istringstream lines(server.errorOutput());
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    EXPECT_FALSE(ec) << line;
    EXPECT_TRUE(v.is_object());
    ++n;
  }
  EXPECT_GT(n, 0);
}

TEST(ServeTest, HelpOnEverySubcommandExitsZero) {
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"--help"}, {"serve", "--help"}, {"admin", "--help"}, {"admin", "--data-dir", "x", "import", "--help"},
           {"admin", "--data-dir", "x", "agent", "--help"}, {"admin", "--data-dir", "x", "agent", "list", "--help"},
           {"admin", "--data-dir", "x", "agent", "passwd", "--help"}}) {
    auto r = runCommand(kBinary, args);
    EXPECT_EQ(r.exit_code, 0) << args.back();
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << r.out;
  }
}

TEST(AdminCliTest, ImportListAndPasswd) {
  TempDir dir;
  auto file = dir.write("p.toml", kTwoOrgs);
  const std::string data = (dir.path() / "data").string();
  auto imported = runCommand(kBinary, {"admin", "--data-dir", data, "import", file.string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  // Importing the same file again changes nothing and still succeeds.
  EXPECT_EQ(runCommand(kBinary, {"admin", "--data-dir", data, "import", file.string()}).exit_code, 0);

  auto list = runCommand(kBinary, {"admin", "--data-dir", data, "agent", "list", "Acme"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("alice\tAlice Kim\tyes\tyes\t"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("bob\tBob Lee\tno\tyes\t"), std::string::npos);
  EXPECT_EQ(list.out.find("Alice Globex"), std::string::npos);
  EXPECT_EQ(runCommand(kBinary, {"admin", "--data-dir", data, "agent", "list", "acme"}).exit_code, 2);

  auto weak = runCommand(kBinary, {"admin", "--data-dir", data, "agent", "passwd", "Acme", "bob"}, "password1\n");
  EXPECT_EQ(weak.exit_code, 2);
  auto set = runCommand(kBinary, {"admin", "--data-dir", data, "agent", "passwd", "Acme", "bob"}, "cli-Chosen-secret-5\n");
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_EQ(runCommand(kBinary, {"admin", "--data-dir", data, "agent", "passwd", "Acme", "nobody"}, "cli-Chosen-secret-5\n").exit_code, 2);

  ServerProcess server(kBinary, {"--data-dir", data});
  ASSERT_TRUE(server.ready());
  HttpClient http("127.0.0.1", server.httpPort());
  auto r = http.request(http::verb::post, "/api/v1/sessions", loginBody("Acme", "bob", "cli-Chosen-secret-5"), jsonHeaders());
  ASSERT_EQ(r.status, 201u) << r.body;
  EXPECT_TRUE(r.json().at("must_change_password").as_bool());
}

TEST(AdminCliTest, BadProvisioningFileExits2WithLinesAndWritesNothing) {
  TempDir dir;
  const std::string data = (dir.path() / "data").string();
  auto file = dir.write("bad.toml", "[[orgs]]\nname = \"Acme\"\ncountry_code = \"82\"\nring_timeout = 15\n"
                                    "  [[orgs.menus]]\n  digit = \"12\"\n  name = \"Orders\"\n");
  auto r = runCommand(kBinary, {"admin", "--data-dir", data, "import", file.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.toml:4:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("bad.toml:6:"), std::string::npos) << r.err;
  auto list = runCommand(kBinary, {"admin", "--data-dir", data, "agent", "list", "Acme"});
  EXPECT_EQ(list.exit_code, 2) << "nothing was written, so the org does not exist";
}

}  // namespace
}  // namespace sb::testing
