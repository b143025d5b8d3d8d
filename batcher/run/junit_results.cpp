#include "batcher/run/junit_results.hpp"

#include <algorithm>
#include <map>

#include "common/text.hpp"

namespace livegui::batch {
namespace {

/// pytest's JUnit messages of an error (_pytest/junitxml.py, append_error
/// and append_collect_error): 'failed on <when> with "<exception>"'.
constexpr std::string_view kOnSetup = "failed on setup with \"";
constexpr std::string_view kOnTeardown = "failed on teardown with \"";
constexpr std::string_view kCollectionFailure = "collection failure";

bool starts_with(const std::string& s, std::string_view prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

/// The exception of an <error>: pytest's quoted one; of a collection
/// failure the last "E   " line of its traceback (the lines it quotes deeper
/// in are indented further); of another runner, its message.
std::string error_exception(const JunitCase& c, ErrorIn where) {
  if (where == ErrorIn::Setup || where == ErrorIn::Teardown) {
    const std::size_t skip = where == ErrorIn::Setup ? kOnSetup.size() : kOnTeardown.size();
    std::string quoted = c.message.substr(skip);
    if (!quoted.empty() && quoted.back() == '"') quoted.pop_back();
    return quoted;
  }
  if (where == ErrorIn::Collection) {
    std::string found;
    std::size_t pos = 0;
    while (pos < c.text.size()) {
      std::size_t nl = c.text.find('\n', pos);
      std::string line = c.text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
      if (line.size() > 4 && starts_with(line, "E   ") && line[4] != ' ') found = line.substr(4);
      if (nl == std::string::npos) break;
      pos = nl + 1;
    }
    return found.empty() ? c.message : found;
  }
  return c.message;
}

}  // namespace

ErrorIn error_in_of_case(const JunitCase& c) {
  if (c.outcome != JunitOutcome::Errored) return ErrorIn::None;
  if (starts_with(c.message, kOnSetup)) return ErrorIn::Setup;
  if (starts_with(c.message, kOnTeardown)) return ErrorIn::Teardown;
  if (c.message == kCollectionFailure) return ErrorIn::Collection;
  return ErrorIn::Unspecified;
}

std::string error_in_prefix(ErrorIn where, const std::string& test) {
  switch (where) {
    case ErrorIn::None: return "";
    case ErrorIn::Setup: return "error in set-up: ";
    case ErrorIn::Teardown: return "error in tear-down: ";
    case ErrorIn::CallAndTeardown: return "failed, then errored in tear-down: ";
    case ErrorIn::Collection: return "collection error in " + test + ": ";
    case ErrorIn::Unspecified: return "error: ";
  }
  return "";
}

std::string junit_failure_text(const JunitCase& c) {
  if (c.outcome == JunitOutcome::Failed) return c.message;
  if (c.outcome != JunitOutcome::Errored) return {};
  const ErrorIn where = error_in_of_case(c);
  return error_in_prefix(where, c.full_name()) + error_exception(c, where);
}

TestResult from_junit_case(const JunitCase& c, const std::string& name, int attempt) {
  TestResult r;
  r.name = name;
  r.duration = c.duration;
  r.attempt = attempt;
  r.message = c.message;
  r.screenshot = c.screenshot;
  r.output = c.output;  // its own, never the whole run's (junit_report.cpp)
  switch (c.outcome) {
    case JunitOutcome::Passed: r.code = ResultCode::Pass; break;
    case JunitOutcome::Failed: r.code = ResultCode::Fail; break;
    case JunitOutcome::Errored:
      // An error is not an assertion's failure: where it was, when known.
      r.code = ResultCode::Fail;
      r.error_in = error_in_of_case(c);
      r.message = error_in_prefix(r.error_in, name) + error_exception(c, r.error_in);
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

TestResult from_junit_cases(const std::vector<const JunitCase*>& cases, const std::string& name, int attempt) {
  TestResult r = from_junit_case(*cases.front(), name, attempt);
  if (cases.size() == 1) return r;
  std::vector<const JunitCase*> failing;
  for (const JunitCase* c : cases)
    if (c->outcome == JunitOutcome::Failed || c->outcome == JunitOutcome::Errored) failing.push_back(c);
  for (const JunitCase* c : cases) {
    r.duration = std::max<std::chrono::nanoseconds>(r.duration, c->duration);
    if (r.screenshot.empty()) r.screenshot = c->screenshot;
  }
  if (failing.empty()) return r;
  if (failing.size() == 1) {
    TestResult one = from_junit_case(*failing.front(), name, attempt);
    one.duration = r.duration;
    if (one.screenshot.empty()) one.screenshot = r.screenshot;
    return one;
  }
  r.code = ResultCode::Fail;
  r.output.clear();
  for (const JunitCase* c : failing) r.output += c->output;
  const bool body_failed = failing.front()->outcome == JunitOutcome::Failed;
  const bool teardown_erred = std::any_of(failing.begin() + 1, failing.end(),
                                          [](const JunitCase* c) { return error_in_of_case(*c) == ErrorIn::Teardown; });
  r.error_in = body_failed && teardown_erred ? ErrorIn::CallAndTeardown
               : body_failed                 ? ErrorIn::None
                                             : error_in_of_case(*failing.front());
  // Every failing case's text, the body's first (CallAndTeardown: "failed,
  // then errored in tear-down: assert 1 == 2\nerror in tear-down: …").
  std::string text;
  for (const JunitCase* c : failing) {
    const std::string said = junit_failure_text(*c);
    if (!said.empty()) text += (text.empty() ? "" : "\n") + said;
  }
  r.message = r.error_in == ErrorIn::CallAndTeardown ? error_in_prefix(r.error_in, name) + text : text;
  return r;
}

std::optional<TestResult> process_issue_for(const std::string& entry_name, const ExitStatus& status,
                                            StopCause stopped_for, std::chrono::milliseconds timeout,
                                            const std::string& interrupt_signal, const std::string& report_problem,
                                            bool any_failed, int attempt, const std::string& output_last_line) {
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
    if (!output_last_line.empty()) r.message += "; its output ends: " + output_last_line;
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
  const auto* report = std::get_if<JunitReport>(&ev.report);
  const auto* broken = std::get_if<JunitReadError>(&ev.report);
  // A report cut off keeps the cases it wrote whole: what was known.
  const std::vector<JunitCase>* cases = report ? &report->cases : broken ? &broken->complete : nullptr;
  if (cases) {
    // One result per name: pytest reports a body's failure and then its
    // tear-down's error as two testcases of one name.
    std::map<std::string, std::vector<const JunitCase*>> by_name;
    std::vector<std::string> order;
    for (const auto& c : *cases) {
      auto& cases = by_name[c.full_name()];
      if (cases.empty()) order.push_back(c.full_name());
      cases.push_back(&c);
    }
    for (const auto& name : order) {
      TestResult r = from_junit_cases(by_name[name], name, ev.attempt);
      any_failed = any_failed || r.code == ResultCode::Fail;
      out.results.push_back(std::move(r));
    }
  }
  if (broken) problem = broken->why + " (" + ev.report_file + ")";
  out.process_issue = process_issue_for(ev.entry_name, ev.status, ev.stopped_for, ev.timeout, ev.interrupt_signal,
                                        problem, any_failed, ev.attempt, ev.output_last_line);
  out.abnormal = ev.status.signaled || ev.stopped_for != StopCause::None || !problem.empty();
  return out;
}

}  // namespace livegui::batch
