#pragma once
// format = "junit": one attempt of a runner that writes a JUnit XML report
// (batcher/run/junit_xml.hpp) turned into one result per test case. A report
// that is missing or not well-formed means the runner died before it
// finished: the entry gets CRASH (killed by a signal) or UNRESOLVED (exited
// without a report), with whatever the report said when it did exist.

#include <chrono>
#include <string>
#include <variant>

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
};

/// PASS, FAIL (<failure> and <error>), SKIPPED, and XFAIL for pytest's
/// <skipped type="pytest.xfail">. `name` is the result's test name.
TestResult from_junit_case(const JunitCase& c, const std::string& name, int attempt);

/// The tests the report lists, plus a process issue when the process ended
/// in a way the report does not explain (died, timed out, exited non-zero
/// with no failing test, no report). Never asks for a resume.
AttemptOutcome interpret_junit_attempt(const JunitEvidence& evidence);

/// The process issue for an attempt whose report is missing or torn, or
/// whose exit the tests do not explain; std::nullopt when all is explained.
/// `any_failed`: a reported test failed (a non-zero exit is then expected).
/// `exit_codes_ok`: exit codes that need no explanation besides 0 (pytest: 5 after a resume).
std::optional<TestResult> process_issue_for(const std::string& entry_name, const ExitStatus& status,
                                            StopCause stopped_for, std::chrono::milliseconds timeout,
                                            const std::string& interrupt_signal, const std::string& report_problem,
                                            bool any_failed, int attempt);

}  // namespace livegui::batch
