#include "batcher/run/junit_results.hpp"

#include "common/text.hpp"

namespace livegui::batch {

TestResult from_junit_case(const JunitCase& c, const std::string& name, int attempt) {
  TestResult r;
  r.name = name;
  r.duration = c.duration;
  r.attempt = attempt;
  r.message = c.message;
  r.screenshot = c.screenshot;
  switch (c.outcome) {
    case JunitOutcome::Passed: r.code = ResultCode::Pass; break;
    case JunitOutcome::Failed: r.code = ResultCode::Fail; break;
    case JunitOutcome::Errored:
      r.code = ResultCode::Fail;
      r.message = "error: " + c.message;
      break;
    case JunitOutcome::Skipped:
      // pytest reports an expected failure as a skip of this type.
      if (c.type == "pytest.xfail") {
        r.code = ResultCode::XFail;
        r.message = "expected failure" + std::string(c.message.empty() ? "" : ": " + c.message);
        r.expected_by = ExpectedBy::Runner;
      } else {
        r.code = ResultCode::Skipped;
        if (r.message.empty()) r.message = "skipped by the test";
      }
      break;
  }
  return r;
}

std::optional<TestResult> process_issue_for(const std::string& entry_name, const ExitStatus& status,
                                            StopCause stopped_for, std::chrono::milliseconds timeout,
                                            const std::string& interrupt_signal, const std::string& report_problem,
                                            bool any_failed, int attempt) {
  TestResult r;
  r.name = entry_name;
  r.synthetic = true;
  r.attempt = attempt;
  std::string report = report_problem.empty() ? "" : "; its JUnit report is " + report_problem;
  if (stopped_for == StopCause::Timeout || stopped_for == StopCause::TestTimeout) {
    r.code = ResultCode::Timeout;
    r.message = "timed out after " + human_duration(timeout) + " and was stopped" + report;
  } else if (stopped_for == StopCause::Interrupt) {
    // It was stopped before it ended: its result is unknown, not "not run".
    r.code = ResultCode::Unresolved;
    r.message = "interrupted by " + interrupt_signal + " while running: stopped before it ended, its result is unknown";
  } else if (status.signaled) {
    r.code = ResultCode::Crash;
    r.message = "the runner was " + status.describe() + report;
  } else if (!report_problem.empty()) {
    r.code = ResultCode::Unresolved;
    r.message = "the runner ended (" + status.describe() + ") without a complete JUnit report: it is " + report_problem;
  } else if (status.code != 0 && !any_failed) {
    r.code = ResultCode::Fail;
    r.message = "the runner exited with " + status.describe() + " though no test in its report failed";
  } else {
    return std::nullopt;
  }
  return r;
}

AttemptOutcome interpret_junit_attempt(const JunitEvidence& ev) {
  AttemptOutcome out;
  std::string problem;
  bool any_failed = false;
  if (const auto* report = std::get_if<JunitReport>(&ev.report)) {
    for (const auto& c : report->cases) {
      TestResult r = from_junit_case(c, c.full_name(), ev.attempt);
      any_failed = any_failed || r.code == ResultCode::Fail;
      out.results.push_back(std::move(r));
    }
  } else {
    problem = std::get<JunitReadError>(ev.report).why + " (" + ev.report_file + ")";
  }
  out.process_issue = process_issue_for(ev.entry_name, ev.status, ev.stopped_for, ev.timeout, ev.interrupt_signal,
                                        problem, any_failed, ev.attempt);
  out.abnormal = ev.status.signaled || ev.stopped_for != StopCause::None || !problem.empty();
  return out;
}

}  // namespace livegui::batch
