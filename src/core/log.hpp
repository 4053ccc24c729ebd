#pragma once
// Structured logging: a message plus key=value fields, written one line at a time to
// stderr, as text or as one JSON object per line (--log-format json). Security events
// (failed logins, back-off, dropped sources) use security(), whose line always carries
// `security` and `ip=` so that fail2ban can match it (docs/operations.md).
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace sb::core {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
enum class LogFormat { kText, kJson };

struct LogField {
  std::string_view key;
  std::variant<std::string_view, int64_t, bool, double> value;
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(std::string_view{v}) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(std::string_view{v}) {}
  LogField(std::string_view k, int v) : key(k), value(static_cast<int64_t>(v)) {}
  LogField(std::string_view k, int64_t v) : key(k), value(v) {}
  LogField(std::string_view k, uint64_t v) : key(k), value(static_cast<int64_t>(v)) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
  LogField(std::string_view k, double v) : key(k), value(v) {}
};

using LogFields = std::initializer_list<LogField>;

// Process-wide settings, set once by main before any thread starts.
void setLogFormat(LogFormat format);
void setLogLevel(LogLevel level);
// Tests capture output by pointing the sink at a string (nullptr: back to stderr).
void setLogCapture(std::string* sink);

void log(LogLevel level, std::string_view message, LogFields fields = {});
inline void logDebug(std::string_view m, LogFields f = {}) { log(LogLevel::kDebug, m, f); }
inline void logInfo(std::string_view m, LogFields f = {}) { log(LogLevel::kInfo, m, f); }
inline void logWarn(std::string_view m, LogFields f = {}) { log(LogLevel::kWarn, m, f); }
inline void logError(std::string_view m, LogFields f = {}) { log(LogLevel::kError, m, f); }

// A security event: `event` is a stable word (login_failed, login_throttled, …),
// `ip` the client's address.
void security(std::string_view event, std::string_view ip, LogFields fields = {});

// Renders one line (without the newline); exposed for tests.
std::string formatLogLine(LogFormat format, std::string_view timestamp, LogLevel level,
                          std::string_view message, bool security, std::span<const LogField> fields);

// JSON string escaping (RFC 8259), shared by the logger and tests.
void appendJsonEscaped(std::string& out, std::string_view s);

}  // namespace sb::core
