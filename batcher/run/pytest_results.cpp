#include "batcher/run/pytest_results.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "batcher/run/junit_results.hpp"
#include "common/text.hpp"

namespace livegui::batch {
namespace {

/// pytest's exit codes (pytest.ExitCode).
constexpr int kTestsFailed = 1;
constexpr int kUsageError = 4;  // pytest's ExitCode.USAGE_ERROR: it printed "ERROR: …" and ran nothing
constexpr int kNoTestsCollected = 5;

/// Where a failed test's error was, from the stream's "phase": an "error"
/// in set-up, tear-down or collection, or a "failed" body whose tear-down
/// raised too.
ErrorIn error_in_of(const EndedTest& t) {
  if (t.failed_in.empty()) return ErrorIn::None;
  if (t.outcome == EventOutcome::Errored) {
    switch (t.failed_in.front()) {
      case TestPhase::Collect: return ErrorIn::Collection;
      case TestPhase::Setup: return ErrorIn::Setup;
      case TestPhase::Teardown: return ErrorIn::Teardown;
      case TestPhase::Call: return ErrorIn::None;
    }
  }
  const auto in = [&](TestPhase p) {
    return std::find(t.failed_in.begin(), t.failed_in.end(), p) != t.failed_in.end();
  };
  if (t.outcome == EventOutcome::Failed && in(TestPhase::Call) && in(TestPhase::Teardown))
    return ErrorIn::CallAndTeardown;
  return ErrorIn::None;
}

TestResult from_event(const EndedTest& t, int attempt) {
  TestResult r;
  r.name = t.test;
  r.duration = t.duration;
  r.attempt = attempt;
  r.message = t.message;
  // The AUT's state when the test failed: a failure's fact only.
  if (t.outcome == EventOutcome::Failed || t.outcome == EventOutcome::Errored) r.aut_unhealthy = t.aut_unhealthy;
  switch (t.outcome) {
    case EventOutcome::Passed: r.code = ResultCode::Pass; break;
    case EventOutcome::Failed:
      r.code = ResultCode::Fail;
      r.error_in = error_in_of(t);
      break;
    case EventOutcome::Errored:
      r.code = ResultCode::Fail;
      r.error_in = error_in_of(t);
      // Without a phase (another runner's stream): an error, somewhere.
      if (r.error_in == ErrorIn::None) r.error_in = ErrorIn::Unspecified;
      break;
    case EventOutcome::Skipped:
      r.code = ResultCode::Skipped;
      if (r.message.empty()) r.message = "skipped by the test";
      break;
    case EventOutcome::XFailed:
      r.code = ResultCode::XFail;
      r.message = "expected failure (pytest xfail)" + std::string(t.message.empty() ? "" : ": " + t.message);
      r.expected_by = ExpectedBy::Runner;
      break;
    case EventOutcome::XPassed:
      // pytest's non-strict xfail: a pass it reports, not a failure.
      r.code = ResultCode::Pass;
      r.message = "passed though marked xfail (not strict)";
      break;
  }
  return r;
}

/// A note ("fresh AUT: …") goes with the result, never instead of it: after
/// the message, whose first line is what one-line views show.
std::string with_note(const std::string& message, const std::string& note) {
  if (note.empty()) return message;
  return message.empty() ? note : message + "\n" + note;
}

/// The failure texts of `cases`, in document order. pytest reports a test
/// that fails in its body and again in its tear-down as two testcases of the
/// same name (<failure>, then <error>): both are kept, the body's first, the
/// error as format = "junit" says it ("error in tear-down: …").
std::string failure_text(const std::vector<const JunitCase*>& cases) {
  std::string out;
  for (const JunitCase* c : cases)
    if (const std::string said = junit_failure_text(*c); !said.empty()) out += (out.empty() ? "" : "\n") + said;
  return out;
}

std::string aut_unhealthy_of(const std::vector<const JunitCase*>& cases) {
  for (const JunitCase* c : cases)
    if (!c->aut_unhealthy.empty()) return c->aut_unhealthy;
  return {};
}

std::string screenshot_of(const std::vector<const JunitCase*>& cases) {
  for (const JunitCase* c : cases)
    if (!c->screenshot.empty()) return c->screenshot;
  return {};
}

}  // namespace

std::string junit_key_of_node_id(const std::string& node_id) {
  // The parameter part ("[a/b::c]") is kept verbatim; only the path and the
  // "::" separators before it are rewritten.
  auto bracket = node_id.find('[');
  std::string head = node_id.substr(0, bracket);
  std::string params = bracket == std::string::npos ? "" : node_id.substr(bracket);
  std::string out;
  std::size_t pos = 0;
  bool first = true;
  while (true) {
    auto sep = head.find("::", pos);
    std::string part = head.substr(pos, sep == std::string::npos ? std::string::npos : sep - pos);
    if (first) {
      if (part.size() > 3 && part.compare(part.size() - 3, 3, ".py") == 0) part.resize(part.size() - 3);
      for (auto& ch : part)
        if (ch == '/') ch = '.';
      first = false;
    }
    out += (out.empty() ? "" : ".") + part;
    if (sep == std::string::npos) break;
    pos = sep + 2;
  }
  return out + params;
}

namespace {

/// The key of a testcase of pytest's own report: always "classname.name",
/// even when the two are equal (test_x.py::test_x at the rootdir), where the
/// general JUnit reading (JunitCase::full_name) shortens it to the name.
/// Without the run's --junit-prefix `prefix`, which node ids do not carry.
std::string pytest_case_key(const JunitCase& c, const std::string& prefix) {
  std::string classname = c.classname;
  if (!prefix.empty() && classname.size() > prefix.size() && classname.compare(0, prefix.size(), prefix) == 0 &&
      classname[prefix.size()] == '.')
    classname.erase(0, prefix.size() + 1);
  return classname.empty() ? c.name : classname + "." + c.name;
}

/// pytest ended a test it had started, then finished its session: the test
/// stopped pytest itself (pytest.exit(), a KeyboardInterrupt it raised).
bool stopped_itself(const PytestEvidence& ev) {
  return ev.events.running && ev.events.finished && ev.stopped_for == StopCause::None;
}

/// A death in a test or a per-test timeout is resumed (not the entry's
/// timeout, an interrupt, or pytest stopping itself): the rest of the file
/// runs on.
/// The stream's "collected" event names no test this attempt leaves
/// undecided: each ended, or is the running one (blamed for the death).
bool nothing_left(const PytestEvidence& ev) {
  if (!ev.events.collected) return false;
  std::set<std::string> decided;
  for (const auto& e : ev.events.ended) decided.insert(e.test);
  if (ev.events.running) decided.insert(*ev.events.running);
  for (const auto& t : ev.events.also_running) decided.insert(t);
  return std::all_of(ev.events.collected->begin(), ev.events.collected->end(),
                     [&](const std::string& t) { return decided.count(t) > 0; });
}

bool resumes_after(const PytestEvidence& ev) {
  // Nothing left to resume (a module's tear-down died after its last test):
  // a resume would only run pytest to collect nothing.
  return ev.events.running && !stopped_itself(ev) && !nothing_left(ev) &&
         (ev.stopped_for == StopCause::None || ev.stopped_for == StopCause::TestTimeout);
}

/// With the stream's "collected" event: the tests pytest listed and never
/// started, when nothing will run them (the entry timed out or was
/// interrupted, or pytest ended without them): SKIPPED "not run: …", as for a
/// GoogleTest entry. After a death or a per-test timeout the resume runs them.
void add_never_reached(const PytestEvidence& ev, AttemptOutcome& out) {
  if (!ev.events.collected) return;
  const bool resumed = resumes_after(ev);
  if (resumed) return;
  std::string why;
  if (ev.stopped_for == StopCause::Timeout)
    why = "not run: the entry timed out" + (ev.events.running ? " during " + *ev.events.running : std::string());
  else if (ev.stopped_for == StopCause::Interrupt)
    why = "not run: interrupted by " + ev.interrupt_signal;
  else if (ev.stopped_for == StopCause::TestTimeout)
    why = "not run: pytest was stopped for the plan's test_timeout";
  else if (ev.events.finished)
    why = "not run: pytest ended (" + ev.status.describe() + ") without starting it";
  else
    why = "not run: pytest " + std::string(ev.status.signaled ? "was " : "ended (") + ev.status.describe() +
          (ev.status.signaled ? "" : ")") + " before reaching it";
  // Stopped or ended by choice: not run. Died between tests: we cannot tell.
  const ResultCode code =
      ev.stopped_for != StopCause::None || ev.events.finished ? ResultCode::Skipped : ResultCode::Unresolved;
  std::set<std::string> decided;
  for (const auto& r : out.results) decided.insert(r.name);
  if (ev.events.running) decided.insert(*ev.events.running);
  for (const auto& name : *ev.events.collected) {
    if (!decided.insert(name).second) continue;
    out.results.push_back(decided_result(name, code, why, ev.attempt));
  }
}

}  // namespace

std::string pytest_usage_error_line(const std::string& output) {
  std::istringstream in(output);
  std::string line, found, exception;
  bool conftest = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (found.empty()) {
      // pytest's UsageError ("ERROR: …"), or a conftest.py it could not import.
      conftest = line.find(" while loading conftest ") != std::string::npos;
      if (line.rfind("ERROR: ", 0) == 0 || conftest) found = line;
      if (!found.empty() && !conftest) break;
      continue;
    }
    // The exception, in pytest's traceback: "E   SyntaxError: invalid
    // syntax", after the lines it quotes deeper in ("E     File …", the
    // source line, its caret). The last such line of the block is it.
    if (line.rfind("E   ", 0) == 0) {
      if (line.size() > 4 && line[4] != ' ') exception = line.substr(4);
      continue;
    }
    if (!exception.empty()) break;  // the block ended
  }
  if (!exception.empty()) found += " " + exception;
  return found;
}

AttemptOutcome interpret_pytest_attempt(const PytestEvidence& ev) {
  AttemptOutcome out;
  std::map<std::string, std::vector<const JunitCase*>> by_key;
  std::vector<std::string> report_order;  ///< the report's keys, each once, in document order
  std::string problem;
  if (const auto* report = std::get_if<JunitReport>(&ev.report)) {
    for (const auto& c : report->cases) {
      // pytest's report holds a <testcase/> with neither name nor classname
      // for a test that stopped the session (pytest.exit(), a
      // KeyboardInterrupt): not a test; the stream names the one it was.
      if (c.name.empty() && c.classname.empty()) continue;
      const std::string key = pytest_case_key(c, ev.junit_prefix);
      auto& cases = by_key[key];
      if (cases.empty()) report_order.push_back(key);
      cases.push_back(&c);
    }
  } else {
    problem = std::get<JunitReadError>(ev.report).why + " (" + ev.report_file + ")";
  }

  std::set<std::string> keys_seen;
  bool any_failed = false;
  for (const auto& t : ev.events.ended) {
    TestResult r = from_event(t, ev.attempt);
    std::string key = junit_key_of_node_id(t.test);
    keys_seen.insert(key);
    auto it = by_key.find(key);
    // The report has the whole failure text; the stream only its first line.
    // An error in set-up, tear-down or collection is the stream's: pytest's
    // report says only 'failed on setup with "…"' / "collection failure".
    const bool error_only = r.error_in != ErrorIn::None && r.error_in != ErrorIn::CallAndTeardown;
    if (it != by_key.end() && r.code == ResultCode::Fail && !error_only && !failure_text(it->second).empty())
      r.message = failure_text(it->second);
    r.message = with_note(error_in_prefix(r.error_in, r.name) + r.message, t.note);
    if (it != by_key.end()) r.screenshot = screenshot_of(it->second);
    if (it != by_key.end() && r.code == ResultCode::Fail && r.aut_unhealthy.empty())
      r.aut_unhealthy = aut_unhealthy_of(it->second);
    any_failed = any_failed || r.code == ResultCode::Fail;
    out.results.push_back(std::move(r));
  }
  // Without the plugin there is no stream: the report alone speaks.
  for (const auto& key : report_order) {
    if (keys_seen.count(key)) continue;
    const auto& cases = by_key[key];
    // format = "junit"'s reading: a body's failure and its tear-down's error are one result.
    TestResult r = from_junit_cases(cases, cases.front()->full_name(), ev.attempt);
    if (r.code == ResultCode::Fail) r.aut_unhealthy = aut_unhealthy_of(cases);
    any_failed = any_failed || r.code == ResultCode::Fail;
    out.results.push_back(std::move(r));
  }

  if (ev.events.running) {
    // pytest did not get to end this test: whatever ended the process ended it.
    TestResult r;
    r.name = *ev.events.running;
    r.attempt = ev.attempt;
    if (ev.stopped_for == StopCause::Timeout) {
      r.code = ResultCode::Timeout;
      r.message = "timed out after " + human_duration(ev.timeout) + " during this test; pytest was stopped";
    } else if (ev.stopped_for == StopCause::TestTimeout) {
      r.code = ResultCode::Timeout;
      r.message = "timed out: this test ran longer than test_timeout (" + human_duration(ev.test_timeout) +
                  ") and pytest was stopped";
    } else if (ev.stopped_for == StopCause::Interrupt) {
      // It started and never ended: its result is unknown, not "not run".
      r.code = ResultCode::Unresolved;
      r.message =
          "interrupted by " + ev.interrupt_signal + " during this test: stopped before it ended, its result is unknown";
    } else if (stopped_itself(ev)) {
      r.code = ResultCode::Unresolved;
      r.message = "pytest stopped itself during this test (" + ev.status.describe() +
                  ": pytest.exit() or a KeyboardInterrupt in the test) before it ended; its result is unknown and "
                  "the rest of the file is not run";
    } else {
      r.code = ResultCode::Crash;
      r.message = "the pytest process " +
                  (ev.status.signaled ? "was " + ev.status.describe() : "ended (" + ev.status.describe() + ")") +
                  " during this test";
    }
    const std::string blamed = r.name, why = r.message;
    out.results.push_back(std::move(r));
    // The other tests a parallel runner (pytest-xdist) had running: after a
    // death or a per-test timeout the resume runs them again; otherwise they
    // ended unfinished with the process.
    if (!resumes_after(ev))
      for (const auto& other : ev.events.also_running)
        out.results.push_back(decided_result(other, ResultCode::Unresolved,
                                             "stopped before it ended, beside " + blamed + " (" +
                                                 why.substr(0, why.find('\n')) + "); its result is unknown",
                                             ev.attempt));
    add_never_reached(ev, out);
    out.abnormal = true;
    out.resume = resumes_after(ev);
    return out;
  }
  add_never_reached(ev, out);
  bool no_tests_after_resume = ev.attempt > 1 && !ev.status.signaled && ev.status.code == kNoTestsCollected;
  bool tests_failed_exit = !ev.status.signaled && ev.status.code == kTestsFailed && any_failed;
  if (ev.attempt == 1 && !ev.status.signaled && ev.status.code == kNoTestsCollected && out.results.empty() &&
      ev.stopped_for == StopCause::None && !ev.selected.empty()) {
    // --last-failed asked for earlier failures pytest no longer collects
    // (deleted or renamed since): nothing of them is left to fail.
    for (const auto& id : ev.selected) {
      TestResult r;
      r.name = id;
      r.attempt = ev.attempt;
      r.code = ResultCode::Skipped;
      r.message = "not run: pytest no longer collects this earlier failure (--last-failed selected it)";
      out.results.push_back(std::move(r));
    }
    return out;
  }
  if (ev.attempt == 1 && !ev.status.signaled && ev.status.code == kNoTestsCollected && out.results.empty() &&
      ev.stopped_for == StopCause::None) {
    TestResult r;
    r.name = ev.entry_name;
    r.synthetic = true;
    r.code = ResultCode::Unresolved;
    r.message = "pytest collected no tests (exit code 5): check the command's paths and -k/-m selection";
    out.process_issue = r;
    return out;
  }
  if (!ev.status.signaled && ev.status.code == kUsageError && out.results.empty() &&
      ev.stopped_for == StopCause::None) {
    // E.g. livegui_pytest refusing an option that runs no test, from an ini
    // file's addopts (docs/pytest.md); the "ERROR:" line is in the output.
    TestResult r;
    r.name = ev.entry_name;
    r.synthetic = true;
    r.attempt = ev.attempt;
    r.code = ResultCode::Unresolved;
    const std::string said = pytest_usage_error_line(ev.output_head);
    r.message =
        "pytest stopped before running any test with exit code 4, in its words a \"command line usage error\" "
        "(an option it refused, or a conftest.py it could not import): " +
        (said.empty() ? std::string("its output says why") : said);
    out.process_issue = r;
    return out;
  }
  if (!no_tests_after_resume && !tests_failed_exit) {
    // A missing report is no problem when the stream says pytest finished
    // cleanly with exit 0; otherwise the report decides as for format = "junit".
    bool clean = ev.events.finished && ev.status.success();
    out.process_issue = process_issue_for(ev.entry_name, ev.status, ev.stopped_for, ev.timeout, ev.interrupt_signal,
                                          clean ? "" : problem, any_failed, ev.attempt, ev.output_last_line);
  }
  out.abnormal = ev.status.signaled || ev.stopped_for != StopCause::None;
  return out;
}

}  // namespace livegui::batch
