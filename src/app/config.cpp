#include "app/config.hpp"

#include "app/provisioning_screen.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

namespace sb::app {
namespace {

std::optional<uint16_t> parsePort(std::string_view s) {
  unsigned value = 0;
  if (s.empty() || s.size() > 5) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || p != s.data() + s.size() || value > 65535) return std::nullopt;
  return static_cast<uint16_t>(value);
}

}  // namespace

std::string HostPort::str() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

std::optional<HostPort> parseHostPort(std::string_view text) {
  HostPort hp;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return std::nullopt;
    }
    hp.host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) return std::nullopt;
    hp.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  if (hp.host.empty() || hp.host.size() > 253) return std::nullopt;
  for (unsigned char c : hp.host) {
    if (!(std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '%')) return std::nullopt;
  }
  auto p = parsePort(port);
  if (!p) return std::nullopt;
  hp.port = *p;
  return hp;
}

std::optional<std::vector<HostPort>> parseHostPortList(std::string_view text) {
  std::vector<HostPort> out;
  while (true) {
    const size_t comma = text.find(',');
    auto hp = parseHostPort(text.substr(0, comma));
    if (!hp) return std::nullopt;
    out.push_back(*hp);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (out.size() > 8) return std::nullopt;
  return out;
}

std::optional<PortRange> parsePortRange(std::string_view text) {
  size_t dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto lo = parsePort(text.substr(0, dash));
  auto hi = parsePort(text.substr(dash + 1));
  if (!lo || !hi || *lo < 1024 || *lo % 2 != 0 || *lo >= *hi) return std::nullopt;
  return PortRange{*lo, *hi};
}

std::optional<core::LogFormat> parseLogFormat(std::string_view text) {
  if (text == "text") return core::LogFormat::kText;
  if (text == "json") return core::LogFormat::kJson;
  return std::nullopt;
}

std::optional<core::LogLevel> parseLogLevel(std::string_view text) {
  if (text == "debug") return core::LogLevel::kDebug;
  if (text == "info") return core::LogLevel::kInfo;
  if (text == "warn") return core::LogLevel::kWarn;
  if (text == "error") return core::LogLevel::kError;
  return std::nullopt;
}

std::vector<std::string> loadConfigFile(const std::filesystem::path& file, ServeConfig& config) {
  std::vector<std::string> problems;
  const std::string name = file.string();
  auto at = [&](const toml::node& node, const std::string& reason) {
    problems.push_back(name + ":" + std::to_string(node.source().begin.line) + ": " + reason);
  };
  std::ifstream in(file, std::ios::binary);
  if (!in) return {name + ": cannot read the file"};
  std::stringstream buffer;
  buffer << in.rdbuf();
  // The same guard the provisioning import uses: toml++ 3.3 must not see input on which
  // it has undefined behaviour (src/app/provisioning_screen.hpp).
  if (buffer.str().size() > (1u << 20)) return {name + ": the file is larger than 1 MiB"};
  if (auto refused = screenToml(buffer.str(), 64)) {
    return {name + ":" + std::to_string(refused->line) + ": " + refused->message};
  }
  toml::table root;
  try {
    root = toml::parse(buffer.str(), name);
  } catch (const toml::parse_error& e) {
    return {name + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description())};
  }
  for (auto& [key, node] : root) {
    if (key.str() != "server") at(node, "unknown section '" + std::string(key.str()) + "' (expected [server])");
  }
  const toml::table* server = root["server"].as_table();
  if (!server) return problems;

  auto text = [&](const toml::node& node, std::string_view key) -> std::optional<std::string> {
    if (auto s = node.value<std::string>()) return s;
    at(node, std::string(key) + " must be a string");
    return std::nullopt;
  };
  for (auto& [key_node, node] : *server) {
    const std::string key(key_node.str());
    if (key == "data_dir") {
      if (auto s = text(node, key)) config.data_dir = *s;
    } else if (key == "http") {
      if (auto s = text(node, key)) {
        auto hp = parseHostPort(*s);
        if (!hp) at(node, key + " must be HOST:PORT (IPv6 as [ADDR]:PORT)");
        else config.http = *hp;
      }
    } else if (key == "sip") {
      if (auto s = text(node, key)) {
        auto list = parseHostPortList(*s);
        if (!list) at(node, "sip must be HOST:PORT or up to 8 of them separated by commas (IPv6 as [ADDR]:PORT)");
        else config.sip = *list;
      }
    } else if (key == "rtp_ports") {
      if (auto s = text(node, key)) {
        auto r = parsePortRange(*s);
        if (!r) at(node, "rtp_ports must be LO-HI with an even LO above 1023 and LO < HI");
        else config.rtp_ports = *r;
      }
    } else if (key == "threads") {
      auto v = node.value<int64_t>();
      if (!v || *v < 0 || *v > 256) at(node, "threads must be an integer from 0 (one per core) to 256");
      else config.threads = static_cast<int>(*v);
    } else if (key == "media_threads") {
      auto v = node.value<int64_t>();
      if (!v || *v < 0 || *v > 64) at(node, "media_threads must be an integer from 0 (one per core) to 64");
      else config.media_threads = static_cast<int>(*v);
    } else if (key == "media_timeout_s") {
      auto v = node.value<int64_t>();
      if (!v || *v < 2 || *v > 3600) at(node, "media_timeout_s must be an integer from 2 to 3600");
      else config.media_timeout_s = static_cast<int>(*v);
    } else if (key == "media_priority") {
      auto v = node.value<int64_t>();
      if (!v || *v < 0 || *v > 99) at(node, "media_priority must be an integer from 0 (normal) to 99");
      else config.media_priority = static_cast<int>(*v);
    } else if (key == "record_calls") {
      auto b = node.value<bool>();
      if (!b) at(node, "record_calls must be true or false");
      else config.record_calls = *b;
    } else if (key == "prompts_dir") {
      if (auto s = text(node, key)) config.prompts_dir = *s;
    } else if (key == "web_root") {
      if (auto s = text(node, key)) config.web_root = *s;
    } else if (key == "log_format") {
      if (auto s = text(node, key)) {
        auto f = parseLogFormat(*s);
        if (!f) at(node, "log_format must be \"text\" or \"json\"");
        else config.log_format = *f;
      }
    } else if (key == "log_level") {
      if (auto s = text(node, key)) {
        auto l = parseLogLevel(*s);
        if (!l) at(node, "log_level must be debug, info, warn or error");
        else config.log_level = *l;
      }
    } else if (key == "metrics_public") {
      auto b = node.value<bool>();
      if (!b) at(node, "metrics_public must be true or false");
      else config.metrics_public = *b;
    } else if (key == "session_ttl_hours") {
      auto v = node.value<int64_t>();
      if (!v || *v < 1 || *v > 24 * 30) at(node, "session_ttl_hours must be an integer from 1 to 720");
      else config.session_ttl_hours = static_cast<int>(*v);
    } else {
      at(node, "unknown key '" + key + "' in [server]");
    }
  }
  return problems;
}

}  // namespace sb::app
