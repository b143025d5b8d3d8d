#pragma once
// format = "junit": one attempt of a runner that writes a JUnit XML report
// (batcher/run/junit_xml.hpp) turned into one result per test case. A report
// that is missing or not well-formed means the runner died before it
// finished: the entry gets CRASH (killed by a signal) or UNRESOLVED (exited
// without a report), with whatever the report said when it did exist.

#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include "batcher/run/classify.hpp"
#include "batcher/run/junit_xml.hpp"

namespace livegui::batch {

struct JunitEvidence {
  std::string entry_name;
  std::variant<JunitReport, JunitReadError> report = JunitReadError{"missing"};
  std::string report_file;  ///< for messages
  ExitStatus status;
  StopCause stopped_for = StopCause::None;
  std::chrono::milliseconds timeout{0};
  std::string interrupt_signal;
  int attempt = 1;
  /// The last line of the attempt's output (""= none): said when the runner
  /// ended without a complete report (e.g. pytest's "ImportError: Error
  /// importing plugin …" before it ran anything).
  std::string output_last_line;
};

/// Where an <error> testcase erred, from the message pytest gives it:
/// 'failed on setup with "…"' Setup, 'failed on teardown with "…"'
/// Teardown, "collection failure" Collection; any other runner's <error>
/// Unspecified (Surefire: an unexpected exception, not an assertion). None
/// for a case that is no <error>.
ErrorIn error_in_of_case(const JunitCase& c);

/// What a result's message starts with for `where`: "error in set-up: ",
/// "error in tear-down: ", "failed, then errored in tear-down: ",
/// "collection error in <test>: ", "error: " (Unspecified); "" for None.
std::string error_in_prefix(ErrorIn where, const std::string& test);

/// A failing case's text as a result's message says it: a <failure>'s
/// message; an <error>'s exception after its error_in_prefix ("error in
/// tear-down: RuntimeError: boom", not pytest's 'failed on teardown with
/// "RuntimeError: boom"'). "" for a case that did not fail.
std::string junit_failure_text(const JunitCase& c);

/// PASS, FAIL (<failure>; <error> with its error_in), SKIPPED, and XFAIL for
/// pytest's <skipped type="pytest.xfail">. `name` is the result's test name.
TestResult from_junit_case(const JunitCase& c, const std::string& name, int attempt);

/// One result for the testcases a report gives one name, in document order:
/// pytest writes a test whose body failed and whose tear-down raised as a
/// <failure> testcase and then an <error> one — one FAIL, error_in
/// CallAndTeardown, the body's text first. Any failing case makes it a FAIL.
TestResult from_junit_cases(const std::vector<const JunitCase*>& cases, const std::string& name, int attempt);

/// The tests the report lists, plus a process issue when the process ended
/// in a way the report does not explain (died, timed out, exited non-zero
/// with no failing test, no report). Never asks for a resume.
AttemptOutcome interpret_junit_attempt(const JunitEvidence& evidence);

/// The process issue for an attempt whose report is missing or torn, or
/// whose exit the tests do not explain; std::nullopt when all is explained.
/// `any_failed`: a reported test failed (a non-zero exit is then expected).
/// `output_last_line`: the output's last line, quoted when the runner ended
/// without a complete report ("" = none).
std::optional<TestResult> process_issue_for(const std::string& entry_name, const ExitStatus& status,
                                            StopCause stopped_for, std::chrono::milliseconds timeout,
                                            const std::string& interrupt_signal, const std::string& report_problem,
                                            bool any_failed, int attempt, const std::string& output_last_line = "");

}  // namespace livegui::batch
