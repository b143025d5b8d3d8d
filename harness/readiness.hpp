#pragma once
// Waiting for a starting AUT to become ready (docs/hook-protocol.md §1),
// raced against the child exiting: poll() on the child's pidfd plus an
// inotify watch (FileWatch) on the log / port file, with a short back-off as
// a fallback.
// Never a fixed sleep; always bounded by the spec's ready_timeout.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "common/ready_line.hpp"
#include "harness/app_spec.hpp"
#include "harness/file_watch.hpp"
#include "harness/subprocess.hpp"

namespace livegui {

enum class ReadyOutcome {
  Ready,        ///< the app signalled readiness
  Exited,       ///< the child exited first (see Subprocess::exit_status())
  TimedOut,     ///< still running, not ready within ready_timeout
  WrongServer,  ///< fixed port: /health answered for a process not in our group
};

struct ReadyResult {
  ReadyOutcome outcome = ReadyOutcome::TimedOut;
  int port = 0;
  pid_t answered_pid = 0;  ///< WrongServer: the pid /health reported
  std::chrono::nanoseconds took{0};
};

/// Blocks until `child` is ready according to `spec.readiness`, it exits, or
/// `spec.ready_timeout` passes. `log_file` is where the child's stdout goes;
/// `port_file` is the LIVEGUI_HOOK_PORT_FILE given to it (PortFile mode).
/// `watch` (optional, long-lived) wakes the wait as soon as a file changes;
/// without it the wait polls with back-off (1 → 20 ms).
ReadyResult wait_until_ready(Subprocess& child, const AppSpec& spec, const std::filesystem::path& log_file,
                             const std::filesystem::path& port_file, FileWatch* watch = nullptr);

}  // namespace livegui
