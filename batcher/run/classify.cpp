#include "batcher/run/classify.hpp"

#include <algorithm>
#include <set>

#include "batcher/reproduce.hpp"
#include "common/text.hpp"

namespace livegui::batch {
namespace {

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

/// GoogleTest's JSON puts the location on a line of its own ("t.cpp:4\nExpected …");
/// one line "t.cpp:4: Expected …" reads better in one-line summaries.
std::string join_location(const std::string& text) {
  auto nl = text.find('\n');
  if (nl == std::string::npos) return text;
  std::string first = text.substr(0, nl);
  // An exception escaping a test has no location: say what it was instead.
  if (first == "unknown file") return text.substr(nl + 1);
  auto colon = first.rfind(':');
  if (colon == std::string::npos || colon + 1 == first.size() || first.find(' ') != std::string::npos) return text;
  for (std::size_t i = colon + 1; i < first.size(); ++i)
    if (first[i] < '0' || first[i] > '9') return text;
  return first + ": " + text.substr(nl + 1);
}

TestResult from_marker(const FinishedTest& f, int attempt) {
  TestResult r;
  r.name = f.name;
  r.duration = f.duration;
  r.attempt = attempt;
  switch (f.outcome) {
    case MarkerOutcome::Passed: r.code = ResultCode::Pass; break;
    case MarkerOutcome::Failed:
      r.code = ResultCode::Fail;
      // The failure's own text, as the event stream sent it: the output may
      // not show it (a console printer removed) or glue what the test printed
      // without a newline to it. The output stays the test's output.
      r.message = f.failure.empty() ? trimmed(f.output) : join_location(trimmed(f.failure));
      r.screenshot = screenshot_in_output(f.output);
      r.aut_unhealthy = aut_unhealthy_in_output(f.output);
      break;
    case MarkerOutcome::Skipped:
      r.code = ResultCode::Skipped;
      r.message = trimmed(f.output);
      if (r.message.empty()) r.message = "skipped by the test";
      break;
    case MarkerOutcome::Disabled:
      r.code = ResultCode::Skipped;
      r.message = "disabled";
      r.disabled = true;
      break;
  }
  r.output = f.output;
  return r;
}

TestResult from_json(const JsonTestResult& j, const FinishedTest* marker, int attempt) {
  TestResult r;
  r.name = j.suite_level ? suite_level_name(j.name) : j.name;
  if (marker) r.output = marker->output;
  r.duration = j.duration;
  r.attempt = attempt;
  r.screenshot = j.screenshot;
  if (j.failed) r.aut_unhealthy = !j.aut_unhealthy.empty() ? j.aut_unhealthy : aut_unhealthy_in_output(j.failure);
  if (j.result == JsonTestResult::Result::NotRun) {
    r.code = ResultCode::Skipped;
    r.message = "disabled";
    r.disabled = true;
  } else if (j.failed) {
    r.code = ResultCode::Fail;
    r.message = join_location(trimmed(j.failure));
  } else if (j.result == JsonTestResult::Result::Skipped) {
    r.code = ResultCode::Skipped;
    r.message = marker ? trimmed(marker->output) : std::string();
    if (r.message.empty()) r.message = "skipped by the test";
  } else {
    r.code = ResultCode::Pass;
  }
  return r;
}

std::string how_it_ended(const ExitStatus& st) {
  return st.signaled ? "was killed by " + signal_name(st.signal) + (st.core_dumped ? " (core dumped)" : "")
                     : "exited with exit code " + std::to_string(st.code);
}

std::string suite_of(const std::string& test) {
  auto dot = test.find('.');
  return dot == std::string::npos ? std::string() : test.substr(0, dot);
}

/// A main() that calls RUN_ALL_TESTS() more than once runs each test once
/// per call; GoogleTest counts it once. One result per test: the worst of
/// its runs stands, at its first run's place. How often a name repeats
/// within one run (fixtures of one name in different namespaces) is what
/// one run's list says: the expected tests, else the report, else once.
void merge_repeated_runs(AttemptOutcome& out, const AttemptEvidence& ev) {
  std::map<std::string, int> per_run;
  for (const auto& name : ev.expected_tests) ++per_run[name];
  if (ev.json)
    for (const auto& j : ev.json->tests)
      if (!j.suite_level && !per_run.count(j.name)) ++per_run[j.name];
  std::map<std::string, int> seen;
  std::map<std::pair<std::string, int>, std::size_t> kept_at;
  std::vector<TestResult> merged;
  for (auto& r : out.results) {
    const int m = std::max(per_run.count(r.name) ? per_run.at(r.name) : 1, 1);
    const std::pair<std::string, int> slot{r.name, seen[r.name]++ % m};
    auto [it, first] = kept_at.try_emplace(slot, merged.size());
    if (first) {
      merged.push_back(std::move(r));
    } else if (severity(r.code) > severity(merged[it->second].code)) {
      const TestResult& earlier = merged[it->second];
      if (is_failure(earlier.code))
        r.message += "\n(an earlier RUN_ALL_TESTS() call: " + std::string(name(earlier.code)) +
                     (earlier.message.empty() ? "" : ": " + earlier.message) + ")";
      merged[it->second] = std::move(r);
    }
  }
  out.results = std::move(merged);
}

AttemptOutcome interpret_one_attempt(const AttemptEvidence& ev);

}  // namespace

AttemptOutcome interpret_gtest_attempt(const AttemptEvidence& ev) {
  AttemptOutcome out = interpret_one_attempt(ev);
  if (ev.progress.banners > 1) merge_repeated_runs(out, ev);
  return out;
}

namespace {

AttemptOutcome interpret_one_attempt(const AttemptEvidence& ev) {
  AttemptOutcome out;
  // A name may repeat (two fixtures of one name in different namespaces):
  // a result is a name and which occurrence of it, in the order GoogleTest
  // ran them.
  using Slot = std::pair<std::string, int>;
  std::set<Slot> decided;
  std::map<std::string, std::vector<const FinishedTest*>> markers;
  for (const auto& f : ev.progress.finished) markers[f.name].push_back(&f);
  std::map<std::string, std::vector<const JsonTestResult*>> json;
  if (ev.json)
    for (const auto& j : ev.json->tests)
      if (!j.suite_level || j.failed) json[j.suite_level ? suite_level_name(j.name) : j.name].push_back(&j);

  auto decide = [&](TestResult r, int occurrence) {
    if (!decided.insert({r.name, occurrence}).second) return;
    out.results.push_back(std::move(r));
  };
  // Tests in the order we expected them, then the order the binary ran
  // them (markers), then what only its JSON report names.
  std::vector<Slot> order;
  std::map<std::string, int> expected_n, marker_n;
  for (const auto& name : ev.expected_tests) order.push_back({name, expected_n[name]++});
  // When GoogleTest wrote its report, it has the final word on which tests
  // ran: marker-like lines a test printed (or a child GoogleTest binary it
  // ran) name no test of this binary. Markers speak alone only without it.
  auto in_report = [&](const std::string& name) { return !ev.json || json.count(name) > 0; };
  for (const auto& f : ev.progress.finished) {
    int k = marker_n[f.name]++;
    if (k >= expected_n[f.name] && in_report(f.name)) order.push_back({f.name, k});
  }
  // A main() that calls RUN_ALL_TESTS() more than once runs a test more
  // often than its report names it: GoogleTest rewrites the report on every
  // call, so the report is the last run's and speaks for the last occurrences.
  // One banner means one run: a second marker of a reported test is then a
  // line the test printed, and the report speaks for the only occurrence.
  // When the last call did not end (it died), the report is the last call
  // that ended: it speaks for that call's occurrences, the markers for the rest.
  const bool runs_repeat = ev.progress.banners > 1;
  const int runs_ended = ev.progress.runs_completed;
  const bool died_in_a_later_run = !ev.progress.completed && runs_ended >= 1 && ev.progress.banners > runs_ended;
  std::map<std::string, int> json_offset;
  for (const auto& [name, reported] : json) {
    const int n = static_cast<int>(reported.size());
    if (!runs_repeat || marker_n[name] <= n) continue;
    json_offset[name] = died_in_a_later_run ? std::min(marker_n[name] - n, (runs_ended - 1) * n) : marker_n[name] - n;
  }
  if (ev.json) {
    std::map<std::string, int> json_n;
    for (const auto& j : ev.json->tests) {
      if (j.suite_level && !j.failed) continue;  // properties only: nothing to report
      std::string name = j.suite_level ? suite_level_name(j.name) : j.name;
      int k = json_n[name]++ + json_offset[name];
      if (k >= std::max(expected_n[name], marker_n[name])) order.push_back({name, k});
    }
  }

  for (const auto& [name, k] : order) {
    const FinishedTest* marker = nullptr;
    if (auto it = markers.find(name); it != markers.end() && static_cast<int>(it->second.size()) > k)
      marker = it->second[static_cast<std::size_t>(k)];
    auto jt = json.find(name);
    const int reported = k - (json_offset.count(name) ? json_offset.at(name) : 0);
    if (jt != json.end() && reported >= 0 && static_cast<int>(jt->second.size()) > reported) {
      decide(from_json(*jt->second[static_cast<std::size_t>(reported)], marker, ev.attempt), k);
    } else if (marker && (!ev.json || reported < 0 || runs_repeat)) {  // with a report: another run's occurrence
      // Another run's pass of a test the report speaks for adds nothing:
      // GoogleTest counts the test once (its report), ctest passes it. A
      // failure, or a pass without a report, keeps its own result.
      if (runs_repeat && jt != json.end() && marker->outcome == MarkerOutcome::Passed)
        decided.insert({name, k});
      else
        decide(from_marker(*marker, ev.attempt), k);
    }
  }

  // Suites that failed outside any test (SetUpTestSuite / TearDownTestSuite):
  // GoogleTest names them in its closing summary; its JSON report may not.
  std::set<std::string> reported_suites;
  if (ev.json)
    for (const auto& j : ev.json->tests) reported_suites.insert(j.suite_level ? j.name : suite_of(j.name));
  for (const auto& [suite, text] : ev.progress.failed_suites) {
    std::string name = suite_level_name(suite);
    if (decided.count({name, 0})) continue;
    if (ev.json && !reported_suites.count(suite)) continue;  // not a suite of this binary
    TestResult r;
    r.name = name;
    r.code = ResultCode::Fail;
    r.attempt = ev.attempt;
    r.output = text;
    r.message = trimmed(text);
    if (r.message.empty())
      r.message = "GoogleTest reports a failure in " + suite + "'s SetUpTestSuite or TearDownTestSuite";
    decide(std::move(r), 0);
  }

  // A program that links GoogleTest but never called RUN_ALL_TESTS() (no
  // banner, no report): no GoogleTest test ran, so its exit code judges it.
  if (ev.expected_tests.empty() && !ev.json && !ev.progress.saw_banner && !ev.progress.started_tests &&
      ev.stopped_for == StopCause::None && !ev.status.signaled && !ev.premature_exit) {
    out.no_gtest_run = true;
    return out;
  }

  const bool clean_finish = ev.stopped_for == StopCause::None && !ev.status.signaled && !ev.premature_exit &&
                            (ev.json.has_value() || (ev.status.success() && ev.progress.completed));
  out.abnormal = !clean_finish;
  bool blamed_running = false;
  const int running_k = ev.progress.running ? marker_n[*ev.progress.running] : 0;
  // A report is written after the last test: a "running" test it does not
  // name is a marker some test printed, not one of ours.
  const bool running_is_ours =
      ev.progress.running && (!ev.json || json.count(*ev.progress.running) ||
                              std::count(ev.expected_tests.begin(), ev.expected_tests.end(), *ev.progress.running));
  if (running_is_ours && !decided.count({*ev.progress.running, running_k})) {
    TestResult r;
    r.name = *ev.progress.running;
    r.attempt = ev.attempt;
    std::string output = trimmed(ev.progress.running_output);
    auto with_output = [&](std::string msg) { return output.empty() ? msg : msg + "\n" + output; };
    switch (ev.stopped_for) {
      case StopCause::Timeout:
        r.code = ResultCode::Timeout;
        r.message = with_output("timed out: the entry ran longer than " + human_duration(ev.timeout) +
                                " and was stopped during this test");
        break;
      case StopCause::TestTimeout:
        r.code = ResultCode::Timeout;
        r.message = with_output("timed out: this test ran longer than test_timeout (" +
                                human_duration(ev.test_timeout) + ") and the binary was stopped");
        break;
      case StopCause::Interrupt:
        // It started and never ended: its result is unknown, not "not run".
        r.code = ResultCode::Unresolved;
        r.message = with_output("interrupted by " + ev.interrupt_signal +
                                " during this test: stopped before it ended, its result is unknown");
        break;
      case StopCause::None:
        r.code = ev.status.signaled ? ResultCode::Crash : ResultCode::Fail;
        r.message = with_output("the test binary " + how_it_ended(ev.status) + " during this test");
        break;
    }
    blamed_running = true;
    r.output = ev.progress.running_output;
    decide(std::move(r), running_k);
  }

  {
    std::map<std::string, int> n;
    for (const auto& name : ev.expected_tests)
      if (!decided.count({name, n[name]++})) out.remaining.push_back(name);
  }

  const std::string after = ev.progress.finished.empty() ? std::string() : ev.progress.finished.back().name;
  // After a per-test timeout the rest is resumed, as after a crash (below).
  if (ev.stopped_for != StopCause::None && ev.stopped_for != StopCause::TestTimeout) {
    std::string why =
        ev.stopped_for == StopCause::Timeout
            ? "not run: the entry timed out" + (ev.progress.running ? " during " + *ev.progress.running : std::string())
            : "not run: interrupted by " + ev.interrupt_signal;
    // Stopped at the user's request outside any test (a suite or global
    // set-up, or its exit): the binary did not get to say how it ended.
    const bool ran_to_its_end = ev.json.has_value() && ev.status.success() && out.remaining.empty();
    if (!blamed_running && ev.stopped_for == StopCause::Interrupt && !ran_to_its_end) {
      TestResult issue;
      issue.code = ResultCode::Unresolved;
      issue.synthetic = true;
      issue.attempt = ev.attempt;
      issue.message = "interrupted by " + ev.interrupt_signal + " outside any test" +
                      (after.empty() ? std::string(" (before the first test)") : " (after " + after + ")") +
                      ": the binary was stopped before it ended, its result is unknown";
      out.process_issue = issue;
    }
    const std::string& open_suite = ev.progress.open_suite;
    if (!blamed_running && ev.stopped_for == StopCause::Timeout && !open_suite.empty() &&
        ev.progress.open_suite_finished == 0) {
      // Stopped in a suite's set-up (SetUpTestSuite) before its first test:
      // that suite's tests are the timeout, as a crash there blames them.
      const std::string where = "in suite set-up (" + open_suite + "::SetUpTestSuite)";
      std::vector<std::string> rest;
      for (const auto& name : out.remaining) {
        if (suite_of(name) != open_suite) {
          rest.push_back(name);
          continue;
        }
        out.results.push_back(decided_result(name, ResultCode::Timeout,
                                             "timed out: the entry ran longer than " + human_duration(ev.timeout) +
                                                 " and was stopped " + where + ", before this test ran",
                                             ev.attempt));
        blamed_running = true;
      }
      if (!blamed_running) {
        // Its tests are not known (no list): the suite itself stands for them.
        out.results.push_back(decided_result(
            suite_level_name(open_suite), ResultCode::Timeout,
            "timed out: the entry ran longer than " + human_duration(ev.timeout) + " and was stopped " + where,
            ev.attempt));
        blamed_running = true;
      }
      out.remaining = rest;
      why = "not run: the entry timed out " + where;
    }
    if (!blamed_running && ev.stopped_for == StopCause::Timeout) {
      TestResult issue;
      issue.code = ResultCode::Timeout;
      issue.synthetic = true;
      issue.attempt = ev.attempt;
      issue.message = "timed out after " + human_duration(ev.timeout) + " outside any test" +
                      (after.empty() ? std::string(" (before the first test)") : " (after " + after + ")");
      out.process_issue = issue;
    }
    for (const auto& name : out.remaining) {
      out.results.push_back(decided_result(name, ResultCode::Skipped, why, ev.attempt));
    }
    out.remaining.clear();
    return out;
  }

  if (clean_finish) {
    for (const auto& name : out.remaining) {
      TestResult r;
      r.name = name;
      // Exit code 0: the binary chose not to run it (ctest passes it); otherwise we cannot tell.
      r.code = ev.status.success() ? ResultCode::Skipped : ResultCode::Unresolved;
      r.message = ev.status.success() ? "not run: the test binary exited with exit code 0 without running it"
                                      : "not reported by the test binary (it exited with " + ev.status.describe() +
                                            " without running it)";
      r.attempt = ev.attempt;
      out.results.push_back(std::move(r));
    }
    out.remaining.clear();
    if (ev.status.success()) {
      // RUN_ALL_TESTS() returns 1 after any failure, so exit code 0 means the
      // binary's own main() accepted these failures (a test of GoogleTest
      // itself, say). Its exit code is the verdict, as under ctest; each
      // failure stays visible as an expected one, saying who expected it.
      for (auto& r : out.results) {
        if (r.code != ResultCode::Fail) continue;
        r.code = ResultCode::XFail;
        r.message = std::string(kAcceptedByOwnMain) + (r.message.empty() ? "" : ": " + r.message);
        r.expected_by = ExpectedBy::OwnMain;
        ++out.accepted_failures;
      }
    }
    bool any_failed = false;
    for (const auto& r : out.results) any_failed = any_failed || is_failure(r.code);
    if (!ev.status.success() && !any_failed) {
      TestResult issue;
      issue.code = ResultCode::Fail;
      issue.synthetic = true;
      issue.attempt = ev.attempt;
      issue.message = "the test binary exited with " + ev.status.describe() + " although no test failed";
      out.process_issue = issue;
      out.failed_without_a_failing_test = true;
    }
    return out;
  }

  // It crashed or exited early. A test we can blame makes progress, so the
  // rest can be resumed in a fresh process; otherwise resuming would repeat
  // the same death, so the rest is UNRESOLVED.
  bool progress = blamed_running || !ev.progress.finished.empty();
  // GoogleTest ended its one run (it wrote its report, or printed its
  // closing summary) and no test was running: the death came at exit (a
  // static destructor, an atexit handler). Every test it was to run has run;
  // a fresh process would only die there again.
  const bool run_ended = !blamed_running && ev.progress.banners <= 1 && !ev.progress.running &&
                         (ev.json.has_value() || ev.progress.completed);
  if (run_ended) progress = false;
  const std::string& suite = ev.progress.open_suite;
  if (!blamed_running && !suite.empty() && ev.progress.open_suite_finished == 0) {
    // It died in the set-up of a suite (SetUpTestSuite) before its first
    // test: that suite's tests are blamed, and the rest resumes without them,
    // so the same spot never crashes twice.
    const bool timed_out = ev.stopped_for == StopCause::TestTimeout;
    const std::string in_setup = "suite set-up (" + suite + "::SetUpTestSuite)";
    std::string how = timed_out ? "timed out: its " + in_setup + " ran longer than test_timeout (" +
                                      human_duration(ev.test_timeout) + ") and the binary was stopped, before this test ran"
                                : "the test binary " + how_it_ended(ev.status) + " in " + in_setup + ", before this test ran";
    ResultCode code = timed_out ? ResultCode::Timeout : ev.status.signaled ? ResultCode::Crash : ResultCode::Fail;
    std::vector<std::string> rest;
    bool blamed_any = false;
    for (const auto& name : out.remaining) {
      if (suite_of(name) != suite) {
        rest.push_back(name);
        continue;
      }
      out.results.push_back(decided_result(name, code, how, ev.attempt));
      blamed_any = true;
    }
    if (!blamed_any) {
      // Its tests are not known (no list): the suite itself stands for them.
      out.results.push_back(decided_result(
          suite_level_name(suite), code,
          timed_out ? "timed out: " + in_setup + " ran longer than test_timeout (" + human_duration(ev.test_timeout) +
                          ") and the binary was stopped"
                    : "the test binary " + how_it_ended(ev.status) + " in " + in_setup,
          ev.attempt));
    }
    out.remaining = rest;
    if (ev.premature_exit && !ev.status.signaled) out.results.back().message += "; it exited prematurely";
    blamed_running = true;
    progress = true;
  }
  if (!blamed_running) {
    TestResult issue;
    issue.code = ev.status.signaled ? ResultCode::Crash : ResultCode::Fail;
    issue.synthetic = true;
    issue.attempt = ev.attempt;
    bool suite_done = !suite.empty() && std::none_of(out.remaining.begin(), out.remaining.end(),
                                                     [&](const std::string& n) { return suite_of(n) == suite; });
    std::string where;
    if (run_ended && ev.progress.completed)
      where = "at exit, after GoogleTest's closing summary (in a static destructor or an atexit handler)";
    else if (ev.progress.reached_teardown || (ev.progress.started_tests && ev.tests_known && out.remaining.empty()))
      where = "after its tests (global tear-down or exit)";
    else if (!ev.progress.started_tests)
      where = "before running any test";
    else if (suite_done && ev.tests_known)
      where = "in suite tear-down (" + suite + "::TearDownTestSuite, after " + after + ")";
    else
      where = "between tests (after " + after + ")";
    issue.message = "the test binary " + how_it_ended(ev.status) + " " + where;
    if (ev.stopped_for == StopCause::TestTimeout) {
      // Stopped by test_timeout outside a test: a suite's tear-down (or the
      // global set-up or tear-down) ran longer than a test may.
      issue.code = ResultCode::Timeout;
      issue.message = "timed out: the binary ran longer than test_timeout (" + human_duration(ev.test_timeout) +
                      ") " + where + " and was stopped";
    }
    if (ev.premature_exit && !ev.status.signaled) issue.message += "; it exited prematurely";
    out.process_issue = issue;
  }
  // Without a test list we cannot tell whether anything is left: resume
  // anyway (the exclusions grow every time, so this ends).
  if (progress && (!ev.tests_known || !out.remaining.empty())) {
    out.resume = true;
    return out;
  }
  for (const auto& name : out.remaining) {
    out.results.push_back(decided_result(name, ResultCode::Unresolved,
                                         "not run: the test binary " + how_it_ended(ev.status) + " before reaching it",
                                         ev.attempt));
  }
  out.remaining.clear();
  return out;
}

}  // namespace

TestResult interpret_command(const std::string& name, const ExitStatus& status, StopCause stopped_for,
                             std::chrono::milliseconds timeout, const std::string& interrupt_signal) {
  TestResult r;
  r.name = name;
  r.synthetic = true;
  switch (stopped_for) {
    case StopCause::Timeout:
    case StopCause::TestTimeout:  // a command has no tests; never asked for one
      r.code = ResultCode::Timeout;
      r.message = "timed out after " + human_duration(timeout) + " and was stopped";
      return r;
    case StopCause::Interrupt:
      // It started and never ended: its result is unknown, not "not run".
      r.code = ResultCode::Unresolved;
      r.message =
          "interrupted by " + interrupt_signal + " while running: stopped before it ended, its result is unknown";
      return r;
    case StopCause::None: break;
  }
  if (status.signaled) {
    r.code = ResultCode::Crash;
    r.message = status.describe();
  } else if (status.code == 0) {
    r.code = ResultCode::Pass;
  } else if (status.code == 77) {
    r.code = ResultCode::Skipped;
    r.message = "skipped (exit code 77)";
  } else {
    r.code = ResultCode::Fail;
    r.message = status.describe();
  }
  return r;
}

TestResult interpret_no_gtest_run(const std::string& name, const AttemptEvidence& ev,
                                  const std::vector<std::string>& args) {
  TestResult r = interpret_command(name, ev.status, ev.stopped_for, ev.timeout, ev.interrupt_signal);
  std::string how = r.message.empty() ? ev.status.describe() : r.message;
  if (r.code == ResultCode::Skipped) {
    // Exit code 77 skips only a `command` entry (the automake convention).
    // A GoogleTest binary has no skip exit code: ctest fails it too.
    r.code = ResultCode::Fail;
    how = ev.status.describe() + " (a skip only for a `command` entry; ctest fails it too)";
  }
  r.message = "no GoogleTest test ran (the program never called RUN_ALL_TESTS()); judged by its exit status: " + how;
  if (ev.progress.printed_help) {
    // GoogleTest's own reading of an unknown --gtest_… argument: it printed
    // its help and ran nothing, whatever the exit code says.
    r.code = ResultCode::Unresolved;
    r.message = "GoogleTest printed its flag help instead of running any test: an argument with its flag prefix "
                "(--gtest_…) that this GoogleTest does not know, a typo? (args: " +
                (args.empty() ? std::string("none") : join(args, " ")) + "); see the binary's --help";
  }
  return r;
}

ResultCode rollup(const std::vector<TestResult>& tests) {
  if (tests.empty()) return ResultCode::Pass;
  ResultCode code = tests.front().code;
  for (const auto& t : tests) code = worst(code, t.code);
  return code;
}

}  // namespace livegui::batch
