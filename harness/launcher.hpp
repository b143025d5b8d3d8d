#pragma once
// The narrow seam between the AUT policy (AppHandle: when to start, respawn,
// give up, what to record) and the operating system (spawning, readiness,
// /health, signals). The real implementation is SubprocessLauncher; tests of
// the respawn policy plug in a fake.
//
// A Launcher manages one AUT slot: at most one current process at a time.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/app_spec.hpp"
#include "harness/stack_capture.hpp"
#include "harness/state_file.hpp"
#include "harness/subprocess.hpp"

namespace livegui {

/// How an AUT ended. A process we did not spawn (attached through the state
/// file) can be seen to exit, but its status is not ours to read.
struct AutExit {
  ExitStatus status;
  bool status_known = true;
  /// "killed by SIGABRT", "exit code 3", "exited (status unknown: not our child)".
  std::string describe() const;
  /// Short form for one-line reports: "SIGABRT", "exit code 3", "exited".
  std::string brief() const;
};

/// Why start() failed.
enum class StartFailure {
  Spawn,         ///< the executable could not be started at all
  DiedStarting,  ///< the process exited before it was ready
  PortInUse,     ///< the requested port is held by another process
  Timeout,       ///< still running but not ready within ready_timeout
  Display,       ///< the X server for the AUT could not be started
};

/// The AUT could not be started; what() says what we ran, what happened and
/// the last log lines. Nothing of the attempt is left running.
class StartError : public std::runtime_error {
 public:
  StartError(StartFailure kind, const std::string& what, std::optional<AutExit> exit = std::nullopt)
      : std::runtime_error(what), kind_(kind), exit_(std::move(exit)) {}
  StartFailure kind() const { return kind_; }
  const std::optional<AutExit>& exit() const { return exit_; }

 private:
  StartFailure kind_;
  std::optional<AutExit> exit_;
};

/// One start request: the n-th AUT of this owner lineage.
struct LaunchRequest {
  int spawn_index = 1;             ///< n in aut-<n>.log
  std::filesystem::path log_file;  ///< <log_dir>/aut-<m>.log, the first free m >= n (claim_aut_log)
};

/// A started (or attached) AUT, ready to serve.
struct LaunchedAut {
  pid_t pid = 0;
  pid_t pgid = 0;
  std::uint64_t start_time = 0;
  int port = 0;
  std::filesystem::path log_file;
  std::string display;                        ///< DISPLAY given to the AUT; empty when none
  std::chrono::nanoseconds time_to_ready{0};  ///< spawn requested → ready signal seen
  std::optional<XServerRecord> x_server;      ///< the private Xvfb behind `display`, once it listened
};

/// GET /health as the launcher saw it.
struct HealthReading {
  bool ok = false;  ///< the app's own status == "ok"
  pid_t pid = 0;
  std::int64_t frame = 0;
  std::int64_t last_frame_age_ms = 0;
  std::vector<std::string> reasons;
  std::int64_t busy_ms = 0;  ///< >0: the GUI thread is executing a queued action (alive)
};

/// One liveness probe: the kernel first, then /health.
struct Probe {
  std::optional<AutExit> exited;        ///< set: the process is gone
  std::optional<HealthReading> health;  ///< set: /health answered (200 or 503)
  std::string unreachable;              ///< why /health did not answer (when alive)
};

class Launcher {
 public:
  virtual ~Launcher() = default;

  /// Starts the AUT for `spec` and blocks until it is ready (bounded by
  /// spec.ready_timeout). Throws StartError; on failure nothing is left running.
  /// Precondition: no current process (stop() or release() first).
  virtual LaunchedAut start(const AppSpec& spec, const LaunchRequest& request) = 0;

  /// Adopts an AUT recorded in a state file by another owner. The caller has
  /// verified its identity (pid + start time + pgid). Throws StartError when
  /// the process is gone by now.
  virtual LaunchedAut attach(const AppSpec& spec, const AutRecord& record) = 0;

  /// Hang forensics: every thread's stack of the current process, written
  /// to options.dir/stacks-<pid>.txt (harness/stack_capture.hpp); bounded by
  /// options.budget. The default captures nothing (fakes have no process).
  virtual StackCapture capture_stacks(const StackCaptureOptions& options) {
    (void)options;
    return {};
  }
  /// True while there is a current process (running or exited, not yet stopped).
  virtual bool has_process() const = 0;

  /// Kernel-only liveness, no I/O beyond a syscall: the exit when it has exited.
  virtual std::optional<AutExit> exited() = 0;

  /// Waits at most `timeout` for the current process to exit.
  virtual std::optional<AutExit> wait_exit(std::chrono::milliseconds timeout) = 0;

  /// The kernel, then GET /health (bounded by short timeouts).
  virtual Probe probe() = 0;

  /// Stops the current process and everything in its process group: a
  /// graceful request (when `graceful` and the spec allows), SIGTERM, grace,
  /// SIGKILL, bounded wait. Never throws. Afterwards has_process() is false.
  virtual StopReport stop(const AppSpec& spec, bool graceful) = 0;

  /// Begins stopping the current (owned) process without waiting for it, so
  /// that its stop overlaps the start of its successor: afterwards
  /// has_process() is false and start() may follow at once; finish_retired()
  /// completes the stop. Only for an AUT that does not hold a fixed port.
  /// The default stops it here and now (signals, no graceful request).
  /// Never throws.
  virtual StopReport retire(const AppSpec& spec) { return stop(spec, false); }

  /// Completes the stop of what retire() left running: grace, SIGKILL,
  /// bounded wait for the whole group. Nothing when nothing is retired.
  /// Never throws.
  virtual void finish_retired(const AppSpec& spec) { (void)spec; }

  /// Forgets the current process without stopping it (an attached AUT that
  /// belongs to someone else). Never throws.
  virtual void release() = 0;

  /// Stops helpers that outlive single AUTs (the Xvfb server). Never throws.
  virtual void shutdown() {}
};

}  // namespace livegui
