#pragma once
// The `switchboard` command line: serve, admin import, admin agent list|passwd.
// Exit codes: 0 ok, 1 runtime failure, 2 bad usage or bad input.
namespace sb::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

int runCli(int argc, char** argv);

}  // namespace sb::app
