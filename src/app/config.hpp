#pragma once
// Server settings: from a TOML file (--config) and flags, flags winning. Validation
// returns every problem at once, as `FILE:LINE: reason` for the file.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/log.hpp"

namespace sb::app {

struct HostPort {
  std::string host;
  uint16_t port = 0;
  std::string str() const;  // "127.0.0.1:8080", "[::1]:8080"
};

struct PortRange {
  uint16_t low = 0;
  uint16_t high = 0;
};

struct ServeConfig {
  std::filesystem::path data_dir;
  HostPort http{"127.0.0.1", 8080};
  // UDP+TCP listeners; the first is the address written in Via/Contact. A later entry
  // with port 0 takes the first one's port (e.g. "127.0.0.1:5060,[::1]:0").
  std::vector<HostPort> sip{HostPort{"127.0.0.1", 5060}};
  PortRange rtp_ports{20000, 29999};
  int threads = 0;  // 0: one per core
  int media_threads = 0;  // 0: one per core
  int media_timeout_s = 30;
  int media_priority = 0;  // SCHED_RR priority of the media threads, 1–99 (0: normal scheduling)  // no RTP from a phone (not on hold) for this long ends the call
  bool record_calls = true;  // recordings go to <data_dir>/recordings
  std::filesystem::path prompts_dir;  // an org's own prompts (default <data_dir>/prompts)
  // The built agent web app served at `/` (default: web/dist of the source tree this
  // binary was built from, SB_DEFAULT_WEB_ROOT).
  std::filesystem::path web_root;
  core::LogFormat log_format = core::LogFormat::kText;
  core::LogLevel log_level = core::LogLevel::kInfo;
  bool metrics_public = false;  // false: /metrics answers loopback clients only
  int session_ttl_hours = 12;
  bool demo = false;
};

// "HOST:PORT", "[v6]:PORT"; port 0 means any free port.
std::optional<HostPort> parseHostPort(std::string_view text);
// One or more HOST:PORT separated by commas (at most 8).
std::optional<std::vector<HostPort>> parseHostPortList(std::string_view text);
// "LO-HI", even LO, LO < HI, both above 1023.
std::optional<PortRange> parsePortRange(std::string_view text);
std::optional<core::LogFormat> parseLogFormat(std::string_view text);
std::optional<core::LogLevel> parseLogLevel(std::string_view text);

// Reads [server] settings from a TOML file into `config`. Returns the problems found
// (empty: fine). Unknown keys are problems, so a typo never passes silently.
std::vector<std::string> loadConfigFile(const std::filesystem::path& file, ServeConfig& config);

}  // namespace sb::app
