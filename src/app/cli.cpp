#include "app/cli.hpp"

#include <iostream>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "account/account_service.hpp"
#include "app/config.hpp"
#include "app/provisioning.hpp"
#include "app/serve.hpp"
#include "core/clock.hpp"
#include "store/sqlite_store.hpp"

namespace sb::app {
namespace {

struct ServeFlags {
  std::string data_dir, config, http, sip, rtp_ports, log_format, log_level, web_root;
  int threads = -1;
  int media_threads = -1;
  int media_timeout_s = -1;
  int media_priority = -1;
  bool demo = false;
};

// Flags win over the config file; every problem is reported before anything starts.
int runServe(const ServeFlags& f) {
  ServeConfig config;
  std::vector<std::string> problems;
  if (!f.config.empty()) problems = loadConfigFile(f.config, config);
  auto flag = [&](const std::string& text, const char* name, auto parse, auto& target, const char* form) {
    if (text.empty()) return;
    auto v = parse(text);
    if (!v) problems.push_back(std::string("--") + name + ": expected " + form + ", got '" + text + "'");
    else target = *v;
  };
  flag(f.http, "http", parseHostPort, config.http, "HOST:PORT");
  flag(f.sip, "sip", parseHostPortList, config.sip, "HOST:PORT[,HOST:PORT…]");
  flag(f.rtp_ports, "rtp-ports", parsePortRange, config.rtp_ports, "LO-HI (even LO > 1023)");
  flag(f.log_format, "log-format", parseLogFormat, config.log_format, "text or json");
  flag(f.log_level, "log-level", parseLogLevel, config.log_level, "debug, info, warn or error");
  if (f.threads >= 0) config.threads = f.threads;
  if (f.media_threads > 64) problems.push_back("--media-threads: expected 0 (one per core) to 64");
  else if (f.media_threads >= 0) config.media_threads = f.media_threads;
  if (f.media_timeout_s != -1 && (f.media_timeout_s < 2 || f.media_timeout_s > 3600))
    problems.push_back("--media-timeout: expected 2 to 3600 seconds");
  else if (f.media_timeout_s != -1) config.media_timeout_s = f.media_timeout_s;
  if (f.media_priority > 99) problems.push_back("--media-priority: expected 0 (normal) to 99");
  else if (f.media_priority >= 0) config.media_priority = f.media_priority;
  if (!f.data_dir.empty()) config.data_dir = f.data_dir;
  if (!f.web_root.empty()) config.web_root = f.web_root;
  if (config.data_dir.empty()) problems.push_back("--data-dir is required (or data_dir in [server] of the config)");
  config.demo = f.demo;
  if (!problems.empty()) {
    for (const auto& p : problems) std::cerr << p << "\n";
    return kExitUsage;
  }
  return serve(config);
}

int runImport(const std::string& data_dir, const std::string& file) {
  auto store = store::SqliteStore::open(data_dir);
  if (!store) {
    std::cerr << "switchboard: cannot open the data directory " << data_dir << ": " << store.error().message << "\n";
    return kExitFailure;
  }
  core::SystemClock clock;
  account::PasswordHasher hasher;
  return importProvisioningFile(file, **store, **store, hasher, clock, std::cout, std::cerr);
}

// The store of a data directory and one org in it, for the `admin agent` commands;
// on failure the message is printed and `exit_code` set.
struct OrgInStore {
  std::unique_ptr<store::SqliteStore> store;
  acd::Org org;
};

std::optional<OrgInStore> openOrg(const std::string& data_dir, const std::string& org_name, int& exit_code) {
  auto store = store::SqliteStore::open(data_dir);
  if (!store) {
    std::cerr << "switchboard: cannot open the data directory " << data_dir << ": " << store.error().message << "\n";
    exit_code = kExitFailure;
    return std::nullopt;
  }
  auto org = (*store)->findOrg(org_name);
  if (!org) {
    std::cerr << "switchboard: no org named '" << org_name << "' (names are case-sensitive)\n";
    exit_code = org.error().code == core::ErrorCode::kNotFound ? kExitUsage : kExitFailure;
    return std::nullopt;
  }
  return OrgInStore{std::move(*store), std::move(*org)};
}

int runAgentList(const std::string& data_dir, const std::string& org_name) {
  int exit_code = kExitOk;
  auto found = openOrg(data_dir, org_name, exit_code);
  if (!found) return exit_code;
  const acd::Org* org = &found->org;
  auto agents = found->store->listAgents(org->id);
  if (!agents) {
    std::cerr << "switchboard: " << agents.error().message << "\n";
    return kExitFailure;
  }
  std::cout << "ID\tNAME\tADMIN\tENABLED\tSIP SECRET\tSIP URI\n";
  for (const auto& a : *agents) {
    std::cout << a.id << '\t' << a.name << '\t' << (a.admin ? "yes" : "no") << '\t'
              << (a.enabled ? "yes" : "no") << '\t' << a.sip_secret << "\tsip:" << a.id << '@'
              << org->domain << '\n';
  }
  return kExitOk;
}

int runAgentPasswd(const std::string& data_dir, const std::string& org_name, const std::string& agent_id) {
  int exit_code = kExitOk;
  auto found = openOrg(data_dir, org_name, exit_code);
  if (!found) return exit_code;
  std::string password;
  if (!std::getline(std::cin, password)) {
    std::cerr << "switchboard: expected the new password on standard input\n";
    return kExitUsage;
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  core::SystemClock clock;
  account::PasswordHasher hasher;
  account::AccountService accounts(*found->store, *found->store, hasher, clock);
  auto done = accounts.resetPassword(found->org.id, agent_id, password);
  if (!done) {
    const auto code = done.error().code;
    if (code == core::ErrorCode::kNotFound) {
      std::cerr << "switchboard: no agent '" << agent_id << "' in org '" << org_name << "'\n";
      return kExitUsage;
    }
    std::cerr << "switchboard: " << done.error().message << "\n";
    return code == core::ErrorCode::kInvalidInput ? kExitUsage : kExitFailure;
  }
  std::cout << "password of " << agent_id << " in " << org_name
            << " set; the agent's sessions were ended and a change is asked at the next login\n";
  return kExitOk;
}

}  // namespace

int runCli(int argc, char** argv) {
  CLI::App app{"Switchboard: an open-source contact center.\n"
               "Exit status: 0 ok, 1 runtime failure, 2 bad usage or bad input."};
  app.set_version_flag("--version", "switchboard 0.1.0");
  app.require_subcommand(1);

  ServeFlags serve_flags;
  auto* serve_cmd = app.add_subcommand("serve", "Run the server until SIGINT or SIGTERM");
  serve_cmd->add_option("--data-dir", serve_flags.data_dir, "Directory of the database and recordings");
  serve_cmd->add_option("--config", serve_flags.config, "TOML file with a [server] table (flags win)")
      ->check(CLI::ExistingFile);
  serve_cmd->add_option("--http", serve_flags.http, "HTTP/WebSocket listener HOST:PORT (default 127.0.0.1:8080)");
  serve_cmd->add_option("--sip", serve_flags.sip,
                       "SIP UDP+TCP listeners HOST:PORT[,HOST:PORT…] (default 127.0.0.1:5060; IPv6 as [ADDR]:PORT)");
  serve_cmd->add_option("--rtp-ports", serve_flags.rtp_ports, "RTP port range LO-HI (default 20000-29999)");
  serve_cmd->add_option("--threads", serve_flags.threads, "Event-loop threads (0: one per core)");
  serve_cmd->add_option("--media-threads", serve_flags.media_threads, "Media (RTP) threads (0: one per core)");
  serve_cmd->add_option("--media-timeout", serve_flags.media_timeout_s,
                        "Seconds without RTP from a phone (not on hold) before the call ends (default 30)");
  serve_cmd->add_option("--media-priority", serve_flags.media_priority,
                        "Real-time (SCHED_RR) priority 1-99 for the media threads; 0 (default): normal");
  serve_cmd->add_option("--web-root", serve_flags.web_root,
                        "Directory of the built web app served at / (default: web/dist of the source tree)");
  serve_cmd->add_option("--log-format", serve_flags.log_format, "text (default) or json");
  serve_cmd->add_option("--log-level", serve_flags.log_level, "debug, info (default), warn or error");
  serve_cmd->add_flag("--demo", serve_flags.demo,
                      "Provision a demo org into an empty data dir and print its passwords once");

  std::string data_dir, import_file, org, agent;
  auto* admin = app.add_subcommand("admin", "Administer a data directory (works while the server runs)");
  admin->add_option("--data-dir", data_dir, "Directory of the database")->required();
  admin->require_subcommand(1);
  auto* import = admin->add_subcommand("import", "Create or update orgs, menus, agents and trunks from a TOML file");
  import->add_option("FILE", import_file, "Provisioning file (docs/provisioning.md)")->required();
  auto* agent_cmd = admin->add_subcommand("agent", "Agents of an org");
  agent_cmd->require_subcommand(1);
  auto* list = agent_cmd->add_subcommand("list", "List the agents of ORG with their SIP secrets");
  list->add_option("ORG", org, "Org name (case-sensitive)")->required();
  auto* passwd = agent_cmd->add_subcommand("passwd", "Set an agent's password, read from standard input");
  passwd->add_option("ORG", org, "Org name (case-sensitive)")->required();
  passwd->add_option("AGENT", agent, "Agent ID (case-sensitive)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (serve_cmd->parsed()) return runServe(serve_flags);
  if (import->parsed()) return runImport(data_dir, import_file);
  if (list->parsed()) return runAgentList(data_dir, org);
  if (passwd->parsed()) return runAgentPasswd(data_dir, org, agent);
  return kExitUsage;
}

}  // namespace sb::app
