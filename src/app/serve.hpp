#pragma once
#include "app/config.hpp"

namespace sb::app {

// Runs the server until SIGINT/SIGTERM; returns the process exit code.
int serve(const ServeConfig& config);

}  // namespace sb::app
