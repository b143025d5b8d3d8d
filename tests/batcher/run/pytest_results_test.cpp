#include "batcher/run/pytest_results.hpp"

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "batcher/reproduce.hpp"
#include "batcher/run/report_formats.hpp"
#include "batcher/run/retry.hpp"
#include "batcher/run/unit_run.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

namespace livegui::batch {
namespace {

TestEvents events(const std::string& text) {
  std::istringstream in(text);
  return parse_test_events(in);
}

const TestResult* find(const std::vector<TestResult>& rs, const std::string& name) {
  for (const auto& r : rs)
    if (r.name == name) return &r;
  return nullptr;
}

const char* kTwoEndedOneRunning =
    R"({"event":"start","test":"t/test_a.py::test_one"}
{"event":"end","test":"t/test_a.py::test_one","outcome":"passed","duration_ms":12}
{"event":"start","test":"t/test_a.py::test_two"}
{"event":"end","test":"t/test_a.py::test_two","outcome":"failed","message":"assert 0","note":"fresh AUT: t/test_a.py::test_one left it degraded"}
{"event":"start","test":"t/test_a.py::test_three"}
{"event":"end","test":"t/test_a.py::test_thr)";  // torn: pytest was killed mid-write

TEST(BatcherTestEvents, ParsesEndedAndRunningTestsAndSurvivesATornLine) {
  TestEvents ev = events(kTwoEndedOneRunning);
  ASSERT_EQ(ev.ended.size(), 2u);
  EXPECT_EQ(ev.ended[0].test, "t/test_a.py::test_one");
  EXPECT_EQ(ev.ended[0].duration, std::chrono::milliseconds(12));
  EXPECT_EQ(ev.ended[1].outcome, EventOutcome::Failed);
  EXPECT_EQ(ev.ended[1].note, "fresh AUT: t/test_a.py::test_one left it degraded");
  ASSERT_TRUE(ev.running);
  EXPECT_EQ(*ev.running, "t/test_a.py::test_three");
  EXPECT_FALSE(ev.finished);
  EXPECT_EQ(ev.bad_lines, 1u);
}

TEST(BatcherTestEvents, RejectsWhatIsNotAnEvent) {
  TestEvents ev = events(
      "[1,2]\n{\"event\":\"end\",\"test\":\"a\",\"outcome\":\"great\"}\n{\"event\":7}\n"
      "{\"event\":\"start\"}\n{\"event\":\"finish\"}\n");
  EXPECT_TRUE(ev.ended.empty());
  EXPECT_FALSE(ev.running);
  EXPECT_TRUE(ev.finished);
  EXPECT_EQ(ev.bad_lines, 4u);
}

TEST(BatcherPytestResults, NodeIdToJunitKey) {
  EXPECT_EQ(junit_key_of_node_id("tests/live/test_x.py::test_a"), "tests.live.test_x.test_a");
  EXPECT_EQ(junit_key_of_node_id("test_x.py::TestC::test_a[1-a/b::c]"), "test_x.TestC.test_a[1-a/b::c]");
}

TEST(BatcherPytestResults, ADeathInATestBlamesItAndResumes) {
  PytestEvidence ev;
  ev.entry_name = "test_a";
  ev.events = events(kTwoEndedOneRunning);
  ev.status = ExitStatus::killed(SIGKILL);
  auto out = interpret_pytest_attempt(ev);
  ASSERT_EQ(out.results.size(), 3u);
  EXPECT_EQ(find(out.results, "t/test_a.py::test_one")->code, ResultCode::Pass);
  EXPECT_EQ(find(out.results, "t/test_a.py::test_two")->code, ResultCode::Fail);
  EXPECT_EQ(find(out.results, "t/test_a.py::test_two")->message,
            "assert 0\nfresh AUT: t/test_a.py::test_one left it degraded");  // the failure first (issue 15)
  const TestResult* three = find(out.results, "t/test_a.py::test_three");
  ASSERT_TRUE(three);
  EXPECT_EQ(three->code, ResultCode::Crash);
  EXPECT_EQ(three->message, "the pytest process was killed by SIGKILL during this test");
  EXPECT_TRUE(out.resume);
  EXPECT_FALSE(out.process_issue);
}

TEST(BatcherPytestResults, ATimeoutNamesTheRunningTestAndDoesNotResume) {
  PytestEvidence ev;
  ev.entry_name = "test_a";
  ev.events = events(kTwoEndedOneRunning);
  ev.status = ExitStatus::killed(SIGTERM);
  ev.stopped_for = StopCause::Timeout;
  ev.timeout = std::chrono::milliseconds(5000);
  auto out = interpret_pytest_attempt(ev);
  const TestResult* three = find(out.results, "t/test_a.py::test_three");
  ASSERT_TRUE(three);
  EXPECT_EQ(three->code, ResultCode::Timeout);
  EXPECT_NE(three->message.find("timed out after 5"), std::string::npos);
  EXPECT_NE(three->message.find("during this test"), std::string::npos);
  EXPECT_FALSE(out.resume);
}

TEST(BatcherPytestResults, APerTestTimeoutIsTimeoutForTheRunningTestAndResumesTheRest) {
  PytestEvidence ev;
  ev.entry_name = "test_a";
  ev.events = events(kTwoEndedOneRunning);
  ev.status = ExitStatus::killed(SIGTERM);
  ev.stopped_for = StopCause::TestTimeout;
  ev.timeout = std::chrono::milliseconds(600'000);
  ev.test_timeout = std::chrono::milliseconds(2000);
  auto out = interpret_pytest_attempt(ev);
  const TestResult* three = find(out.results, "t/test_a.py::test_three");
  ASSERT_TRUE(three);
  EXPECT_EQ(three->code, ResultCode::Timeout);
  EXPECT_NE(three->message.find("ran longer than test_timeout (2.00 s)"), std::string::npos) << three->message;
  EXPECT_EQ(find(out.results, "t/test_a.py::test_one")->code, ResultCode::Pass);
  EXPECT_TRUE(out.resume);  // as after a death: the rest of the file runs on
}

// docs/test-events.md's table: Ctrl-C during a test leaves it UNRESOLVED
// (it started and never ended: its result is unknown), not SKIPPED; the rest
// of the file is not resumed.
TEST(BatcherPytestResults, AnInterruptLeavesTheRunningTestUnresolvedAndDoesNotResume) {
  PytestEvidence ev;
  ev.entry_name = "test_a";
  ev.events = events(kTwoEndedOneRunning);
  ev.status = ExitStatus::killed(SIGINT);
  ev.stopped_for = StopCause::Interrupt;
  ev.interrupt_signal = "SIGINT";
  auto out = interpret_pytest_attempt(ev);
  const TestResult* three = find(out.results, "t/test_a.py::test_three");
  ASSERT_TRUE(three);
  EXPECT_EQ(three->code, ResultCode::Unresolved);
  EXPECT_EQ(three->message, "interrupted by SIGINT during this test: stopped before it ended, its result is unknown");
  EXPECT_EQ(find(out.results, "t/test_a.py::test_one")->code, ResultCode::Pass);
  EXPECT_FALSE(out.resume);
}

// Trial15c: pytest.exit() / a KeyboardInterrupt raised in a test: the
// stream has the test's start, no end, then "finish"; pytest's report a
// <testcase/> with no name. Not a nameless PASS, not a CRASH to resume past.
TEST(BatcherPytestResults, ATestThatStopsPytestItselfIsUnresolvedAndTheRestNotRun) {
  PytestEvidence ev;
  ev.entry_name = "f";
  ev.events = events(R"({"event":"collected","tests":["t.py::test_a","t.py::test_b","t.py::test_c"]}
{"event":"start","test":"t.py::test_a"}
{"event":"end","test":"t.py::test_a","outcome":"passed"}
{"event":"start","test":"t.py::test_b"}
{"event":"finish"}
)");
  ev.report = parse_junit_xml(
      R"(<testsuites><testsuite><testcase classname="t" name="test_a"/><testcase time="0.000"/></testsuite></testsuites>)");
  ev.status = ExitStatus::exited(2);
  auto out = interpret_pytest_attempt(ev);
  ASSERT_EQ(out.results.size(), 3u);
  EXPECT_EQ(out.results[0].name, "t.py::test_a");
  EXPECT_EQ(out.results[0].code, ResultCode::Pass);
  EXPECT_EQ(out.results[1].name, "t.py::test_b");
  EXPECT_EQ(out.results[1].code, ResultCode::Unresolved);
  EXPECT_EQ(out.results[1].message.rfind("pytest stopped itself during this test (exit code 2: pytest.exit() or a "
                                         "KeyboardInterrupt in the test)",
                                         0),
            0u)
      << out.results[1].message;
  EXPECT_EQ(out.results[2].name, "t.py::test_c");
  EXPECT_EQ(out.results[2].code, ResultCode::Skipped);
  EXPECT_FALSE(out.resume);
}

// Trial15c: pytest-xdist's controller interleaves starts and ends. The test
// started first and never ended is the running one; the others still
// running when the entry timed out ended unfinished (not "not run").
TEST(BatcherPytestResults, InAParallelRunnersStreamTheFirstStartedIsBlamedAndTheOthersUnfinished) {
  TestEvents evs = events(R"({"event":"collected","tests":["t.py::a","t.py::b","t.py::c","t.py::d"]}
{"event":"start","test":"t.py::a"}
{"event":"start","test":"t.py::b"}
{"event":"end","test":"t.py::b","outcome":"passed"}
{"event":"start","test":"t.py::c"}
)");
  ASSERT_TRUE(evs.running);
  EXPECT_EQ(*evs.running, "t.py::a");
  EXPECT_EQ(evs.also_running, (std::vector<std::string>{"t.py::c"}));
  PytestEvidence ev;
  ev.entry_name = "f";
  ev.events = evs;
  ev.status = ExitStatus::killed(SIGKILL);
  ev.stopped_for = StopCause::Timeout;
  ev.timeout = std::chrono::milliseconds(25000);
  auto out = interpret_pytest_attempt(ev);
  ASSERT_TRUE(find(out.results, "t.py::a"));
  EXPECT_EQ(find(out.results, "t.py::a")->code, ResultCode::Timeout);
  ASSERT_TRUE(find(out.results, "t.py::c"));
  EXPECT_EQ(find(out.results, "t.py::c")->code, ResultCode::Unresolved);
  EXPECT_EQ(find(out.results, "t.py::c")->message.rfind("stopped before it ended, beside t.py::a (timed out", 0), 0u)
      << find(out.results, "t.py::c")->message;
  ASSERT_TRUE(find(out.results, "t.py::d"));
  EXPECT_EQ(find(out.results, "t.py::d")->code, ResultCode::Skipped);
  EXPECT_FALSE(out.resume);
  // A death is resumed: the other running test runs again there, no result now.
  ev.stopped_for = StopCause::None;
  out = interpret_pytest_attempt(ev);
  EXPECT_EQ(find(out.results, "t.py::a")->code, ResultCode::Crash);
  EXPECT_FALSE(find(out.results, "t.py::c"));
  EXPECT_TRUE(out.resume);
}

// issue 15: with the optional "collected" event, tests never reached are
// reported as GoogleTest entries report them: SKIPPED "not run: …".
const char* kCollectedThenStopped =
    R"({"event":"collected","tests":["t/test_a.py::test_one","t/test_a.py::test_two","t/test_a.py::test_three","t/test_a.py::test_four"]}
{"event":"start","test":"t/test_a.py::test_one"}
{"event":"end","test":"t/test_a.py::test_one","outcome":"passed","duration_ms":12}
{"event":"start","test":"t/test_a.py::test_two"}
)";

TEST(BatcherPytestResults, TestsNeverReachedAfterATimeoutAreSkippedNotRun) {
  PytestEvidence ev;
  ev.entry_name = "test_a";
  ev.events = events(kCollectedThenStopped);
  ev.status = ExitStatus::killed(SIGTERM);
  ev.stopped_for = StopCause::Timeout;
  ev.timeout = std::chrono::milliseconds(5000);
  auto out = interpret_pytest_attempt(ev);
  ASSERT_EQ(out.results.size(), 4u);
  EXPECT_EQ(find(out.results, "t/test_a.py::test_two")->code, ResultCode::Timeout);
  for (const char* name : {"t/test_a.py::test_three", "t/test_a.py::test_four"}) {
    const TestResult* r = find(out.results, name);
    ASSERT_TRUE(r) << name;
    EXPECT_EQ(r->code, ResultCode::Skipped) << name;
    EXPECT_EQ(r->message, "not run: the entry timed out during t/test_a.py::test_two") << name;
  }
  EXPECT_FALSE(out.resume);
}

TEST(BatcherPytestResults, TestsNeverReachedAfterAnInterruptAreSkippedNotRun) {
  PytestEvidence ev;
  ev.entry_name = "test_a";
  ev.events = events(kCollectedThenStopped);
  ev.status = ExitStatus::killed(SIGINT);
  ev.stopped_for = StopCause::Interrupt;
  ev.interrupt_signal = "SIGINT";
  auto out = interpret_pytest_attempt(ev);
  ASSERT_EQ(out.results.size(), 4u);
  EXPECT_EQ(find(out.results, "t/test_a.py::test_two")->code, ResultCode::Unresolved);
  const TestResult* four = find(out.results, "t/test_a.py::test_four");
  ASSERT_TRUE(four);
  EXPECT_EQ(four->code, ResultCode::Skipped);
  EXPECT_EQ(four->message, "not run: interrupted by SIGINT");
}

TEST(BatcherPytestResults, TestsNeverReachedAfterACrashAreLeftToTheResume) {
  PytestEvidence ev;
  ev.entry_name = "test_a";
  ev.events = events(kCollectedThenStopped);
  ev.status = ExitStatus::killed(SIGKILL);
  auto out = interpret_pytest_attempt(ev);
  EXPECT_TRUE(out.resume);
  EXPECT_EQ(out.results.size(), 2u) << "the resumed attempt runs test_three and test_four";
}

TEST(BatcherPytestResults, ADeathAfterEveryCollectedTestIsDecidedIsNotResumed) {
  // Trial12d: a module fixture's tear-down died after the last test; the
  // resume deselected every test and pytest collected nothing (exit code 5).
  PytestEvidence ev;
  ev.entry_name = "test_mod";
  ev.events = events(
      R"({"event":"collected","tests":["t.py::test_one","t.py::test_two"]}
{"event":"start","test":"t.py::test_one"}
{"event":"end","test":"t.py::test_one","outcome":"passed"}
{"event":"start","test":"t.py::test_two"}
)");
  ASSERT_TRUE(ev.events.collected.has_value());
  ev.status = ExitStatus::killed(SIGSEGV);
  auto out = interpret_pytest_attempt(ev);
  EXPECT_FALSE(out.resume) << "nothing is left to run";
  ASSERT_TRUE(find(out.results, "t.py::test_two"));
  EXPECT_EQ(find(out.results, "t.py::test_two")->code, ResultCode::Crash);
}

TEST(BatcherPytestResults, TheCollectedEventIsOptional) {
  PytestEvidence ev;
  ev.entry_name = "test_a";
  ev.events = events(kTwoEndedOneRunning);
  ev.status = ExitStatus::killed(SIGTERM);
  ev.stopped_for = StopCause::Timeout;
  auto out = interpret_pytest_attempt(ev);
  EXPECT_EQ(out.results.size(), 3u) << "without a listing only the tests the stream names";
}

TEST(BatcherPytestResults, TheReportGivesTheWholeFailureText) {
  PytestEvidence ev;
  ev.entry_name = "test_a";
  ev.events = events(
      "{\"event\":\"end\",\"test\":\"t/test_a.py::test_two\",\"outcome\":\"failed\",\"message\":\"short\"}\n"
      "{\"event\":\"finish\"}\n");
  ev.report = parse_junit_xml(
      "<testsuites><testsuite><testcase classname=\"t.test_a\" name=\"test_two\"><failure message=\"long text\"/>"
      "</testcase></testsuite></testsuites>");
  ev.status = ExitStatus::exited(1);
  auto out = interpret_pytest_attempt(ev);
  ASSERT_EQ(out.results.size(), 1u);
  EXPECT_EQ(out.results[0].message, "long text");
  EXPECT_FALSE(out.process_issue);
  EXPECT_FALSE(out.resume);
}

// issue 15: the console line and junit.xml's message= read the first line;
// the "fresh AUT" note is shown with the failure, never instead of it.
TEST(BatcherPytestResults, AFreshAutNoteFollowsTheFailureItDoesNotReplaceIt) {
  for (bool with_report : {false, true}) {
    PytestEvidence ev;
    ev.entry_name = "test_a";
    ev.events = events(
        "{\"event\":\"end\",\"test\":\"t/test_a.py::test_two\",\"outcome\":\"failed\",\"message\":"
        "\"SubprocessDegraded: subprocess degraded\",\"note\":\"fresh AUT: test_one left it degraded\"}\n"
        "{\"event\":\"end\",\"test\":\"t/test_a.py::test_three\",\"outcome\":\"passed\","
        "\"note\":\"fresh AUT: test_two left it degraded\"}\n"
        "{\"event\":\"finish\"}\n");
    if (with_report)
      ev.report = parse_junit_xml(
          "<testsuites><testsuite><testcase classname=\"t.test_a\" name=\"test_two\">"
          "<failure message=\"SubprocessDegraded: subprocess degraded&#10;  supervisor: …\"/></testcase>"
          "<testcase classname=\"t.test_a\" name=\"test_three\"/></testsuite></testsuites>");
    ev.status = ExitStatus::exited(1);
    auto out = interpret_pytest_attempt(ev);
    const TestResult* failed = find(out.results, "t/test_a.py::test_two");
    ASSERT_TRUE(failed);
    EXPECT_EQ(failed->message.rfind("SubprocessDegraded: subprocess degraded", 0), 0u)
        << "with_report " << with_report << ": " << failed->message;
    EXPECT_NE(failed->message.find("\nfresh AUT: test_one left it degraded"), std::string::npos) << failed->message;
    const TestResult* passed = find(out.results, "t/test_a.py::test_three");
    ASSERT_TRUE(passed);
    EXPECT_EQ(passed->message, "fresh AUT: test_two left it degraded") << "a pass shows its note alone";
  }
}

// issue 15: pytest reports a test that fails in its body and again in its
// tear-down as two testcases of the same name, <failure> then <error>: the
// result keeps both, the body's assertion first.
TEST(BatcherPytestResults, ABodyFailureAndATeardownErrorAreBothKeptBodyFirst) {
  PytestEvidence ev;
  ev.entry_name = "conf";
  ev.events = events(
      "{\"event\":\"end\",\"test\":\"cf/test_conf.py::test_both\",\"outcome\":\"failed\","
      "\"message\":\"AssertionError: body fails\"}\n"
      "{\"event\":\"finish\"}\n");
  ev.report = parse_junit_xml(
      "<testsuites><testsuite>"
      "<testcase classname=\"cf.test_conf\" name=\"test_both\"><failure message=\"AssertionError: body "
      "fails&#10;assert 0\"/></testcase>"
      "<testcase classname=\"cf.test_conf\" name=\"test_both\"><error message=\"failed on teardown with "
      "&quot;RuntimeError: fixture tear-down exploded&quot;\"/></testcase>"
      "</testsuite></testsuites>");
  ev.status = ExitStatus::exited(1);
  auto out = interpret_pytest_attempt(ev);
  ASSERT_EQ(out.results.size(), 1u);
  const std::string& m = out.results[0].message;
  EXPECT_EQ(m.rfind("AssertionError: body fails\nassert 0", 0), 0u) << m;
  EXPECT_NE(m.find("\nerror in tear-down: RuntimeError: fixture tear-down exploded"), std::string::npos) << m;

  // Without the plugin's stream: still one result with both.
  ev.events = TestEvents{};
  out = interpret_pytest_attempt(ev);
  ASSERT_EQ(out.results.size(), 1u);
  EXPECT_EQ(out.results[0].code, ResultCode::Fail);
  EXPECT_EQ(out.results[0].error_in, ErrorIn::CallAndTeardown);
  EXPECT_EQ(out.results[0].message.rfind("failed, then errored in tear-down: AssertionError: body fails", 0), 0u)
      << out.results[0].message;
  EXPECT_NE(out.results[0].message.find("\nerror in tear-down: RuntimeError: fixture tear-down exploded"),
            std::string::npos)
      << out.results[0].message;
}

// A test named like its module, at the rootdir (test_after.py::test_after):
// pytest's report says classname="test_after" name="test_after". It is the
// streamed test, not a second one.
TEST(BatcherPytestResults, ATestNamedLikeItsModuleIsCountedOnce) {
  PytestEvidence ev;
  ev.entry_name = "after";
  ev.events = events(
      "{\"event\":\"end\",\"test\":\"test_after.py::test_after\",\"outcome\":\"failed\",\"message\":\"short\"}\n"
      "{\"event\":\"finish\"}\n");
  ev.report = parse_junit_xml(
      "<testsuites><testsuite><testcase classname=\"test_after\" name=\"test_after\"><failure message=\"long text\"/>"
      "</testcase></testsuite></testsuites>");
  ev.status = ExitStatus::exited(1);
  auto out = interpret_pytest_attempt(ev);
  ASSERT_EQ(out.results.size(), 1u) << "one test, not the stream's and the report's apart";
  EXPECT_EQ(out.results[0].name, "test_after.py::test_after");
  EXPECT_EQ(out.results[0].message, "long text");
}

TEST(BatcherPytestResults, NoTestsCollectedCannotPass) {
  PytestEvidence ev;
  ev.entry_name = "test_a";
  ev.events = events("{\"event\":\"finish\"}\n");
  ev.report = parse_junit_xml("<testsuites><testsuite/></testsuites>");
  ev.status = ExitStatus::exited(5);
  auto out = interpret_pytest_attempt(ev);
  ASSERT_TRUE(out.process_issue);
  EXPECT_EQ(out.process_issue->code, ResultCode::Unresolved);
  // After a resume that deselected everything, exit 5 is the expected end.
  ev.attempt = 2;
  EXPECT_FALSE(interpret_pytest_attempt(ev).process_issue);
}

TEST(BatcherPytestResults, AUsageErrorIsUnresolvedNamingPytestsExitCode) {
  // livegui_pytest refusing --collect-only from an ini file's addopts: pytest
  // exits 4 with no stream and no report.
  PytestEvidence ev;
  ev.entry_name = "test_a";
  ev.report = JunitReadError{"missing"};
  ev.status = ExitStatus::exited(4);
  auto out = interpret_pytest_attempt(ev);
  ASSERT_TRUE(out.process_issue);
  EXPECT_EQ(out.process_issue->code, ResultCode::Unresolved);
  EXPECT_EQ(out.process_issue->message,
            "pytest stopped before running any test with exit code 4, in its words a \"command line usage error\" "
            "(an option it refused, or a conftest.py it could not import): its output says why");
  EXPECT_TRUE(out.results.empty());
}

// Issue 15 leftover: a conftest.py that cannot be imported makes pytest exit
// 4 too. The result says what exit 4 means in pytest's words and shows
// pytest's own first error line (and the exception under it), not "usage
// error" alone.
TEST(BatcherPytestResults, AUsageErrorShowsPytestsOwnFirstErrorLine) {
  PytestEvidence ev;
  ev.entry_name = "test_a";
  ev.report = JunitReadError{"missing"};
  ev.status = ExitStatus::exited(4);
  ev.output_head =
      "ImportError while loading conftest '/src/cf/conftest.py'.\n"
      "cf/conftest.py:1: in <module>\n    import nope_mod\nE   ModuleNotFoundError: No module named 'nope_mod'\n";
  auto out = interpret_pytest_attempt(ev);
  ASSERT_TRUE(out.process_issue);
  EXPECT_EQ(out.process_issue->code, ResultCode::Unresolved);
  EXPECT_EQ(out.process_issue->message,
            "pytest stopped before running any test with exit code 4, in its words a \"command line usage error\" "
            "(an option it refused, or a conftest.py it could not import): ImportError while loading conftest "
            "'/src/cf/conftest.py'. ModuleNotFoundError: No module named 'nope_mod'");
  // pytest's UsageError ("ERROR: …", the plugin refusing --co): that line alone.
  EXPECT_EQ(pytest_usage_error_line("\nERROR: livegui_pytest: --co in the addopts of /src/pytest.ini: …\n\nE   x\n"),
            "ERROR: livegui_pytest: --co in the addopts of /src/pytest.ini: …");
  EXPECT_EQ(pytest_usage_error_line("nothing pytest said\n"), "");
  // A conftest.py that does not parse: pytest quotes the file and line
  // deeper in ("E     File …") before the exception (trialm: the result
  // said 'File "…", line 1' and never SyntaxError).
  EXPECT_EQ(pytest_usage_error_line("ImportError while loading conftest '/t/conftest.py'.\n"
                                    "/usr/lib/python3.11/ast.py:50: in parse\n"
                                    "    return compile(source, filename, mode, flags,\n"
                                    "E     File \"/t/conftest.py\", line 1\n"
                                    "E       def broken(:\n"
                                    "E                  ^\n"
                                    "E   SyntaxError: invalid syntax\n"),
            "ImportError while loading conftest '/t/conftest.py'. SyntaxError: invalid syntax");
}

// Issue 15 leftover: pytest calls a fixture that raises an error, not a
// failure. The stream's "phase" says where; the result keeps it (error_in)
// and its message says it first: "error in set-up: …".
TEST(BatcherTestEvents, ThePhaseOfAnEndIsParsedAndAnUnknownOneIgnored) {
  TestEvents ev = events(
      "{\"event\":\"end\",\"test\":\"a\",\"outcome\":\"error\",\"phase\":\"setup\"}\n"
      "{\"event\":\"end\",\"test\":\"b\",\"outcome\":\"failed\",\"phase\":\"call teardown\"}\n"
      "{\"event\":\"end\",\"test\":\"c\",\"outcome\":\"error\",\"phase\":\"setup lunch\"}\n");
  ASSERT_EQ(ev.ended.size(), 3u);
  EXPECT_EQ(ev.ended[0].failed_in, std::vector<TestPhase>{TestPhase::Setup});
  EXPECT_EQ(ev.ended[1].failed_in, (std::vector<TestPhase>{TestPhase::Call, TestPhase::Teardown}));
  EXPECT_TRUE(ev.ended[2].failed_in.empty());
}

TEST(BatcherPytestResults, AnErrorInSetUpOrTearDownIsSaidSoNotAPlainFailure) {
  PytestEvidence ev;
  ev.entry_name = "fx";
  ev.events = events(
      "{\"event\":\"end\",\"test\":\"t/test_f.py::test_setup\",\"outcome\":\"error\",\"phase\":\"setup\","
      "\"message\":\"RuntimeError: set-up exploded\"}\n"
      "{\"event\":\"end\",\"test\":\"t/test_f.py::test_teardown\",\"outcome\":\"error\",\"phase\":\"teardown\","
      "\"message\":\"RuntimeError: tear-down exploded\"}\n"
      "{\"event\":\"end\",\"test\":\"t/test_f.py::test_both\",\"outcome\":\"failed\",\"phase\":\"call teardown\","
      "\"message\":\"assert 1 == 2\\nteardown failed: RuntimeError: tear-down exploded\"}\n"
      "{\"event\":\"end\",\"test\":\"t/test_f.py::test_fails\",\"outcome\":\"failed\",\"phase\":\"call\","
      "\"message\":\"assert 1 == 2\"}\n"
      "{\"event\":\"finish\"}\n");
  // pytest's own report of the set-up error says less than the stream.
  ev.report = parse_junit_xml(
      "<testsuites><testsuite>"
      "<testcase classname=\"t.test_f\" name=\"test_setup\"><error message=\"failed on setup with "
      "&quot;RuntimeError: set-up exploded&quot;\"/></testcase>"
      "</testsuite></testsuites>");
  ev.status = ExitStatus::exited(1);
  auto out = interpret_pytest_attempt(ev);
  ASSERT_EQ(out.results.size(), 4u);
  EXPECT_EQ(out.results[0].code, ResultCode::Fail);
  EXPECT_EQ(out.results[0].error_in, ErrorIn::Setup);
  EXPECT_EQ(out.results[0].message, "error in set-up: RuntimeError: set-up exploded");
  EXPECT_EQ(out.results[1].error_in, ErrorIn::Teardown);
  EXPECT_EQ(out.results[1].message, "error in tear-down: RuntimeError: tear-down exploded");
  // Failed in its body and errored in tear-down: pytest reports two; we say both.
  EXPECT_EQ(out.results[2].error_in, ErrorIn::CallAndTeardown);
  EXPECT_EQ(out.results[2].message,
            "failed, then errored in tear-down: assert 1 == 2\nteardown failed: RuntimeError: tear-down exploded");
  EXPECT_EQ(out.results[3].error_in, ErrorIn::None);
  EXPECT_EQ(out.results[3].message, "assert 1 == 2");
}

// Issue 15 leftover: a test file pytest cannot collect (SyntaxError,
// ImportError) is named by its path, as the plugin streams it, not by
// pytest's report key ("t.bad"), and its reproduce line selects the file.
TEST(BatcherPytestResults, ACollectionErrorIsNamedByItsFile) {
  PytestEvidence ev;
  ev.entry_name = "bad";
  ev.events = events(
      "{\"event\":\"end\",\"test\":\"t/bad.py\",\"outcome\":\"error\",\"phase\":\"collect\","
      "\"message\":\"SyntaxError: invalid syntax\"}\n"
      "{\"event\":\"collected\",\"tests\":[]}\n{\"event\":\"finish\"}\n");
  ev.report = parse_junit_xml(
      "<testsuites><testsuite><testcase classname=\"\" name=\"t.bad\"><error message=\"collection "
      "failure\">E   SyntaxError: invalid syntax</error></testcase></testsuite></testsuites>");
  ev.status = ExitStatus::exited(2);
  auto out = interpret_pytest_attempt(ev);
  ASSERT_EQ(out.results.size(), 1u);
  EXPECT_EQ(out.results[0].name, "t/bad.py");
  EXPECT_EQ(out.results[0].code, ResultCode::Fail);
  EXPECT_EQ(out.results[0].error_in, ErrorIn::Collection);
  EXPECT_EQ(out.results[0].message, "collection error in t/bad.py: SyntaxError: invalid syntax");
  EXPECT_FALSE(out.process_issue) << out.process_issue->message;
  EXPECT_EQ(pytest_args_selecting({"-m", "pytest", "-q", "t/bad.py"}, out.results[0].name, ""),
            (std::vector<std::string>{"-m", "pytest", "-q", "t/bad.py"}));
}

// Issue 16 leftover: livegui_pytest's "aut_unhealthy" (the AUT was dead or
// degraded when the test failed — an earlier test broke it) reaches the
// result, from the stream or, without it, from pytest's JUnit property; a
// failure on a healthy AUT has none, and a pass never has one. The retry
// then runs the pytest entry again for "degraded", as a GoogleTest entry.
TEST(BatcherPytestResults, AFailureOnAnAutAnEarlierTestBrokeIsTheAutsAndIsRetried) {
  PytestEvidence ev;
  ev.entry_name = "test_never";
  ev.events = events(
      "{\"event\":\"end\",\"test\":\"t/test_n.py::test_a_breaks\",\"outcome\":\"passed\","
      "\"aut_unhealthy\":\"ignored on a pass\"}\n"
      "{\"event\":\"end\",\"test\":\"t/test_n.py::test_b_after\",\"outcome\":\"error\",\"message\":"
      "\"setup failed: no AUT for this test\",\"aut_unhealthy\":\"subprocess degraded: AUT pid 7 reports itself "
      "degraded\"}\n"
      "{\"event\":\"end\",\"test\":\"t/test_n.py::test_c_asserts\",\"outcome\":\"failed\",\"message\":"
      "\"assert 1 == 2\"}\n"
      "{\"event\":\"finish\"}\n");
  ev.status = ExitStatus::exited(1);
  auto out = interpret_pytest_attempt(ev);
  ASSERT_EQ(out.results.size(), 3u);
  EXPECT_EQ(out.results[0].aut_unhealthy, "");
  EXPECT_EQ(out.results[1].aut_unhealthy, "subprocess degraded: AUT pid 7 reports itself degraded");
  EXPECT_EQ(out.results[2].aut_unhealthy, "");

  EntryResult e;
  e.id = "live/test_never";
  e.name = "test_never";
  e.gtest = false;
  e.uses_aut = true;
  e.code = ResultCode::Fail;
  e.tests = out.results;
  RetryPolicy degraded;
  degraded.on = {RetryOn::Degraded};
  degraded.max = 1;
  // The break was recorded during test_a (the state file), not test_b.
  RetryDecision d = decide_retry(e, {{"t/test_n.py::test_a_breaks", "AUT pid 7: app reports degraded"}}, degraded, 0);
  ASSERT_EQ(d.targets.size(), 1u);
  EXPECT_EQ(d.targets[0].test, "t/test_n.py::test_b_after");
  EXPECT_EQ(d.targets[0].why, RetryOn::Degraded);
  EXPECT_TRUE(d.whole_entry);
  // The assertion failure on a healthy AUT alone is not retried.
  e.tests.erase(e.tests.begin() + 1);
  EXPECT_TRUE(decide_retry(e, {{"t/test_n.py::test_a_breaks", "…"}}, degraded, 0).targets.empty());

  // Without the stream: pytest's JUnit report carries the property.
  PytestEvidence junit_only;
  junit_only.entry_name = "test_never";
  junit_only.report = parse_junit_xml(
      "<testsuites><testsuite><testcase classname=\"t.test_n\" name=\"test_b_after\"><properties>"
      "<property name=\"aut_unhealthy\" value=\"subprocess degraded: AUT pid 7 exited\"/></properties>"
      "<error message=\"no AUT\"/></testcase></testsuite></testsuites>");
  junit_only.status = ExitStatus::exited(1);
  auto from_report = interpret_pytest_attempt(junit_only);
  ASSERT_EQ(from_report.results.size(), 1u);
  EXPECT_EQ(from_report.results[0].aut_unhealthy, "subprocess degraded: AUT pid 7 exited");
}

TEST(BatcherPytestResults, WithoutTheStreamTheReportSpeaks) {
  PytestEvidence ev;
  ev.entry_name = "test_a";
  ev.report = parse_junit_xml(
      "<testsuites><testsuite><testcase classname=\"t.test_a\" name=\"one\"/></testsuite></testsuites>");
  ev.status = ExitStatus::exited(0);
  auto out = interpret_pytest_attempt(ev);
  ASSERT_EQ(out.results.size(), 1u);
  EXPECT_EQ(out.results[0].name, "t.test_a.one");
  EXPECT_FALSE(out.process_issue);
}

TEST(BatcherReportFormats, PytestAttemptsGetReportStreamPluginAndDeselects) {
  livegui::test_support::TempDir dir("pytest-deselect");
  SpawnOptions s;
  s.args = {"-m", "pytest", "t/test_a.py"};
  ReportFiles f = prepare_report_attempt(EntryFormat::Pytest, s, dir.path(), "tier_e.attempt-2",
                                         {"t/test_a.py::test_one", "t/test_a.py::test_three", ""});
  EXPECT_EQ(f.junit, dir / "tier_e.attempt-2.junit.xml");
  EXPECT_EQ(f.events, dir / "tier_e.attempt-2.events.jsonl");
  EXPECT_EQ(s.env_set["LIVEGUI_JUNIT_FILE"], f.junit.string());
  EXPECT_EQ(s.env_set["LIVEGUI_EVENTS_FILE"], f.events.string());
  EXPECT_EQ(s.args, (std::vector<std::string>{"-m", "pytest", "t/test_a.py",
                                              "--junitxml=" + (dir / "tier_e.attempt-2.junit.xml").string(), "-p",
                                              "livegui_pytest"}));
  // The decided tests go to the plugin by exact id (pytest's --deselect
  // matches by prefix); an empty id is never one.
  EXPECT_EQ(s.env_set["LIVEGUI_DESELECT_FILE"], (dir / "tier_e.attempt-2.deselect.json").string());
  EXPECT_EQ(livegui::test_support::read_text(f.deselect), "[\"t/test_a.py::test_one\",\"t/test_a.py::test_three\"]\n");
  EXPECT_EQ(f.deselected, (std::vector<std::string>{"t/test_a.py::test_one", "t/test_a.py::test_three"}));
  SpawnOptions first;
  first.args = {"-m", "pytest", "t/test_a.py"};
  EXPECT_TRUE(prepare_report_attempt(EntryFormat::Pytest, first, dir.path(), "tier_e", {}).deselect.empty());
  EXPECT_EQ(first.env_set.count("LIVEGUI_DESELECT_FILE"), 0u);
}

// The reproduce line is pasted into a shell that is not the batcher's: it
// must carry the plugin and the livegui-aut the batcher gives every attempt
// (it lacked both, so the pasted run failed "livegui-aut not found").
TEST(BatcherReportFormats, APytestReproduceLineCarriesThePluginAndLiveguiAut) {
  const char* before = std::getenv("LIVEGUI_AUT_BIN");
  std::string saved = before ? before : "";
  ::setenv("LIVEGUI_AUT_BIN", "/opt/lg/bin/livegui-aut", 1);
  Unit u;
  u.id = "live_gui/test_basic";
  u.tier = "live_gui";
  u.name = "test_basic";
  u.entry.format = EntryFormat::Pytest;
  u.entry.executable = "/usr/bin/python3";
  u.entry.args = {"-m", "pytest", "tests/live/test_basic.py"};
  RunContext ctx;
  ctx.log_dir = "/logs";
  EntryResult e = UnitRun(u, ctx).finish(std::chrono::nanoseconds(0), 0);
  EXPECT_EQ(
      e.reproduce,
      "LIVEGUI_AUT_BIN=/opt/lg/bin/livegui-aut /usr/bin/python3 -m pytest tests/live/test_basic.py -p livegui_pytest");
  EXPECT_EQ(e.args, u.entry.args) << "results.json keeps the planned argv";

  // What the plan already gives is not repeated; other formats get nothing.
  u.entry.args = {"-m", "pytest", "-p", "livegui_pytest", "t.py"};
  u.entry.env = {{"LIVEGUI_AUT_BIN", "/mine/livegui-aut"}};
  e = UnitRun(u, ctx).finish(std::chrono::nanoseconds(0), 0);
  EXPECT_EQ(e.reproduce, "LIVEGUI_AUT_BIN=/mine/livegui-aut /usr/bin/python3 -m pytest -p livegui_pytest t.py");
  u.entry.format = EntryFormat::Junit;
  u.entry.env.clear();
  e = UnitRun(u, ctx).finish(std::chrono::nanoseconds(0), 0);
  EXPECT_EQ(e.reproduce, "/usr/bin/python3 -m pytest -p livegui_pytest t.py");
  if (before)
    ::setenv("LIVEGUI_AUT_BIN", saved.c_str(), 1);
  else
    ::unsetenv("LIVEGUI_AUT_BIN");
}

// Issue 15: a failing pytest test's reproduce line ran the whole file; it
// selects the test by its node id (quoted for the shell), in place of the
// file the entry runs. The entry's own line still runs the whole file.
TEST(BatcherReportFormats, AFailingPytestTestsReproduceLineSelectsItsNodeId) {
  livegui::test_support::TempDir dir("pytest-repro");
  ::setenv("LIVEGUI_AUT_BIN", "/opt/lg/bin/livegui-aut", 1);
  std::filesystem::create_directories(dir / "tests" / "live");
  Unit u;
  u.id = "live_gui/test_basic";
  u.tier = "live_gui";
  u.name = "test_basic";
  u.entry.format = EntryFormat::Pytest;
  u.entry.executable = "/usr/bin/python3";
  u.entry.cwd = dir.path();
  u.entry.args = {
      "-m",        "pytest", "-q", "-p", "no:cacheprovider", "-c", "conf/pytest.ini", "tests/live/test_basic.py",
      "tests/live"};
  RunContext ctx;
  ctx.log_dir = dir / "logs";
  std::filesystem::create_directories(ctx.log_dir);
  UnitRun run(u, ctx);
  AttemptSpec a = run.next_attempt();
  std::ofstream(a.reports.events)
      << "{\"event\":\"end\",\"test\":\"tests/live/test_basic.py::test_ok\",\"outcome\":\"passed\"}\n"
         "{\"event\":\"end\",\"test\":\"tests/live/test_basic.py::test_bad[a b]\",\"outcome\":\"failed\","
         "\"message\":\"assert 0\"}\n{\"event\":\"finish\"}\n";
  run.attempt_finished(ExitStatus::exited(1), StopCause::None, std::chrono::milliseconds(20), 1);
  EntryResult e = run.finish(std::chrono::milliseconds(20), 0);
  const std::string cd = "cd " + dir.path().string() + " && LIVEGUI_AUT_BIN=/opt/lg/bin/livegui-aut /usr/bin/python3 ";
  EXPECT_EQ(e.reproduce, cd + "-m pytest -q -p no:cacheprovider -c conf/pytest.ini tests/live/test_basic.py tests/live "
                              "-p livegui_pytest");
  const TestResult* bad = find(e.tests, "tests/live/test_basic.py::test_bad[a b]");
  ASSERT_NE(bad, nullptr);
  EXPECT_EQ(bad->code, ResultCode::Fail);
  EXPECT_EQ(bad->reproduce, cd + "-m pytest -q -p no:cacheprovider -c conf/pytest.ini "
                                 "'tests/live/test_basic.py::test_bad[a b]' -p livegui_pytest");
  EXPECT_EQ(test_reproduce_line(e, *bad), bad->reproduce);
  const TestResult* ok = find(e.tests, "tests/live/test_basic.py::test_ok");
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(test_reproduce_line(e, *ok), e.reproduce) << "a passing test has no line of its own";
  ::unsetenv("LIVEGUI_AUT_BIN");
}

// Issue 15: a junit entry's reproduce line kept a literal {junit}; it names a
// real file beside the batcher's own reports (never one of them).
TEST(BatcherReportFormats, AJunitEntrysReproduceLineHasARealReportPath) {
  Unit u;
  u.id = "t/ctest";
  u.tier = "t";
  u.name = "ctest";
  u.entry.format = EntryFormat::Junit;
  u.entry.executable = "/usr/bin/ctest";
  u.entry.args = {"--output-junit", "{junit}", "-R", "x"};
  RunContext ctx;
  ctx.log_dir = "/logs";
  EntryResult e = UnitRun(u, ctx).finish(std::chrono::nanoseconds(0), 0);
  EXPECT_EQ(e.reproduce, "/usr/bin/ctest --output-junit /logs/t__ctest.by-hand.junit.xml -R x");
  EXPECT_EQ(e.args, u.entry.args) << "results.json keeps the planned argv";
  u.entry.format = EntryFormat::Pytest;
  u.entry.executable = "/usr/bin/python3";
  u.entry.args = {"-m", "pytest", "--junitxml={junit}", "t.py"};
  u.entry.env = {{"LIVEGUI_AUT_BIN", "/a"}};
  e = UnitRun(u, ctx).finish(std::chrono::nanoseconds(0), 0);
  EXPECT_EQ(e.reproduce,
            "LIVEGUI_AUT_BIN=/a /usr/bin/python3 -m pytest --junitxml=/logs/t__ctest.by-hand.junit.xml t.py -p "
            "livegui_pytest");
}

// Issue 15: with the user's own --junit-prefix=X (pytest puts "X." before
// every classname), the report's tests did not match the stream's node ids:
// every test was listed twice, once by node id and once by its report name.
TEST(BatcherReportFormats, AJunitPrefixOfTheUsersListsEachTestOnce) {
  livegui::test_support::TempDir dir("pytest-prefix");
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"-m", "pytest", "--junit-prefix=X", "t/test_a.py"},
                                             {"-m", "pytest", "--junit-prefix", "X", "t/test_a.py"}}) {
    SpawnOptions s;
    s.args = args;
    ReportFiles f = prepare_report_attempt(EntryFormat::Pytest, s, dir.path(), "e.attempt-2", {"t/test_a.py::test_0"});
    std::ofstream(f.events) << "{\"event\":\"end\",\"test\":\"t/test_a.py::test_one\",\"outcome\":\"passed\"}\n"
                               "{\"event\":\"end\",\"test\":\"t/test_a.py::test_two\",\"outcome\":\"failed\","
                               "\"message\":\"short\"}\n{\"event\":\"finish\"}\n";
    std::ofstream(f.junit) << "<testsuites><testsuite><testcase classname=\"X.t.test_a\" name=\"test_one\"/>"
                              "<testcase classname=\"X.t.test_a\" name=\"test_two\"><failure message=\"long text\"/>"
                              "</testcase></testsuite></testsuites>";
    AttemptOutcome out = read_report_attempt(EntryFormat::Pytest, f, "e", ExitStatus::exited(1), StopCause::None,
                                             std::chrono::milliseconds(0), "", 2);
    ASSERT_EQ(out.results.size(), 2u) << args[2];
    EXPECT_EQ(out.results[0].name, "t/test_a.py::test_one");
    EXPECT_EQ(out.results[1].name, "t/test_a.py::test_two");
    EXPECT_EQ(out.results[1].message, "long text") << "the report's text is found under the prefix";
  }
}

TEST(BatcherReportFormats, JunitPlaceholderIsReplaced) {
  SpawnOptions s;
  s.args = {"--output-junit", "{junit}", "-r=junit::out={junit}"};
  ReportFiles f = prepare_report_attempt(EntryFormat::Junit, s, "/l", "x", {});
  EXPECT_TRUE(f.events.empty());
  EXPECT_EQ(s.args, (std::vector<std::string>{"--output-junit", "/l/x.junit.xml", "-r=junit::out=/l/x.junit.xml"}));
}

}  // namespace
}  // namespace livegui::batch
