#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace sb::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<char*> argvOf(const std::string& binary, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

// Waits for the child with a deadline; polls waitpid at a short interval because a
// child's exit cannot be waited on with a timeout otherwise (this is not a sleep
// standing in for synchronisation: the loop ends the moment the child has exited).
int waitExit(pid_t pid, Clock::time_point deadline) {
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (r < 0) return -1;
    if (Clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    usleep(2000);
  }
}

}  // namespace

CommandResult runCommand(const std::string& binary, const std::vector<std::string>& args,
                         const std::string& input, std::chrono::milliseconds timeout) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe(in_pipe) || pipe(out_pipe) || pipe(err_pipe)) throw std::runtime_error("pipe failed");
  auto argv = argvOf(binary, args);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  signal(SIGPIPE, SIG_IGN);
  if (!input.empty()) (void)!write(in_pipe[1], input.data(), input.size());
  close(in_pipe[1]);

  CommandResult result;
  const auto deadline = Clock::now() + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0 && Clock::now() < deadline) {
    int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
    if (poll(fds, 2, std::max(left, 1)) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buf[4096];
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? result.out : result.err).append(buf, static_cast<size_t>(n));
      }
    }
  }
  for (auto& f : fds) if (f.fd >= 0) close(f.fd);
  result.exit_code = waitExit(pid, deadline + std::chrono::seconds{1});
  return result;
}

ServerProcess::ServerProcess(const std::string& binary, const std::vector<std::string>& extra_args,
                             std::chrono::milliseconds timeout) {
  char tmpl[] = "/tmp/sb-server-err-XXXXXX";
  int err_fd = mkstemp(tmpl);
  if (err_fd < 0) throw std::runtime_error("mkstemp failed");
  err_path_ = tmpl;
  int out_pipe[2];
  if (pipe(out_pipe)) throw std::runtime_error("pipe failed");
  std::vector<std::string> args{"serve", "--http", "127.0.0.1:0"};
  if (std::find(extra_args.begin(), extra_args.end(), "--sip") == extra_args.end()) {
    args.insert(args.end(), {"--sip", "127.0.0.1:0"});  // never the shared default 5060
  }
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  auto argv = argvOf(binary, args);
  pid_ = fork();
  if (pid_ == 0) {
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(out_pipe[1], 1);
    dup2(err_fd, 2);
    close(out_pipe[0]);
    close(out_pipe[1]);
    close(err_fd);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_fd);
  out_fd_ = out_pipe[0];

  static const std::regex kListening(R"(http listening on (\S+):(\d+))");
  static const std::regex kSipListening(R"(sip listening on (\S+):(\d+))");
  const auto deadline = Clock::now() + timeout;
  std::string line_buf;
  while (Clock::now() < deadline) {
    pollfd pfd{out_fd_, POLLIN, 0};
    int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
    if (poll(&pfd, 1, std::max(left, 1)) <= 0) continue;
    char buf[4096];
    ssize_t n = read(out_fd_, buf, sizeof buf);
    if (n <= 0) break;  // the server exited before it was ready
    startup_out_.append(buf, static_cast<size_t>(n));
    std::smatch http, sip;
    if (std::regex_search(startup_out_, http, kListening) && std::regex_search(startup_out_, sip, kSipListening)) {
      http_port_ = static_cast<uint16_t>(std::stoi(http[2].str()));
      sip_port_ = static_cast<uint16_t>(std::stoi(sip[2].str()));
      break;
    }
  }
  // From now on stdout is not read: make it non-blocking so a chatty server never stalls.
  fcntl(out_fd_, F_SETFL, fcntl(out_fd_, F_GETFL) | O_NONBLOCK);
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) kill();
  if (out_fd_ >= 0) close(out_fd_);
  if (!err_path_.empty()) unlink(err_path_.c_str());
}

std::string ServerProcess::errorOutput() const {
  std::ifstream in(err_path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int ServerProcess::stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int rc = waitExit(pid_, Clock::now() + timeout);
  pid_ = -1;
  return rc;
}

void ServerProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace sb::testing
