#pragma once
// Runs the real `switchboard` binary for integration tests: one-shot commands with
// their exit status and output, and a server kept running on loopback with free ports.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sb::testing {

struct CommandResult {
  int exit_code = -1;  // -1: killed by a signal or not run
  std::string out;
  std::string err;
};

// Runs `binary args…`, feeding `input` to its stdin; gives up (and kills it) after
// `timeout`, which is a test failure the caller sees as exit_code -1.
CommandResult runCommand(const std::string& binary, const std::vector<std::string>& args,
                         const std::string& input = "",
                         std::chrono::milliseconds timeout = std::chrono::seconds{60});

class ServerProcess {
 public:
  // Starts `binary serve --http 127.0.0.1:0 --sip 127.0.0.1:0 …extra` (no --sip when
  // `extra` has one) and waits until it prints its HTTP and SIP listener lines (or exits,
  // or `timeout` passes).
  ServerProcess(const std::string& binary, const std::vector<std::string>& extra_args,
                std::chrono::milliseconds timeout = std::chrono::seconds{30});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  bool ready() const { return http_port_ != 0; }
  uint16_t httpPort() const { return http_port_; }
  uint16_t sipPort() const { return sip_port_; }  // UDP and TCP
  // Everything the server printed on stdout before it was ready (demo passwords…).
  const std::string& startupOutput() const { return startup_out_; }
  // Its stderr so far (logs, security lines).
  std::string errorOutput() const;

  // SIGTERM, then waits for the exit; returns the exit code (-1 on a signal or timeout).
  int stop(std::chrono::milliseconds timeout = std::chrono::seconds{15});
  // SIGKILL: a crash, for durability tests.
  void kill();

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string err_path_;
  uint16_t http_port_ = 0;
  uint16_t sip_port_ = 0;
  std::string startup_out_;
};

}  // namespace sb::testing
