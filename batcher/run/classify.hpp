#pragma once
// From evidence to result codes: how a finished (or stopped) process, its
// gtest markers and its JSON report turn into one result per test, whether
// the rest of the binary should be resumed in a fresh process, and how the
// plan's expected failures change the codes.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "batcher/results.hpp"
#include "batcher/run/expectations.hpp"
#include "batcher/run/gtest_output.hpp"
#include "harness/subprocess.hpp"

namespace livegui::batch {

/// Why the batcher stopped a process (None: it ended by itself).
/// TestTimeout: one test ran longer than the entry's test_timeout; the rest
/// of the binary is resumed, as after a crash.
enum class StopCause { None, Timeout, Interrupt, TestTimeout };

/// Everything one attempt of a GoogleTest binary left behind.
struct AttemptEvidence {
  std::vector<std::string> expected_tests;  ///< what this attempt was asked to run, in order
  bool tests_known = true;                  ///< false: the binary was not listed; expected_tests is empty
  GtestProgress progress;                   ///< from the log's markers
  std::optional<GtestJsonReport> json;      ///< GTEST_OUTPUT, when written
  ExitStatus status;
  StopCause stopped_for = StopCause::None;
  bool premature_exit = false;                ///< TEST_PREMATURE_EXIT_FILE was left behind
  std::chrono::milliseconds timeout{0};       ///< for the timeout message
  std::chrono::milliseconds test_timeout{0};  ///< for the per-test timeout message
  std::string interrupt_signal;               ///< "SIGINT", for the interrupt message
  int attempt = 1;
};

struct AttemptOutcome {
  std::vector<TestResult> results;          ///< tests this attempt decided
  std::vector<std::string> remaining;       ///< expected tests with no result yet
  bool resume = false;                      ///< run the rest (all but the decided tests) in a fresh process
  std::optional<TestResult> process_issue;  ///< a failure no test can be blamed for
  bool abnormal = false;                    ///< crashed, exited early, or was stopped
  /// No GoogleTest test ran (RUN_ALL_TESTS() was never called: no banner, no
  /// report, nothing expected): judge the process by its exit code.
  bool no_gtest_run = false;
  /// Failures GoogleTest reported although the binary exited with exit code
  /// 0: its own main() accepted them. They are XFAIL, with kAcceptedByOwnMain.
  int accepted_failures = 0;
  /// process_issue is a FAIL for a non-zero exit code although no test
  /// failed (a main() that checks its own count of tests run, say).
  bool failed_without_a_failing_test = false;
};

/// The message prefix of a failure the binary's own main() accepted (it
/// exited 0 although GoogleTest reported the failure).
inline constexpr std::string_view kAcceptedByOwnMain =
    "expected failure: the test binary exited with exit code 0 although GoogleTest reported this failure "
    "(its own main() accepts it, as ctest does)";

/// Interprets one attempt. Tests that will never run (no resume) are given
/// their final code here too (SKIPPED after a timeout or interrupt,
/// UNRESOLVED when the binary died before reaching them). A test running
/// when the batch was interrupted is UNRESOLVED (it never ended), and so is
/// a binary interrupted outside any test before it ended.
AttemptOutcome interpret_gtest_attempt(const AttemptEvidence& evidence);

/// A GoogleTest binary that ran no GoogleTest test (AttemptOutcome::
/// no_gtest_run): judged by its exit status like a command, except that exit
/// code 77 is no skip (ctest fails it too); UNRESOLVED when GoogleTest printed
/// its flag help instead (an unknown --gtest_… argument among `args`).
TestResult interpret_no_gtest_run(const std::string& name, const AttemptEvidence& ev,
                                  const std::vector<std::string>& args);

/// A command judged by its exit status: 0 = PASS, 77 = SKIPPED (the automake
/// convention), a signal = CRASH, anything else = FAIL; stopped at its
/// timeout = TIMEOUT, stopped by an interrupt of the batch = UNRESOLVED.
TestResult interpret_command(const std::string& name, const ExitStatus& status, StopCause stopped_for,
                             std::chrono::milliseconds timeout, const std::string& interrupt_signal);

/// The entry's code: the worst of its tests (PASS when it has none).
ResultCode rollup(const std::vector<TestResult>& tests);

}  // namespace livegui::batch
