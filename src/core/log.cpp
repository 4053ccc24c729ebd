#include "core/log.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <vector>

#include "core/clock.hpp"

namespace sb::core {
namespace {

std::atomic<LogFormat> g_format{LogFormat::kText};
std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::mutex g_capture_mutex;
std::string* g_capture = nullptr;

const char* levelName(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

// Text values are quoted when they hold anything but a plain word, so that a hostile
// value (an org name with spaces or quotes) cannot forge another field.
void appendTextValue(std::string& out, std::string_view v) {
  bool plain = !v.empty();
  for (unsigned char c : v) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) {
      plain = false;
      break;
    }
  }
  if (plain) {
    out += v;
    return;
  }
  out += '"';
  appendJsonEscaped(out, v);
  out += '"';
}

void appendValue(std::string& out, LogFormat format, const LogField& f) {
  std::visit(
      [&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::string_view>) {
          if (format == LogFormat::kJson) {
            out += '"';
            appendJsonEscaped(out, v);
            out += '"';
          } else {
            appendTextValue(out, v);
          }
        } else if constexpr (std::is_same_v<V, bool>) {
          out += v ? "true" : "false";
        } else if constexpr (std::is_same_v<V, double>) {
          char buf[32];
          std::snprintf(buf, sizeof buf, "%.6g", v);
          out += buf;
        } else {
          out += std::to_string(v);
        }
      },
      f.value);
}

}  // namespace

void setLogFormat(LogFormat format) { g_format = format; }
void setLogLevel(LogLevel level) { g_level = level; }
void setLogCapture(std::string* sink) {
  std::lock_guard lock(g_capture_mutex);
  g_capture = sink;
}

void appendJsonEscaped(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

std::string formatLogLine(LogFormat format, std::string_view timestamp, LogLevel level,
                          std::string_view message, bool security, std::span<const LogField> fields) {
  std::string out;
  out.reserve(128);
  if (format == LogFormat::kJson) {
    out += "{\"ts\":\"";
    out += timestamp;
    out += "\",\"level\":\"";
    out += levelName(level);
    out += "\",\"msg\":\"";
    appendJsonEscaped(out, message);
    out += '"';
    if (security) out += ",\"security\":true";
    for (const auto& f : fields) {
      out += ",\"";
      appendJsonEscaped(out, f.key);
      out += "\":";
      appendValue(out, format, f);
    }
    out += '}';
    return out;
  }
  out += timestamp;
  out += ' ';
  if (security) {
    out += "SECURITY";  // the event field says what happened
  } else {
    out += levelName(level);
    out += ' ';
    for (unsigned char c : message) out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  }
  for (const auto& f : fields) {
    out += ' ';
    out += f.key;
    out += '=';
    appendValue(out, format, f);
  }
  return out;
}

namespace {
void emit(LogLevel level, std::string_view message, bool sec, std::span<const LogField> fields) {
  std::string line = formatLogLine(g_format.load(), toRfc3339(SystemClock{}.now()), level,
                                   message, sec, fields);
  line += '\n';
  {
    std::lock_guard lock(g_capture_mutex);
    if (g_capture) {
      *g_capture += line;
      return;
    }
  }
  // One write per line keeps lines whole when threads log at once.
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) break;
    p += n;
    left -= static_cast<size_t>(n);
  }
}
}  // namespace

void log(LogLevel level, std::string_view message, LogFields fields) {
  if (level < g_level.load()) return;
  emit(level, message, false, std::span<const LogField>(fields.begin(), fields.size()));
}

void security(std::string_view event, std::string_view ip, LogFields fields) {
  // event and ip come first, in a fixed order, for fail2ban's regex.
  std::vector<LogField> all;
  all.reserve(fields.size() + 2);
  all.emplace_back("event", event);
  all.emplace_back("ip", ip);
  all.insert(all.end(), fields.begin(), fields.end());
  emit(LogLevel::kWarn, "security", true, all);
}

}  // namespace sb::core
