#pragma once
// The run layer: starts units (up to -j at once; units that use the AUT one
// at a time and in plan order), watches them with poll() on their pidfds and
// the interrupt signalfd, enforces timeouts (SIGTERM to the group, grace,
// SIGKILL), resumes a binary after a crash, checks the AUT state file before
// every AUT entry, and reports each finished entry to the display.
//
// Interrupts: the first SIGINT/SIGTERM stops the running entries' groups
// cleanly and marks everything not run SKIPPED; a second one kills at once.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "batcher/display/display.hpp"
#include "batcher/results.hpp"
#include "batcher/run/unit_run.hpp"
#include "batcher/select/discovery.hpp"
#include "batcher/select/unit.hpp"

namespace livegui::batch {

class InterruptSignals;
class StateGuard;
class AutSession;

struct ExecutorOptions {
  int jobs = 1;
  bool fail_fast = false;
  std::chrono::milliseconds term_grace{3000};      ///< SIGTERM → SIGKILL for a stopped entry
  std::chrono::milliseconds kill_wait{2000};       ///< SIGKILL → give up waiting
  std::chrono::milliseconds tick{200};             ///< display refresh / state-file polling (and test_timeout checks)
  std::chrono::milliseconds list_timeout{kListTimeout};  ///< a --gtest_list_tests run after an abnormal end
  std::chrono::milliseconds stacks_budget{8000};   ///< capturing stacks of a timed-out entry (binary, then AUT)
  RunContext run;
};

/// Everything the executor needs to know about one tier.
struct TierJob {
  std::string name;
  bool uses_aut = false;
  std::vector<Unit> units;        ///< plan order
  AutSession* session = nullptr;  ///< session scope: the tier's AUT; nullptr = file scope
};

class Executor {
 public:
  /// `signals`, `guard` may be null (no interrupts / no state checks).
  Executor(ExecutorOptions options, Display& display, InterruptSignals* signals, StateGuard* guard,
           std::size_t total_units);
  ~Executor();

  /// Runs one tier. Returns one result per unit, in plan order; units not
  /// run (interrupt, fail-fast) are SKIPPED with the reason.
  std::vector<EntryResult> run_tier(const TierJob& tier, TierResult& tier_result);

  bool interrupted() const { return interrupted_; }
  std::string interrupt_reason() const { return interrupt_reason_; }
  bool stopped() const { return interrupted_ || fail_fast_stop_; }

 private:
  struct Job;
  struct PreviousAutEntry {
    std::string name;
    std::string id;
    std::int64_t started_unix_ms = 0;
    /// When its process ended (its last attempt): an AUT frame drawn after
    /// this shows its main loop outlived the entry (AutSession::await_progress).
    std::chrono::steady_clock::time_point ended{};
    /// Its LIVEGUI_ARTIFACT_DIR: where the stacks of a stall it left go.
    std::filesystem::path artifact_dir;
  };

  bool start_next(const TierJob& tier, std::vector<std::size_t>& pending,
                  std::vector<std::optional<EntryResult>>& results);
  void start_unit(const TierJob& tier, std::size_t index, std::vector<std::optional<EntryResult>>& results);
  bool spawn_attempt(Job& job);
  void poll_once(const TierJob& tier, std::vector<std::optional<EntryResult>>& results);
  void service(Job& job, const TierJob& tier, std::vector<std::optional<EntryResult>>& results);
  void complete_attempt(Job& job, const TierJob& tier, std::vector<std::optional<EntryResult>>& results);
  void finish_job(Job& job, const TierJob& tier, std::vector<std::optional<EntryResult>>& results);
  /// When the entry's retry policy says so: prepares the job to run the
  /// failed tests again (fresh AUT), keeping `result` to merge. The caller spawns.
  bool start_retry(Job& job, const TierJob& tier, EntryResult& result);
  void handle_signals();
  /// Before an AUT entry: the state check, the session AUT ensured; what the
  /// last entry's harness did to the session AUT becomes a warning of that
  /// entry's result in `results` (nullptr for a retry: the job's own).
  void before_aut_entry(const TierJob& tier, const Unit& unit, Job& job,
                        std::vector<std::optional<EntryResult>>* results = nullptr);
  /// At a tier's end: the last state check; an AUT that ended with the last
  /// AUT entry becomes a warning of that entry's result in `results`.
  void end_of_tier_check(const TierJob& tier, TierResult& tier_result,
                         std::vector<std::optional<EntryResult>>& results);
  /// Stops what entries left behind; each process is charged to the entry
  /// whose environment it inherited (found in `blame` or among `earlier`,
  /// the tier's finished results), else to `blame`.
  void sweep_orphans(const std::string& tier, EntryResult* blame, std::vector<std::optional<EntryResult>>& earlier);
  std::string stop_reason() const;

  ExecutorOptions options_;
  Display& display_;
  InterruptSignals* signals_;
  StateGuard* guard_;
  std::size_t total_units_;
  std::size_t started_ = 0;
  std::size_t finished_ = 0;
  std::vector<std::unique_ptr<Job>> running_;
  bool interrupted_ = false;
  bool killed_ = false;
  std::string interrupt_reason_;
  bool fail_fast_stop_ = false;
  std::string fail_fast_reason_;
  PreviousAutEntry previous_aut_;
  std::int64_t batch_started_unix_ms_ = 0;
  std::chrono::steady_clock::time_point next_observe_{};
  std::set<pid_t> session_children_;  ///< started by the session AUT (AUT, Xvfb): not orphans
  /// An entry that ended since the last orphan sweep: an orphan whose
  /// environment names no entry came from one of those that had started
  /// before it did.
  struct EndedEntry {
    std::string id;                ///< "tier/name"
    std::string name;              ///< as the reports spell it
    std::uint64_t started = 0;     ///< its first attempt's start (clock ticks since boot); 0 = unknown
  };
  std::vector<EndedEntry> ended_since_sweep_;
  /// The tier run_tier is running: warnings that belong to no one entry.
  TierResult* tier_result_ = nullptr;
  /// The batcher stopped an entry's process group (its timeout, an interrupt,
  /// processes left in its group) since the last orphan sweep: what goes down
  /// with that stop outside the group (a runner's helper that dies with its
  /// parent through PDEATHSIG, e.g. livegui_pytest's livegui-aut) gets a
  /// moment to go before the sweep calls anything an orphan.
  bool stopped_an_entry_ = false;
  /// Entries that did not die within kill_wait of SIGKILL (stuck in the
  /// kernel, or slow to die): our unreaped children, kept without waiting
  /// for them (that would hold up every other entry) and reaped by
  /// reap_stuck() when they finally exit.
  std::vector<Subprocess> stuck_;
  /// Reaps the stuck children that have exited since. Never blocks.
  void reap_stuck();
  /// Reaps, at most every `tick`, the zombies of orphans adopted while
  /// entries run (never an entry, the session's children or a stuck one:
  /// their statuses are still wanted). Never blocks, signals nothing.
  void reap_orphan_zombies();
  std::chrono::steady_clock::time_point next_zombie_reap_{};
};

/// Wall-clock milliseconds since the epoch.
std::int64_t unix_ms_now();

}  // namespace livegui::batch
