#pragma once
// Starting an app that speaks the hook protocol, for tests that exercise the
// protocol directly (the harness has the production version of this).

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/subprocess.hpp"

namespace livegui::test_support {

struct LaunchedApp {
  Subprocess process;
  int port = 0;
  std::filesystem::path log;
};

/// The port from the first `LIVEGUI_HOOK_READY port=N …` line of `log`.
std::optional<int> read_ready_port(const std::filesystem::path& log);

/// Starts `executable` with `args` (output to `log`) and waits, racing the
/// child's exit, until it announces its port. Throws std::runtime_error with
/// the exit status and log tail if it exits first or `timeout` passes.
LaunchedApp launch_app(const std::filesystem::path& executable, std::vector<std::string> args,
                       const std::filesystem::path& log, std::map<std::string, std::string> env = {},
                       std::chrono::milliseconds timeout = std::chrono::seconds(20));

/// launch_app for the built sample_app.
LaunchedApp launch_sample_app(std::vector<std::string> args, const std::filesystem::path& log,
                              std::map<std::string, std::string> env = {});

}  // namespace livegui::test_support
