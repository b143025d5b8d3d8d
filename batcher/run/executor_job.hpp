#pragma once
// Private to the executor's files (executor*.cpp): one running entry, from
// its first attempt to its result — the process, its deadlines and phase,
// what its retries and AUT checks have found so far.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "batcher/results.hpp"
#include "batcher/run/classify.hpp"
#include "batcher/run/executor.hpp"
#include "batcher/run/gtest_stream_sink.hpp"
#include "batcher/run/hang_forensics.hpp"
#include "batcher/run/retry.hpp"
#include "batcher/run/test_watch.hpp"
#include "batcher/run/unit_run.hpp"
#include "batcher/select/unit.hpp"
#include "harness/subprocess.hpp"

namespace livegui::batch {

namespace executor_detail {
/// Where a job's stop stands: running, SIGTERM sent (grace), SIGKILL sent.
enum class Phase { Running, Terminating, Killing };
}  // namespace executor_detail

/// One entry the executor runs (its attempts, retries included).
struct Executor::Job {
  std::size_t index = 0;
  const Unit* unit = nullptr;
  std::unique_ptr<UnitRun> run;
  Subprocess proc;
  std::optional<ExitStatus> status;
  StopCause cause = StopCause::None;
  executor_detail::Phase phase = executor_detail::Phase::Running;
  std::chrono::steady_clock::time_point unit_started{};
  std::chrono::steady_clock::time_point attempt_started{};
  std::chrono::steady_clock::time_point deadline{};
  std::chrono::steady_clock::time_point phase_deadline{};
  std::int64_t started_unix_ms = 0;
  std::optional<DirtyStart> dirty_start;
  std::vector<std::string> warnings;
  bool session_aut_unavailable = false;  ///< the batcher could not start the session AUT for it
  std::filesystem::path log;             ///< the current attempt's log (capped while it runs)
  pid_t pid = 0;                         ///< the current attempt's (proc may have been handed to stuck_)
  std::uint64_t first_start_time = 0;    ///< the first attempt's start (clock ticks since boot, proc(5))
  // Retry on infrastructure failure (retry.hpp): the entry so far, the
  // retry's unit and decision, how many retries were spent.
  std::optional<EntryResult> before_retry;
  std::unique_ptr<Unit> retry_unit;
  RetryDecision retry;
  int retries_done = 0;
  std::size_t timeline_mark = 0;  ///< AUT events from here on happened in the current run
  // Hang forensics and the per-test timeout.
  std::filesystem::path artifact_dir;   ///< LIVEGUI_ARTIFACT_DIR of the running attempt
  std::filesystem::path python_stacks;  ///< the running pytest attempt's LIVEGUI_PYTHON_STACKS_FILE ("" = none)
  std::optional<TestWatch> test_watch;  ///< with test_timeout: which test runs, since when
  HangStacks hang_stacks;               ///< captured before a timed-out attempt was stopped
  std::unique_ptr<GtestStreamSink> stream;  ///< the current attempt's GoogleTest event stream; null = none

  // The stop escalation of common/stop_escalation.hpp, driven by the
  // executor's poll loop instead of blocking in it: each step signals the
  // entry's own process group (Subprocess::signal_group: it leads it) and
  // sets the phase and its deadline; poll_once() takes the next step when
  // the deadline passes and the group is not gone.
  /// SIGTERM + SIGCONT (a stopped process cannot act on SIGTERM) to the
  /// group; Phase::Terminating until `now + term_grace`.
  void start_terminating(std::chrono::steady_clock::time_point now, std::chrono::milliseconds term_grace);
  /// SIGKILL to the group; Phase::Killing until `now + kill_wait`.
  void start_killing(std::chrono::steady_clock::time_point now, std::chrono::milliseconds kill_wait);
};

}  // namespace livegui::batch
