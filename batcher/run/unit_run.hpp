#pragma once
// One unit's run, attempt by attempt: what to start (argv, env, log and
// report files), and what each attempt's end means. A crash inside a test
// blames that test and resumes the rest of the binary in a fresh process
// with a --gtest_filter that excludes every test already decided, so a crash
// loses one test, not the rest of the file. Processes are started and
// watched by the executor; this class only decides.

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "batcher/results.hpp"
#include "batcher/run/classify.hpp"
#include "batcher/run/gtest_stream.hpp"
#include "batcher/run/log_cap.hpp"
#include "batcher/run/report_formats.hpp"
#include "batcher/run/resume_filter.hpp"
#include "batcher/select/unit.hpp"
#include "harness/subprocess.hpp"

namespace livegui::batch {

struct RunContext {
  std::filesystem::path log_dir;               ///< per-attempt logs and gtest reports
  /// Per-attempt files only the run reads (GoogleTest's event stream and
  /// premature-exit marker), on tmpfs (tmpfs_scratch_dir); empty: log_dir.
  std::filesystem::path scratch_dir;
  std::map<std::string, std::string> env;      ///< added for every unit (state dir and file)
  std::map<std::string, std::string> aut_env;  ///< added for units that use the AUT
  std::size_t output_tail_lines = 30;
  /// Cap of one attempt's log (see cap_log); 0 = none.
  std::uint64_t max_log_bytes = kDefaultMaxEntryLogBytes;
};

struct AttemptSpec {
  int number = 1;
  SpawnOptions spawn;
  std::string filter;  ///< the --gtest_filter we added; "" = none
  std::filesystem::path log;
  std::filesystem::path json;
  std::filesystem::path premature_exit_file;
  /// Where the binary's GoogleTest event stream is kept (gtest_stream.hpp);
  /// "" = none (not GoogleTest, or the entry streams its results itself).
  /// The executor opens the sink and adds --gtest_stream_result_to.
  std::filesystem::path stream;
  ReportFiles reports;  ///< format = "junit" / "pytest": the report and event stream; empty otherwise
};

class UnitRun {
 public:
  UnitRun(const Unit& unit, const RunContext& context);

  const Unit& unit() const { return unit_; }
  /// The process to start next (the first attempt, or a resume). Touches no
  /// file: the caller removes stale reports before starting it.
  AttemptSpec next_attempt();
  /// The attempt's process could not be started; no more attempts.
  void spawn_failed(const std::string& why);
  /// Lists a GoogleTest binary's tests (--gtest_list_tests); throws
  /// std::runtime_error when the listing fails, DiscoveryInterrupted when an
  /// interrupt came during it (not a failure: no warning). Blocks (bounded).
  using TestLister = std::function<std::vector<std::string>()>;

  /// The attempt's process ended (by itself, or stopped by the executor).
  /// A unit whose tests were not listed before its run (the usual case: one
  /// spawn per entry) is listed with `list_tests` only when the run ended
  /// abnormally (crash, timeout, premature exit) and the tests it never
  /// reached must be named; a listing that fails leaves them unknown.
  void attempt_finished(const ExitStatus& status, StopCause stopped_for, std::chrono::nanoseconds took, pid_t pid,
                        const std::string& interrupt_signal = "SIGINT", const TestLister& list_tests = {});
  /// Names every file of `stacks` (captured before the last attempt was
  /// stopped for a timeout; empty paths are skipped) on its timed-out tests:
  /// the first in TestResult::stacks unless one is named already, the rest in
  /// other_stacks. Call after attempt_finished().
  void attach_stacks(const std::vector<std::filesystem::path>& stacks);
  /// True when the rest of the binary should run in a fresh process.
  bool wants_another_attempt() const { return resume_; }
  /// What that next process is: AttemptKind::WithoutStream when the binary
  /// is run again without GoogleTest's event stream, else a resume.
  AttemptKind next_attempt_kind() const {
    return rerun_without_stream_ ? AttemptKind::WithoutStream : AttemptKind::Resume;
  }
  /// The current attempt's log was capped (cap_log dropped `dropped` bytes
  /// from its start): its markers are read from <log>.1 and <log>, and the
  /// report says the output was cut.
  void log_capped(std::uint64_t dropped);
  /// Tests decided so far (for progress).
  std::size_t decided_tests() const { return tests_.size(); }
  /// Gives up on the pending resume (interrupted, fail-fast): the rest is SKIPPED with `why`.
  void abandon(const std::string& why);

  /// The entry's final result.
  EntryResult finish(std::chrono::nanoseconds total, std::int64_t started_unix_ms);

  /// A unit that never ran: SKIPPED (or UNRESOLVED when it could not run) with `why`.
  static EntryResult not_run(const Unit& unit, const RunContext& context, ResultCode code, const std::string& why);

 private:
  /// Each of `names` UNRESOLVED, "not run: <why>", in the current attempt.
  void add_not_run(const std::vector<std::string>& names, const std::string& why);
  EntryResult base_result() const;
  /// The pasteable line that reruns `e` by hand (by_hand_args): the whole
  /// entry, or the pytest test `pytest_test` alone.
  std::string by_hand_line(const EntryResult& e, const std::string& pytest_test = {}) const;
  /// The record of the current attempt, before its end is known (number, kind, retry, filter).
  AttemptRecord current_record() const;
  void take(AttemptOutcome out);
  /// Lists the binary (`list_tests`, once per unit) after an abnormal end:
  /// on success unit_.tests holds the listing (narrowed by the unit's
  /// filter), remaining_ the listed tests not decided, and it returns true.
  /// A listing that fails, or lacks a test `stream` says this run started (a
  /// main() that registers tests only when not listing), is not used: false,
  /// with listing_note_ saying why (nothing for an interrupt). Blocks while
  /// the listing runs (bounded by its own timeout); never throws.
  bool learn_unreached_tests(const GtestStream& stream, const TestLister& list_tests);
  /// Chooses the next process's --gtest_filter (resume_filter.hpp), or
  /// stops resuming when none fits.
  void plan_next_process();
  /// Gives the test the attempt was stopped in (TIMEOUT) or died in (CRASH),
  /// among tests_[from…], the time it ran: `took` less the others' times.
  void time_stopped_test(std::size_t from, std::chrono::nanoseconds took);

  Unit unit_;
  RunContext ctx_;
  std::string base_filter_;  ///< the first attempt's filter (unit's, else the entry's own)
  std::vector<TestResult> tests_;
  std::vector<std::string> decided_;  ///< names, for the resume filter
  /// Suites a process that was not a chunk finished: left out whole by a resume.
  FinishedSuites finished_suites_;
  /// The tests the first process announced ("Running N tests"); -1 = unknown.
  long announced_tests_ = -1;
  std::vector<std::string> remaining_;
  /// Known tests later chunks run (not asked of the current process).
  std::vector<std::string> pending_;
  std::optional<std::string> first_filter_;  ///< the first attempt's, when its own was too long: a chunk
  std::optional<std::string> next_filter_;   ///< the planned resume's filter (plan_next_process)
  bool next_is_chunk_ = false;               ///< the next process names a chunk of the remaining tests
  bool chunk_attempt_ = false;               ///< the current process runs a chunk
  bool rest_due_ = false;                    ///< chunks ran; the process for what no listing named has not
  std::vector<AttemptRecord> attempts_;
  std::vector<TestResult> process_issues_;
  AttemptSpec current_;
  bool resume_ = false;
  bool started_ = false;
  bool listing_tried_ = false;
  std::string listing_note_;          ///< why listing the tests failed ("" = it did not, or was not needed)
  bool current_capped_ = false;       ///< the current attempt's log was capped
  std::vector<int> capped_attempts_;  ///< numbers of the attempts whose logs were capped
  std::uint64_t dropped_bytes_ = 0;   ///< output dropped by capping, all attempts
  int accepted_failures_ = 0;         ///< failures the binary's own main() accepted (it exited 0), all attempts
  std::string stopped_resuming_;      ///< why a wanted resume did not happen ("" = none was refused)
  /// A resume exited non-zero although no test failed: warnings, not failures.
  std::vector<std::string> resume_exit_warnings_;
  /// Tests a resume ran although its filter left them out (the binary
  /// ignored it): their later results are dropped, the first kept.
  std::vector<std::string> ignored_filter_;
  bool stream_off_ = false;           ///< the binary does not survive GoogleTest's event stream: run without it
  bool rerun_without_stream_ = false;    ///< the next attempt runs the binary again, without the stream
  bool current_without_stream_ = false;  ///< the current attempt is that run (AttemptKind::WithoutStream)
};

/// The most attempts (the first run and its resumes) one entry runs.
inline constexpr std::size_t kMaxAttempts = 200;

}  // namespace livegui::batch
