#pragma once
// The long-lived handle on the application under test: starts it lazily,
// tells healthy from degraded from dead before every test, respawns it when
// the policy says so (recording why, for which test, and how long it took),
// gives up after repeated failed starts, stops it with its whole process
// group, and records every transition in the state file
// (docs/state-file.md). Thread-safe: every public method may be called from
// any thread.
//
// Trap: the AUT is spawned with PR_SET_PDEATHSIG, which fires when the
// *thread* that spawned it exits. Start and respawn (start(),
// ensure_ready()) from a long-lived thread, such as the test's main thread.

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "harness/app_spec.hpp"
#include "harness/launcher.hpp"
#include "harness/state_file.hpp"

namespace livegui {

class HookClient;

enum class AutHealth { NotStarted, Healthy, Degraded, Dead };
const char* to_string(AutHealth h);

/// What check() found.
struct CheckResult {
  AutHealth state = AutHealth::NotStarted;
  pid_t pid = 0;
  std::vector<std::string> reasons;     ///< Degraded: why (the app's and ours)
  std::optional<AutExit> exit;          ///< Dead: how it ended
  std::optional<HealthReading> health;  ///< the /health reading, when it answered
  std::chrono::nanoseconds took{0};
  bool healthy() const { return state == AutHealth::Healthy; }
  /// "healthy", "degraded: main loop stalled …", "dead: killed by SIGABRT", "not started".
  std::string describe() const;
};

/// What a hook client saw when it found the AUT not serving: its /health
/// reading, or why /health did not answer.
struct ClientSighting {
  std::optional<HealthReading> health;  ///< /health as the client read it
  std::string unreachable;              ///< why it did not answer ("GET /health: timed out after 1 s")
  /// When unreachable: the last /health the client read during the current
  /// test, and how long before the sighting it read it. Its last frame,
  /// placed before the previous test's end, makes the stall that test's.
  std::optional<HealthReading> last_health;
  std::chrono::milliseconds last_health_age{0};
};

/// What ensure_ready() did to provide a healthy AUT.
struct ReadyEvent {
  enum class Kind {
    AlreadyReady,  ///< the AUT was healthy; nothing done
    Started,       ///< first start (or start after stop())
    Respawned,     ///< replaced an AUT that died or was degraded
    Fresh,         ///< replaced a healthy AUT because of per_suite / per_test
  };
  Kind kind = Kind::AlreadyReady;
  pid_t pid = 0;      ///< the AUT serving the test now
  pid_t old_pid = 0;  ///< the AUT it replaced (Respawned, Fresh)
  /// Why it (re)started: "never started", "AUT pid 4121 died during
  /// ExtendedSims.ExecutionSim (killed by SIGABRT)", "AUT pid 4121 degraded
  /// during X: heartbeat stalled: …", "fresh AUT for suite S (respawn policy per_suite)".
  std::string reason;
  std::string cause;  ///< short cause for one-liners: "SIGABRT", "degraded: …"
  /// Respawned: how the replaced AUT was found, Dead or Degraded (NotStarted
  /// for the other kinds).
  AutHealth replaced = AutHealth::NotStarted;
  /// Respawned: the cause without its kind: "SIGABRT", "exit code 3",
  /// "heartbeat stalled: no frame for 1500 ms (last frame 40)".
  std::string cause_detail;
  std::string during_test;           ///< the test that was running when it died / degraded
  std::string for_test;              ///< the test the new AUT serves
  std::chrono::nanoseconds took{0};  ///< detection → new AUT ready
  int respawn_count = 0;             ///< Respawned events of this handle so far
  /// For Respawned: "[livegui] AUT pid 4121 died during ExtendedSims.ExecutionSim
  /// (SIGABRT); respawned for LiveWorkflow.FullWorkflow as pid 4188 in 0.41 s".
  std::string summary() const;
};

/// No AUT can serve the test: the policy is "never" and the AUT is not
/// healthy, or the cap on consecutive failed starts was reached. what() says why.
class AutUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The suite name of the pseudo-tests livegui-batch's session AUT is ensured
/// for ("livegui-batch.<entry>"): never the test to blame for a death.
inline constexpr const char* kBatcherSuite = "livegui-batch";

/// Whether `test` ("Suite.Name") is one of those pseudo-tests.
inline bool is_batcher_stand_in(std::string_view test) {
  constexpr std::string_view prefix = "livegui-batch.";
  static_assert(prefix.substr(0, prefix.size() - 1) == std::string_view(kBatcherSuite));
  return test.substr(0, prefix.size()) == prefix;
}

/// The livegui-batch run that started this process, from LIVEGUI_AUT_OWNER
/// ("<pid>:<start time>"); std::nullopt when unset or malformed. A session
/// guest attaches only to an AUT whose recorded owner is that run.
std::optional<ProcessIdentity> expected_session_owner();

class AppHandle {
 public:
  /// Validates `spec` (throws AppSpecError). Starts nothing. `launcher`
  /// defaults to the real SubprocessLauncher.
  explicit AppHandle(AppSpec spec, std::unique_ptr<Launcher> launcher = nullptr);
  /// Session scope: reads spec.resolved_state_file(); when it records an AUT
  /// that is alive and ours (pid + start time + pgid) — and, under
  /// livegui-batch (LIVEGUI_AUT_OWNER), owned by the run that started us —
  /// attaches to it as a guest (it is not stopped by this handle). Otherwise (no file, corrupt
  /// file, dead or foreign AUT) the handle continues that lineage and starts
  /// its own AUT on the first ensure_ready(), taking ownership in the file.
  static std::unique_ptr<AppHandle> attach_or_start(AppSpec spec, std::unique_ptr<Launcher> launcher = nullptr);
  /// Same, with the state file given explicitly (it replaces spec.state_file).
  static std::unique_ptr<AppHandle> attach_or_start(AppSpec spec, const std::filesystem::path& state_file);
  /// Stops an owned AUT (bounded), releases an attached one. Never throws.
  ~AppHandle();
  AppHandle(const AppHandle&) = delete;
  AppHandle& operator=(const AppHandle&) = delete;

  const AppSpec& spec() const;

  /// Starts the AUT if none is running. Throws StartError (or AutUnavailable
  /// once the failed-start cap is reached).
  void start();

  /// The kernel (pidfd) then GET /health with the frame heartbeat. About one
  /// local HTTP round trip; cheap enough before every test.
  CheckResult check();

  /// Makes sure a healthy AUT serves `test`, (re)starting it per the respawn
  /// policy. Throws StartError when a start fails, AutUnavailable when the
  /// policy forbids a respawn or the cap on failed starts was reached.
  ReadyEvent ensure_ready(const TestRef& test);

  /// The reason the next respawn records instead of how this handle's own
  /// AUT ended, when the caller knows more: a session AUT that another owner
  /// replaced and then stopped was not lost by the death this handle saw
  /// (issue 11). Used by the next ensure_ready() only, respawn or not.
  void next_respawn_reason(std::string reason);

  /// A degradation this handle finds from now on — when the AUT is not
  /// already recorded degraded — is blamed on `blame` (its entry and test;
  /// aut_pid is filled in) in the state file's degraded_blame, instead of
  /// on this process's own entry and test. std::nullopt: back to those.
  /// For the batcher's look between entries. Never blocks, never throws.
  void blame_degradation_on(std::optional<DegradedBlame> blame);

  /// Stacks of a stall this handle finds from now on go to `dir`
  /// (stacks-<pid>.txt) instead of LIVEGUI_ARTIFACT_DIR or the log dir;
  /// empty: back to those. Never blocks, never throws.
  void stall_stacks_to(std::filesystem::path dir);

  /// The stacks file captured for the current AUT's stall, "" when none
  /// was (it is healthy, dead, or no capture could be written).
  std::filesystem::path stall_stacks() const;

  /// A test begins / ends (the gtest listener calls these; ensure_ready()
  /// also marks the test as begun). test_finished() checks, cheaply, whether
  /// the AUT died during the test and attributes the death to it. The state
  /// file is written once per test, at its start (and at a death); a test's
  /// end alone is not written.
  void test_started(const TestRef& test);
  std::optional<AutExit> test_finished(const TestRef& test);

  /// Waits at most `timeout` for the current AUT to exit (e.g. after a fault).
  std::optional<AutExit> wait_for_exit(std::chrono::milliseconds timeout);

  /// Why an owner stops: its tests are done, or the runner that drove it went
  /// away (livegui-aut: its pipe closed or it got a signal, e.g. pytest was
  /// killed mid-test). Only the second keeps the running test recorded.
  /// Reported: the owner has itself said what state the AUT was in (the
  /// batcher's check at the end of a tier): it is recorded as stopped, as a
  /// healthy one is, so the next reader does not report it again.
  enum class StopFor { Done, RunnerGone, Reported };

  /// Stops the AUT: POST /shutdown when healthy (if the spec allows), else
  /// SIGTERM to the group → grace → SIGKILL → bounded wait; nothing of the
  /// group survives. An attached AUT of another owner is only released.
  /// With StopFor::RunnerGone the test that was running stays the state
  /// file's current_test, so the next reader names it (docs/state-file.md).
  StopReport stop(StopFor why = StopFor::Done);

  /// A client for the current AUT (port, token, heartbeat threshold), with a
  /// liveness probe backed by the pidfd and context (exit status, current
  /// test, log tail) for SubprocessDegraded diagnostics. Throws
  /// AutUnavailable when no AUT is running.
  std::shared_ptr<HookClient> hook();

  /// When the AUT is degraded or dead: the SubprocessDegraded::format()
  /// diagnostic (with log tail). Empty when it is healthy or not started.
  /// Probes the AUT (like check()); a stall's first sighting adds the stack
  /// capture (seconds).
  std::string degraded_diagnostic();

  /// The same diagnostic from what a hook client has just seen, instead of a
  /// probe of its own: the kernel is asked (pidfd), the app is not, and a
  /// stall's stacks are named but not yet written, so this returns within
  /// milliseconds. capture_deferred_stacks() writes them; at the latest they
  /// are written before the AUT is stopped or replaced.
  std::string degraded_diagnostic(const ClientSighting& seen);

  /// The earlier test the current degradation is blamed on because the
  /// AUT's last frame came before that test ended — or, when the tests that
  /// ended after that frame never used the AUT, the last test that did ("the
  /// AUT was left stalled by X"); empty when the degradation is the current
  /// test's, or none.
  std::string left_stalled_by() const;

  /// Writes the stacks a degraded_diagnostic(seen) named, if not yet done.
  /// Blocks for the capture (bounded by its budget, about 8 s); returns at
  /// once when nothing is pending.
  void capture_deferred_stacks();

  pid_t pid() const;  ///< 0 when none
  pid_t pgid() const;
  int port() const;
  std::string display() const;
  std::filesystem::path log_file() const;
  std::string log_tail(std::size_t lines = 20) const;
  int spawn_count() const;                              ///< AUT processes started by this lineage (state file)
  int respawn_count() const;                            ///< Respawned events of this handle
  bool owns_aut() const;                                ///< false while attached as a guest
  std::chrono::nanoseconds last_time_to_ready() const;  ///< of the last start
  std::optional<ReadyEvent> last_respawn() const;
  /// The file this handle records into: spec.resolved_state_file(), or —
  /// once it has written as a standalone owner and found that file held by
  /// another live owner — "aut-state-<pid>-<start>.json" beside it
  /// (docs/state-file.md "Concurrent runs").
  std::filesystem::path state_file() const;
  std::optional<TestRef> current_test() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace livegui
