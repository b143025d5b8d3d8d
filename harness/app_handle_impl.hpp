#pragma once
// AppHandle's private state (harness/app_handle.hpp): what one handle knows
// about its AUT, and the locked steps its public calls are made of. Internal:
// included by the files that implement AppHandle only. Split by concern:
//   app_handle.cpp        the public calls (ensure_ready, stop, hook, …)
//   app_handle_state.cpp  state recording and attribution (the state file,
//                         who to blame, how the last AUT ended)
//   app_handle_impl.cpp   check, start/stop/retire, hang forensics, the hook
//                         client's liveness and context
//   health_rules.cpp      the heartbeat rules (a pure function)
//   respawn_policy.cpp    when a healthy AUT is replaced anyway
// Every member function named *_locked, and every other one unless it says
// otherwise, expects `mutex` to be held by the caller.

#include <sys/types.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "harness/app_handle.hpp"
#include "harness/health_rules.hpp"
#include "harness/launcher.hpp"
#include "harness/log_rotation.hpp"
#include "harness/state_file.hpp"
#include "hookclient/hook_client.hpp"

namespace livegui {

/// The comm name of this process ("?" when /proc cannot tell).
std::string own_process_name();

/// A /health reading a client took earlier, and when (steady clock, at or
/// after the reply: the frame it places is never earlier than it was).
struct EarlierReading {
  HealthReading health;
  std::chrono::steady_clock::time_point read_at;
};

struct AppHandle::Impl : std::enable_shared_from_this<AppHandle::Impl> {
  Impl(AppSpec s, std::unique_ptr<Launcher> l);

  AppSpec spec;
  std::unique_ptr<Launcher> launcher;
  mutable std::mutex mutex;

  std::filesystem::path state_path;
  StateFile state;  ///< what we write at every transition
  std::string last_state_error;
  bool wrote_state = false;  ///< the file holds a record of ours (stop() then records our end)
  /// Before our first write: what a dead earlier owner of the file left was
  /// looked for (clean_up_after_dead_owner).
  bool looked_for_dead_owner = false;
  /// Before our first write as an owner: the state file claimed
  /// (claim_state_file). The lock we hold on it, -1 = none.
  bool claimed_state_file = false;
  int state_lock_fd = -1;
  std::filesystem::path state_lock_path;
  /// state_path is a file of our own ("aut-state-<pid>-<start>.json"): the
  /// one asked for was another live owner's. Removed at our clean end.
  bool own_state_file = false;

  bool owns = true;  ///< false while attached as a guest to another owner's AUT
  /// Attached as a session guest at some point: the session's processes
  /// share its record on purpose, so taking it over claims no lock.
  bool was_guest = false;
  bool ever_started = false;
  std::optional<LaunchedAut> aut;  ///< set while the launcher has a process
  bool exit_recorded = false;      ///< last_exit describes the current AUT
  std::shared_ptr<HookClient> hook;
  LogCap log_cap;  ///< on the current AUT's log

  std::optional<TestRef> current_test;
  std::optional<TestRef> previous_test;  ///< the test that ran before the current one
  /// When previous_test ended (test_finished, else when the next one
  /// started): a stall whose last frame came before it began in that test.
  std::chrono::steady_clock::time_point previous_test_ended{};
  /// A test that ended: when, and whether it asked for the AUT (ensure_ready;
  /// a pytest test without the live_gui fixture did not).
  struct EndedTest {
    TestRef test;
    std::chrono::steady_clock::time_point ended;
    bool used_aut = false;
  };
  /// The last tests that ended, oldest first (at most kEndedTestsKept): a
  /// stall found late is the newest of them that used the AUT and ended after
  /// its last frame, however many tests that never used it ran since.
  std::deque<EndedTest> ended_tests;
  static constexpr std::size_t kEndedTestsKept = 32;
  bool current_test_used_aut = false;  ///< ensure_ready() was called for current_test
  /// Set while a degradation found now is placed in an earlier test
  /// (stalled_before_current_test): blame() names it.
  std::optional<TestRef> stalled_in;
  /// The previous test, when the current degradation is blamed on it by
  /// stalled_before_current_test(); cleared with the degradation.
  std::string left_stalled_by;
  std::optional<std::string> started_for_suite;
  int tests_served = 0;  ///< tests that ran on the current AUT

  int respawns = 0;
  int consecutive_failed_starts = 0;
  std::string last_start_error;
  std::string pending_reason;  ///< why the next start happens (set by attach_or_start)
  std::string next_respawn_reason;  ///< set by next_respawn_reason(); the next ensure_ready() takes it
  std::optional<DegradedBlame> blame_on;   ///< set by blame_degradation_on()
  std::filesystem::path stall_stacks_dir;  ///< set by stall_stacks_to(); "" = the artifact or log dir
  std::optional<ReadyEvent> last_respawn;
  std::chrono::nanoseconds last_time_to_ready{0};

  HeartbeatMemory heartbeat;  ///< the frame the previous check saw, and since when
  CheckResult last_check;

  // Hang forensics: stacks are captured once per stalled AUT.
  pid_t stacks_pid = 0;
  std::filesystem::path stacks_file;
  /// Set when a diagnostic named stacks_file before it was written
  /// (capture_stall_stacks(why, true)); capture_deferred_stacks_locked() writes it.
  std::optional<StackCaptureOptions> deferred_stacks;

  // ---- state recording and attribution (app_handle_state.cpp) -------------

  /// Writes `state` to the state file; an error is logged once per distinct
  /// problem, never thrown (the file is a record for others). `durable`:
  /// fsync (status transitions); current-test updates, written twice per
  /// test, skip it (see write_state_file).
  /// What the state file's earlier owner left, when that owner is gone (a
  /// SIGKILLed standalone run): its private X server's socket and lock
  /// (remove_dead_x_server), said in the log. Called once, before our first
  /// write replaces the record. Never throws.
  void clean_up_after_dead_owner();
  /// A standalone owner's claim on its state file (docs/state-file.md
  /// "Concurrent runs"), before its first write as an owner: the flock on
  /// the file's lock (state_file_lock.hpp), held for the handle's life. When
  /// another live owner holds it — or records a live AUT there without a
  /// lock — state_path becomes a file of our own beside it, locked, and the
  /// log says so: two owners never write one record. A file named after its
  /// owner (a livegui-batch run's) is its owner's to lock, and a session
  /// guest taking over (was_guest) shares the session's record: nothing is
  /// taken. Never throws.
  void claim_state_file();
  /// At the handle's end: our own file removed, our lock dropped.
  void release_state_file();
  void write_state(bool durable = true);

  /// Records a health transition (and who to blame for a degradation, from
  /// the first sighting: at a test's start, the test before it); writes only
  /// when something changed.
  void set_status(AutStatus status, std::vector<std::string> reasons, bool at_test_start);

  /// The test to blame for what a check finds now. At the start of a test
  /// (ensure_ready), nothing of the current test has run yet.
  std::string blame(bool at_test_start) const;
  /// Records that `test` ended at `at` (previous_test, ended_tests).
  void note_test_ended(const TestRef& test, std::chrono::steady_clock::time_point at);
  /// A stall found during a test whose AUT rendered its last frame before
  /// the previous test ended (`last_frame_age` before `answered_at`): the
  /// heartbeat stopped in an earlier test — the first of ended_tests that
  /// ended after that frame — which is to blame, not the current one that
  /// found it. nullopt when the frame came in the current test, or any of
  /// those is unknown.
  std::optional<TestRef> stalled_before_current_test(const HealthReading& h,
                                                     std::chrono::steady_clock::time_point answered_at) const;
  /// Who is blamed for a degradation seen now (the state file's
  /// degraded_blame): the record another writer already made of this AUT,
  /// else blame_on, else this process's entry and degraded_during;
  /// std::nullopt when no test is known. Reads the state file.
  std::optional<DegradedBlame> first_blame();
  /// LIVEGUI_BATCH_ENTRY_NAME: the batcher's name of the entry this process
  /// serves; "" outside a batch.
  static std::string own_entry_name();

  /// Takes how the last AUT ended from the state file when its parent has
  /// recorded a status we do not know (keeping the test we blamed).
  void adopt_parents_exit_record();

  /// The batcher's stand-in test ("livegui-batch.<entry>"): nobody to blame.
  static bool stand_in(const std::string& test);

  /// Completes `rec` (the death of our AUT) with what the state file holds:
  /// the test a guest recorded it in, or the status its parent recorded.
  /// False when the file records another AUT since (a guest replaced ours):
  /// its owner's record is not ours to overwrite.
  bool merge_recorded_exit(ExitRecord& rec, bool status_known);

  /// Records the current AUT's death (once per AUT), blaming `during`, in the
  /// state file and the log. A session guest may block up to
  /// kParentRecordWait (1 s) for its parent's record of the status.
  void record_exit(const AutExit& exit, const std::string& during);

  /// `exit` of the current AUT as its parent recorded it, when we could not
  /// know the status (a session guest: "exited (status unknown: not our
  /// child)") and the state file's record, completed by record_exit(), does:
  /// "killed by SIGABRT", not the guest's guess. Otherwise `exit` unchanged.
  /// Reads the state file once when our record still lacks the status.
  AutExit with_recorded_status(const AutExit& exit);

  /// A session guest saw the death first: its parent (the batcher, woken by
  /// our write) completes the record with the status. Waits for that, bounded
  /// by kParentRecordWait: woken by the parent's write (the state file is
  /// replaced by a rename into its directory, so the directory is watched);
  /// without inotify, rechecked every 5 ms.
  void await_parents_exit_record();

  // ---- check, start / stop, forensics (app_handle_impl.cpp) ---------------

  /// The kernel's word (pidfd), then /health judged by the heartbeat rules
  /// (health_rules.hpp) and the pid answering on the port. Records the
  /// outcome (status, death, stacks of a stalled AUT). About one loopback
  /// round trip; a stall's first sighting adds the stack capture (seconds).
  CheckResult check_locked(bool at_test_start);

  /// check_locked() on a probe made elsewhere (a client's sighting): judges
  /// `p` by the heartbeat rules and records the outcome. `defer_stacks`: a
  /// stall's stacks are only named (capture_stall_stacks(why, true)), so
  /// judging never blocks on a debugger. No I/O of its own beyond the stacks.
  /// `earlier`: when `p` has no /health reading (the app did not answer), the
  /// client's last one during the current test and when it was read; the
  /// stalled-before-the-current-test rule is applied to it.
  CheckResult judge_locked(const Probe& p, bool at_test_start, bool defer_stacks,
                           std::chrono::steady_clock::time_point t0, const std::optional<EarlierReading>& earlier = {});

  /// Every thread's stack of the current AUT, the first time it is seen
  /// stalled or degraded while alive (the client's or our own check); bounded by a few
  /// seconds. The file goes to LIVEGUI_ARTIFACT_DIR (the batcher's report),
  /// else the AUT log directory. Returns the file ("" when none). `defer`:
  /// returns the file at once and leaves the capture to
  /// capture_deferred_stacks_locked() (which runs, at the latest, before the
  /// AUT is stopped or replaced).
  /// `app_answers` false: the app's hook server did not answer, so it is not
  /// asked for its own stacks (a debugger is).
  std::filesystem::path capture_stall_stacks(const std::string& why, bool defer = false, bool app_answers = true);

  /// Writes the stacks a deferred capture named, if any (bounded like
  /// capture_stall_stacks()); nothing when the AUT is gone by now.
  void capture_deferred_stacks_locked();

  /// "not starting the AUT <for_what>: its last N starts failed in a row (…); last error: …".
  std::string cap_message(const std::string& for_what) const;

  /// Starts a new AUT for `reason` (recorded as the respawn reason), blocking
  /// until it is ready or its start failed. Throws StartError, or
  /// AutUnavailable once the cap on consecutive failed starts is reached.
  void start_locked(const std::string& reason, const std::optional<TestRef>& for_test);

  /// Stops the current AUT. `take_over`: stop it even when it belongs to
  /// another owner (we are about to replace it).
  StopReport stop_locked(bool graceful, bool take_over);

  /// Begins stopping the current (owned, degraded) AUT without waiting; the
  /// caller starts the next one, then calls launcher->finish_retired().
  void retire_locked();

  // ---- the hook client's callbacks (app_handle_impl.cpp; they lock) -------

  /// How AUT `pid` ended ("killed by SIGSEGV", "stopped by the harness"), or
  /// std::nullopt while it is alive. Takes `mutex`.
  std::optional<std::string> exit_description_for(pid_t pid);

  /// Adds what the handle knows of AUT `pid` to a diagnostic: current test,
  /// log tail, exit status, and the file that holds (or will hold: the
  /// capture is deferred, see capture_stall_stacks) the stacks of a stalled
  /// AUT. Takes `mutex`; never blocks on a debugger.
  void add_context(DegradedInfo& info, pid_t pid);
};

}  // namespace livegui
