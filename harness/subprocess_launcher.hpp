#pragma once
// The real Launcher: Subprocess (own process group, PDEATHSIG, pidfd, log
// file), readiness raced against exit, /health through a kept-alive
// HealthProbe (the per-test hot path), Xvfb
// when the spec asks for a private display.

#include <memory>
#include <optional>

#include "harness/attached_process.hpp"
#include "harness/file_watch.hpp"
#include "harness/health_probe.hpp"
#include "harness/launcher.hpp"
#include "harness/xvfb.hpp"

namespace livegui {

class SubprocessLauncher : public Launcher {
 public:
  SubprocessLauncher();
  /// Stops the current process (if owned) and Xvfb; bounded, never throws.
  ~SubprocessLauncher() override;

  LaunchedAut start(const AppSpec& spec, const LaunchRequest& request) override;
  LaunchedAut attach(const AppSpec& spec, const AutRecord& record) override;
  bool has_process() const override;
  std::optional<AutExit> exited() override;
  std::optional<AutExit> wait_exit(std::chrono::milliseconds timeout) override;
  Probe probe() override;
  StopReport stop(const AppSpec& spec, bool graceful) override;
  StopReport retire(const AppSpec& spec) override;
  void finish_retired(const AppSpec& spec) override;
  void release() override;
  void shutdown() override;
  StackCapture capture_stacks(const StackCaptureOptions& options) override;

 private:
  /// DISPLAY for the next AUT: starts or restarts Xvfb when the spec wants one.
  std::string prepare_display(const AppSpec& spec, const LaunchRequest& request);
  /// POST /shutdown with short timeouts; true when the app accepted it.
  bool request_shutdown(const AppSpec& spec);
  void make_health_probe(const AppSpec& spec, int port);

  std::optional<Subprocess> owned_;
  std::optional<Subprocess> retired_;  ///< SIGTERMed by retire(), not yet reaped
  std::optional<AttachedProcess> attached_;
  LaunchedAut current_;
  std::optional<HealthProbe> health_probe_;
  std::optional<XvfbServer> xvfb_;
  FileWatch file_watch_;  ///< one inotify instance for every start (closing one is slow)
};

}  // namespace livegui
