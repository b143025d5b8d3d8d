#pragma once
// The sample application: a Dear ImGui window with a "New project" button
// whose work runs on an io pool, a text field, a counter and a project label,
// driven through the embedded hook server.

#include <optional>
#include <string>

#include "sample_app/faults.hpp"

namespace sample_app {

struct AppOptions {
  bool headless = false;
  int port = -1;  ///< -1: from LIVEGUI_HOOK_PORT (default 0)
  bool enable_faults = false;
  int fps = 60;
  int job_ms = 100;
  int width = 1280;
  int height = 720;
  int io_workers = 2;
  int slow_start_ms = 0;
  bool fail_start = false;
  bool ignore_sigterm = false;
  bool spawn_grandchild = false;
  std::optional<FaultKind> fault;  ///< fires after fault_after_frames frames
  int fault_after_frames = 30;
  int fault_exit_code = 3;
};

/// Runs the app until /shutdown, SIGTERM/SIGINT or the window closes.
/// Returns the process exit code.
int run_app(const AppOptions& options);

}  // namespace sample_app
