#pragma once
// A scripted Launcher for unit tests of the AUT policy (AppHandle): no
// processes, no HTTP. The test keeps a shared FakeWorld and changes it
// (the AUT "dies", "degrades", starts fail) while the handle owns the launcher.

#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "harness/launcher.hpp"

namespace livegui::test_support {

struct FakeWorld {
  std::mutex mutex;
  pid_t next_pid = 1000;
  /// Outcomes of the next start() calls, in order; empty = success.
  std::deque<std::optional<StartError>> start_results;
  // The current process:
  bool has_process = false;
  LaunchedAut current;
  std::optional<AutExit> exit;  ///< set: it has exited
  HealthReading health{true, 0, 0, 5, {}};
  bool advance_frames = true;  ///< each probe sees a new frame
  std::string unreachable;     ///< non-empty: /health fails with this
  // What the handle did:
  int starts = 0;
  int failed_starts = 0;
  int attaches = 0;
  int stops = 0;
  int graceful_stops = 0;
  int releases = 0;
  bool retired = false;  ///< retire() left a process to finish_retired()
  std::vector<std::string> calls;
  int probes = 0;  ///< probe() calls
  /// capture_stacks() calls: "port <hook_port> after <stops> stops".
  std::vector<std::string> captures;

  /// The current AUT dies.
  void kill(ExitStatus status) {
    std::lock_guard lock(mutex);
    exit = AutExit{status, true};
  }
  /// The current AUT reports itself degraded.
  void degrade(std::vector<std::string> reasons) {
    std::lock_guard lock(mutex);
    health.ok = false;
    health.reasons = std::move(reasons);
  }
};

class FakeLauncher : public Launcher {
 public:
  explicit FakeLauncher(std::shared_ptr<FakeWorld> world) : w_(std::move(world)) {}

  LaunchedAut start(const AppSpec&, const LaunchRequest& request) override {
    std::lock_guard lock(w_->mutex);
    w_->calls.push_back("start " + std::to_string(request.spawn_index));
    if (!w_->start_results.empty()) {
      auto result = std::move(w_->start_results.front());
      w_->start_results.pop_front();
      if (result) {
        ++w_->failed_starts;
        throw *result;
      }
    }
    ++w_->starts;
    pid_t pid = w_->next_pid++;
    w_->has_process = true;
    w_->exit.reset();
    w_->health = HealthReading{true, pid, 1, 5, {}};
    w_->unreachable.clear();
    w_->current = LaunchedAut{pid, pid, 777, 40000 + pid % 1000, request.log_file, "", std::chrono::milliseconds(3), std::nullopt};
    return w_->current;
  }

  LaunchedAut attach(const AppSpec&, const AutRecord& record) override {
    std::lock_guard lock(w_->mutex);
    w_->calls.push_back("attach " + std::to_string(record.pid));
    ++w_->attaches;
    w_->has_process = true;
    w_->exit.reset();
    w_->health = HealthReading{true, record.pid, 1, 5, {}};
    w_->current =
        LaunchedAut{record.pid, record.pgid, record.start_time, record.port, record.log_file, record.display, {}};
    return w_->current;
  }

  bool has_process() const override {
    std::lock_guard lock(w_->mutex);
    return w_->has_process;
  }

  std::optional<AutExit> exited() override {
    std::lock_guard lock(w_->mutex);
    return w_->exit;
  }

  std::optional<AutExit> wait_exit(std::chrono::milliseconds) override { return exited(); }

  Probe probe() override {
    std::lock_guard lock(w_->mutex);
    ++w_->probes;
    Probe p;
    if (w_->exit) {
      p.exited = w_->exit;
      return p;
    }
    if (!w_->unreachable.empty()) {
      p.unreachable = w_->unreachable;
      return p;
    }
    if (w_->advance_frames) ++w_->health.frame;
    p.health = w_->health;
    return p;
  }

  StackCapture capture_stacks(const StackCaptureOptions& options) override {
    std::lock_guard lock(w_->mutex);
    w_->captures.push_back("port " + std::to_string(options.hook_port) + " after " + std::to_string(w_->stops) +
                           " stops");
    return {};
  }

  StopReport stop(const AppSpec&, bool graceful) override {
    std::lock_guard lock(w_->mutex);
    w_->calls.push_back(std::string("stop ") + (graceful ? "graceful" : "signals"));
    ++w_->stops;
    if (graceful) ++w_->graceful_stops;
    StopReport r;
    r.already_exited = w_->exit.has_value();
    r.status = w_->exit ? w_->exit->status : ExitStatus::exited(0);
    r.sent_sigterm = !graceful && !w_->exit;
    w_->has_process = false;
    return r;
  }

  StopReport retire(const AppSpec&) override {
    std::lock_guard lock(w_->mutex);
    w_->calls.push_back("retire");
    StopReport r;
    r.already_exited = w_->exit.has_value();
    r.status = w_->exit ? w_->exit->status : ExitStatus::exited(0);
    r.sent_sigterm = !w_->exit;
    w_->has_process = false;
    w_->retired = true;
    return r;
  }

  void finish_retired(const AppSpec&) override {
    std::lock_guard lock(w_->mutex);
    if (!w_->retired) return;
    w_->calls.push_back("finish_retired");
    w_->retired = false;
  }

  void release() override {
    std::lock_guard lock(w_->mutex);
    w_->calls.push_back("release");
    ++w_->releases;
    w_->has_process = false;
  }

 private:
  std::shared_ptr<FakeWorld> w_;
};

}  // namespace livegui::test_support
