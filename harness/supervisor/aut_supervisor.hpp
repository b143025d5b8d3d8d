#pragma once
// livegui-aut's protocol: one AppHandle driven by JSON requests, one per
// line, each answered by one JSON line. It lets a test runner in another
// language (the livegui_pytest plugin) own an AUT through the same C++ as a
// GoogleTest binary: spawn in its own group, readiness, heartbeat checks,
// respawn policy, state file, stop with escalation.
//
//   {"cmd":"ensure","test":"tests/test_x.py::test_a"}  → a healthy AUT for the test (ReadyEvent + port, pid, token,
//   log)
//   {"cmd":"check"}                                  → {"state":"healthy|degraded|dead|not started", "describe",
//   "reasons", "frame", "last_frame_age_ms"}
//   {"cmd":"test_started","test":…} / {"cmd":"test_finished","test":…} → current_test in the state file; "died" when
//   the AUT died during it
//   {"cmd":"diagnostic"}                             → {"text": the subprocess-degraded diagnostic with the log tail,
//   "" when healthy}
//   {"cmd":"diagnostic","seen":{"health":{…}}|{"unreachable":"why"}} → the same from what the client has
//   just seen: the app is not probed again, and a stall's stacks file is named at once and written in the
//   background (the next request waits for it, bounded), so the reply takes milliseconds; with
//   "unreachable", "last_health" (the client's last /health of this test) and "last_health_ms_ago" place
//   the AUT's last frame; the reply's "left_stalled_by" names the earlier test whose end that frame
//   preceded (the stall is blamed on it), else ""
//   {"cmd":"log_tail","lines":20}                    → {"text"}
//   {"cmd":"stop"}                                   → stops the AUT (bounded); the session ends
//
// Every reply has "ok"; a failed request has "ok": false and "error" (why,
// as AppHandle said it) and, for ensure, "unavailable": true when the
// respawn policy or the failed-start cap forbids another AUT.

#include <chrono>
#include <future>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/app_handle.hpp"

namespace livegui {

/// A pytest node id "tests/live/test_x.py::TestC::test_a[1]" → {"tests/live/test_x.py",
/// "TestC::test_a[1]", NodeId}, whose full() is the node id again (so the
/// state file names the test as the results do); an id without "::" is the
/// whole name (suite empty, full() = id).
TestRef test_ref_from_id(const std::string& id);

class AutSupervisor {
 public:
  explicit AutSupervisor(std::unique_ptr<AppHandle> handle);
  /// Finishes a background stack capture first (bounded by kStacksWait).
  ~AutSupervisor();
  AutSupervisor(const AutSupervisor&) = delete;
  AutSupervisor& operator=(const AutSupervisor&) = delete;

  /// Answers one request; never throws (errors are replies). Blocks as long
  /// as the AppHandle call it makes (ensure: up to the spec's ready timeout;
  /// stop: term grace + kill wait), after the stack capture a diagnostic
  /// left running in the background (up to kStacksWait).
  nlohmann::json handle(const nlohmann::json& request);
  /// A "stop" request was handled: no more requests.
  bool finished() const { return finished_; }
  /// Stops the AUT (bounded) because the runner went away — its end of
  /// input, or a signal — without a "stop" request: the test it was running
  /// stays recorded (AppHandle::StopFor::RunnerGone). Never throws.
  void stop_runner_gone();

  /// The longest a request waits for a background stack capture: its budget
  /// (8 s) plus the SIGKILL-and-reap of a debugger that overran it.
  static constexpr std::chrono::seconds kStacksWait{12};

 private:
  nlohmann::json diagnostic(const nlohmann::json& request);
  /// Waits for the background stack capture, if one runs (bounded by kStacksWait).
  void finish_stacks();

  std::unique_ptr<AppHandle> handle_;
  std::future<void> stacks_;  ///< the background capture of a stall's stacks
  bool finished_ = false;
};

}  // namespace livegui
