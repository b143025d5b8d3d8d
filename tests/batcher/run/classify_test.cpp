#include "batcher/run/classify.hpp"

#include <csignal>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "batcher/reproduce.hpp"
#include "batcher/run/unit_run.hpp"
#include "tests/support/temp_dir.hpp"

namespace livegui::batch {
namespace {

GtestProgress progress(const std::string& text) {
  std::istringstream in(text);
  return parse_gtest_progress(in);
}

const TestResult* find(const std::vector<TestResult>& rs, const std::string& name) {
  for (const auto& r : rs)
    if (r.name == name) return &r;
  return nullptr;
}

AttemptEvidence crash_in_second() {
  AttemptEvidence ev;
  ev.expected_tests = {"C.First", "C.Second", "C.Third", "C.Fourth"};
  ev.progress = progress("[ RUN      ] C.First\n[       OK ] C.First (0 ms)\n[ RUN      ] C.Second\nabout to crash\n");
  ev.status = ExitStatus::killed(SIGSEGV);
  return ev;
}

TEST(BatcherClassify, ACrashBlamesTheRunningTestAndResumesTheRest) {
  auto out = interpret_gtest_attempt(crash_in_second());
  EXPECT_TRUE(out.abnormal);
  EXPECT_TRUE(out.resume);
  EXPECT_EQ(out.remaining, (std::vector<std::string>{"C.Third", "C.Fourth"}));
  ASSERT_TRUE(find(out.results, "C.Second"));
  EXPECT_EQ(find(out.results, "C.Second")->code, ResultCode::Crash);
  EXPECT_NE(find(out.results, "C.Second")->message.find("killed by SIGSEGV during this test"), std::string::npos);
  EXPECT_NE(find(out.results, "C.Second")->message.find("about to crash"), std::string::npos);
  EXPECT_EQ(find(out.results, "C.First")->code, ResultCode::Pass);
  EXPECT_FALSE(out.process_issue.has_value());
}

TEST(BatcherClassify, WithoutATestListACrashStillResumes) {
  AttemptEvidence ev = crash_in_second();
  ev.expected_tests.clear();
  ev.tests_known = false;
  auto out = interpret_gtest_attempt(ev);
  EXPECT_TRUE(out.resume);
  EXPECT_EQ(out.results.size(), 2u);
}

TEST(BatcherClassify, ACrashBeforeAnyTestLeavesTheRestUnresolved) {
  AttemptEvidence ev;
  ev.expected_tests = {"C.First", "C.Second"};
  ev.status = ExitStatus::killed(SIGABRT);
  auto out = interpret_gtest_attempt(ev);
  EXPECT_FALSE(out.resume) << "resuming would only crash again";
  ASSERT_TRUE(out.process_issue.has_value());
  EXPECT_EQ(out.process_issue->code, ResultCode::Crash);
  EXPECT_NE(out.process_issue->message.find("before running any test"), std::string::npos);
  ASSERT_EQ(out.results.size(), 2u);
  EXPECT_EQ(out.results[0].code, ResultCode::Unresolved);
}

TEST(BatcherClassify, ATimeoutNamesTheRunningTestAndSkipsTheRest) {
  AttemptEvidence ev;
  ev.expected_tests = {"H.Before", "H.Forever", "H.After"};
  ev.progress = progress("[ RUN      ] H.Before\n[       OK ] H.Before (0 ms)\n[ RUN      ] H.Forever\nhanging\n");
  ev.status = ExitStatus::killed(SIGTERM);
  ev.stopped_for = StopCause::Timeout;
  ev.timeout = std::chrono::seconds(5);
  auto out = interpret_gtest_attempt(ev);
  EXPECT_FALSE(out.resume);
  EXPECT_EQ(find(out.results, "H.Forever")->code, ResultCode::Timeout);
  EXPECT_NE(find(out.results, "H.Forever")->message.find("longer than 5.00 s"), std::string::npos);
  EXPECT_EQ(find(out.results, "H.After")->code, ResultCode::Skipped);
  EXPECT_EQ(find(out.results, "H.After")->message, "not run: the entry timed out during H.Forever");
}

TEST(BatcherClassify, AnInterruptLeavesTheRunningTestUnresolvedAndSkipsTheRest) {
  // It started and never ended: not passed, not "not run" either.
  AttemptEvidence ev;
  ev.expected_tests = {"H.First", "H.Sleeps", "H.Never"};
  ev.progress = progress("[ RUN      ] H.First\n[       OK ] H.First (0 ms)\n[ RUN      ] H.Sleeps\nsleeping\n");
  ev.status = ExitStatus::killed(SIGTERM);
  ev.stopped_for = StopCause::Interrupt;
  ev.interrupt_signal = "SIGINT";
  auto out = interpret_gtest_attempt(ev);
  EXPECT_FALSE(out.resume);
  EXPECT_EQ(find(out.results, "H.First")->code, ResultCode::Pass);
  ASSERT_TRUE(find(out.results, "H.Sleeps"));
  EXPECT_EQ(find(out.results, "H.Sleeps")->code, ResultCode::Unresolved);
  EXPECT_EQ(find(out.results, "H.Sleeps")->message,
            "interrupted by SIGINT during this test: stopped before it ended, its result is unknown\nsleeping");
  EXPECT_EQ(find(out.results, "H.Never")->code, ResultCode::Skipped);
  EXPECT_EQ(find(out.results, "H.Never")->message, "not run: interrupted by SIGINT");
  EXPECT_FALSE(out.process_issue.has_value()) << "the running test is blamed";
  EXPECT_EQ(rollup(out.results), ResultCode::Unresolved);
}

TEST(BatcherClassify, AnInterruptOutsideAnyTestLeavesTheBinaryUnresolved) {
  // Stopped in a suite's set-up (or its exit): every test that ended passed,
  // but the binary did not get to say how it ended.
  AttemptEvidence ev;
  ev.expected_tests = {"H.First", "S.Next"};
  ev.progress = progress("[ RUN      ] H.First\n[       OK ] H.First (0 ms)\n[----------] 1 test from S\n");
  ev.status = ExitStatus::killed(SIGTERM);
  ev.stopped_for = StopCause::Interrupt;
  ev.interrupt_signal = "SIGTERM";
  auto out = interpret_gtest_attempt(ev);
  EXPECT_EQ(find(out.results, "H.First")->code, ResultCode::Pass);
  EXPECT_EQ(find(out.results, "S.Next")->code, ResultCode::Skipped);
  ASSERT_TRUE(out.process_issue.has_value());
  EXPECT_EQ(out.process_issue->code, ResultCode::Unresolved);
  EXPECT_EQ(out.process_issue->message,
            "interrupted by SIGTERM outside any test (after H.First): the binary was stopped before it ended, its "
            "result is unknown");

  // One that had written its report and exited 0 as the signal came ran to its end.
  GtestJsonReport json;
  JsonTestResult a;
  a.name = "H.First";
  JsonTestResult b;
  b.name = "S.Next";
  json.tests = {a, b};
  ev.json = json;
  ev.status = ExitStatus::exited(0);
  auto done = interpret_gtest_attempt(ev);
  EXPECT_FALSE(done.process_issue.has_value());
  EXPECT_EQ(rollup(done.results), ResultCode::Pass);
}

TEST(BatcherClassify, TheJsonReportWinsAndAFailingExitWithoutFailuresIsReported) {
  AttemptEvidence ev;
  ev.expected_tests = {"A.a", "A.b", "A.gone"};
  GtestJsonReport json;
  JsonTestResult pass;
  pass.name = "A.a";
  JsonTestResult fail;
  fail.name = "A.b";
  fail.failed = true;
  fail.failure = "t.cpp:9\nwrong";
  json.tests = {pass, fail};
  ev.json = json;
  ev.status = ExitStatus::exited(1);
  auto out = interpret_gtest_attempt(ev);
  EXPECT_FALSE(out.abnormal);
  EXPECT_EQ(find(out.results, "A.b")->code, ResultCode::Fail);
  EXPECT_EQ(find(out.results, "A.b")->message, "t.cpp:9: wrong");
  EXPECT_EQ(find(out.results, "A.gone")->code, ResultCode::Unresolved);
  EXPECT_FALSE(out.process_issue.has_value());

  json.tests.pop_back();
  ev.json = json;
  ev.expected_tests = {"A.a"};
  auto clean = interpret_gtest_attempt(ev);
  ASSERT_TRUE(clean.process_issue.has_value());
  EXPECT_EQ(clean.process_issue->code, ResultCode::Fail);
  EXPECT_NE(clean.process_issue->message.find("exit code 1 although no test failed"), std::string::npos);
}

TEST(BatcherClassify, APrematureExitFailsTheRunningTest) {
  AttemptEvidence ev;
  ev.expected_tests = {"E.a", "E.b"};
  ev.progress = progress("[ RUN      ] E.a\n");
  ev.status = ExitStatus::exited(0);
  ev.premature_exit = true;
  auto out = interpret_gtest_attempt(ev);
  EXPECT_TRUE(out.abnormal);
  EXPECT_EQ(find(out.results, "E.a")->code, ResultCode::Fail);
  EXPECT_NE(find(out.results, "E.a")->message.find("exited with exit code 0 during this test"), std::string::npos);
  EXPECT_TRUE(out.resume);
}

TEST(BatcherClassify, CommandsAreJudgedByExitStatus) {
  using std::chrono::seconds;
  EXPECT_EQ(interpret_command("c", ExitStatus::exited(0), StopCause::None, seconds(1), "").code, ResultCode::Pass);
  EXPECT_EQ(interpret_command("c", ExitStatus::exited(3), StopCause::None, seconds(1), "").code, ResultCode::Fail);
  EXPECT_EQ(interpret_command("c", ExitStatus::exited(77), StopCause::None, seconds(1), "").code, ResultCode::Skipped);
  EXPECT_EQ(interpret_command("c", ExitStatus::killed(SIGSEGV), StopCause::None, seconds(1), "").code,
            ResultCode::Crash);
  EXPECT_EQ(interpret_command("c", ExitStatus::killed(SIGTERM), StopCause::Timeout, seconds(1), "").code,
            ResultCode::Timeout);
  TestResult interrupted =
      interpret_command("c", ExitStatus::killed(SIGTERM), StopCause::Interrupt, seconds(1), "SIGINT");
  EXPECT_EQ(interrupted.code, ResultCode::Unresolved) << "it never ended: its result is unknown";
  EXPECT_EQ(interrupted.message, "interrupted by SIGINT while running: stopped before it ended, its result is unknown");
}

std::vector<TestResult> tests(std::initializer_list<std::pair<const char*, ResultCode>> list) {
  std::vector<TestResult> out;
  for (const auto& [n, c] : list) {
    TestResult t;
    t.name = n;
    t.code = c;
    out.push_back(t);
  }
  return out;
}

TEST(BatcherClassify, ExpectationsTurnFailuresIntoXfailAndPassesIntoXpass) {
  auto listed = tests({{"S.known", ResultCode::Fail}, {"S.fixed", ResultCode::Pass}, {"S.other", ResultCode::Pass}});
  apply_expectations(listed, false, {"S.known", "S.fixed"}, NamePatterns::GTestFilter);
  EXPECT_EQ(listed[0].code, ResultCode::XFail);
  EXPECT_EQ(listed[1].code, ResultCode::XPass);
  EXPECT_EQ(listed[2].code, ResultCode::Pass);
  EXPECT_EQ(rollup(listed), ResultCode::XPass);

  auto whole = tests({{"S.a", ResultCode::Pass}, {"S.b", ResultCode::Crash}, {"S.c", ResultCode::Unresolved}});
  apply_expectations(whole, true, {}, NamePatterns::GTestFilter);
  EXPECT_EQ(whole[0].code, ResultCode::Pass);
  EXPECT_EQ(whole[1].code, ResultCode::XFail);
  EXPECT_EQ(whole[2].code, ResultCode::Unresolved) << "could-not-tell stays could-not-tell";

  auto all_pass = tests({{"S.a", ResultCode::Pass}, {"S.b", ResultCode::Skipped}});
  apply_expectations(all_pass, true, {}, NamePatterns::GTestFilter);
  EXPECT_EQ(all_pass[0].code, ResultCode::XPass);
  EXPECT_EQ(all_pass[1].code, ResultCode::Skipped);
}

TEST(BatcherClassify, AnXfailPatternThatMatchesEveryTestCoversTheProcessResultToo) {
  // h18e item 5: xfail = ["*"] left "(process)" a FAIL.
  auto make = [] {
    TestResult crash_at_exit;
    crash_at_exit.name = "bin (process)";
    crash_at_exit.code = ResultCode::Crash;
    crash_at_exit.synthetic = true;
    TestResult failed;
    failed.name = "S.fails";
    failed.code = ResultCode::Fail;
    return std::vector<TestResult>{failed, crash_at_exit};
  };
  for (const std::string& every : {"*", "S.a:*"}) {
    auto tests = make();
    apply_expectations(tests, false, {every}, NamePatterns::GTestFilter);
    EXPECT_EQ(tests[0].code, ResultCode::XFail) << every;
    EXPECT_EQ(tests[1].code, ResultCode::XFail) << every;
  }
  // A pattern of some tests, or with exclusions, says nothing of the process.
  for (const std::string& some : {"S.*", "*-S.other"}) {
    auto tests = make();
    apply_expectations(tests, false, {some}, NamePatterns::GTestFilter);
    EXPECT_EQ(tests[0].code, ResultCode::XFail) << some;
    EXPECT_EQ(tests[1].code, ResultCode::Crash) << some;
  }
}

// The plan example of batcher/README.md: "*::test_known_bug" against pytest
// node ids must mark that one test, not every test of the file (read as a
// GoogleTest filter, ':' splits it into "*" and "test_known_bug").
TEST(BatcherClassify, XfailPatternWithDoubleColonMatchesOnePytestNodeId) {
  auto ids = tests({{"tests/live/test_a.py::test_known_bug", ResultCode::Fail},
                    {"tests/live/test_a.py::test_other_fails", ResultCode::Fail},
                    {"tests/live/test_a.py::test_passes", ResultCode::Pass},
                    {"tests/live/test_a.py::TestK::test_known_bug", ResultCode::Pass}});
  apply_expectations(ids, false, {"*::test_known_bug"}, NamePatterns::Wildcard);
  EXPECT_EQ(ids[0].code, ResultCode::XFail);
  EXPECT_EQ(ids[1].code, ResultCode::Fail) << "a test the pattern does not name stays a failure";
  EXPECT_EQ(ids[2].code, ResultCode::Pass);
  EXPECT_EQ(ids[3].code, ResultCode::XPass) << "'*' spans '::' like any character";
  EXPECT_EQ(rollup(ids), ResultCode::Fail);

  // A ':'-separated list is GoogleTest's syntax, still honoured for gtest names.
  auto gt = tests({{"S.a", ResultCode::Fail},
                   {"S.b", ResultCode::Fail},
                   {"T.skipme", ResultCode::Fail},
                   {"T.c", ResultCode::Fail}});
  apply_expectations(gt, false, {"S.a:T.*-T.skipme"}, NamePatterns::GTestFilter);
  EXPECT_EQ(gt[0].code, ResultCode::XFail);
  EXPECT_EQ(gt[1].code, ResultCode::Fail);
  EXPECT_EQ(gt[2].code, ResultCode::Fail);
  EXPECT_EQ(gt[3].code, ResultCode::XFail);
}

TEST(BatcherClassify, ResultCodesAndRollup) {
  EXPECT_FALSE(is_failure(ResultCode::Pass));
  EXPECT_FALSE(is_failure(ResultCode::XFail));
  EXPECT_FALSE(is_failure(ResultCode::Skipped));
  for (ResultCode c :
       {ResultCode::Fail, ResultCode::Crash, ResultCode::Timeout, ResultCode::Unresolved, ResultCode::XPass})
    EXPECT_TRUE(is_failure(c)) << name(c);
  for (ResultCode c : kAllResultCodes) EXPECT_EQ(result_code_from_name(name(c)), c);
  EXPECT_EQ(rollup({}), ResultCode::Pass);
  EXPECT_EQ(rollup(tests({{"a", ResultCode::Pass}, {"b", ResultCode::Crash}, {"c", ResultCode::Fail}})),
            ResultCode::Crash);
  EXPECT_EQ(rollup(tests({{"a", ResultCode::Skipped}})), ResultCode::Skipped);
  EXPECT_EQ(rollup(tests({{"a", ResultCode::Skipped}, {"b", ResultCode::Pass}})), ResultCode::Pass);
}

TEST(BatcherClassify, ResumeFiltersExcludeWhatIsDecided) {
  EXPECT_EQ(exclude_from_filter("", {"A.a", "A.b"}), "*-A.a:A.b");
  EXPECT_EQ(exclude_from_filter("A.*-A.x", {"A.a"}), "A.*-A.x:A.a");
  EXPECT_EQ(exclude_from_filter("A.*", {}), "A.*");
}

}  // namespace
}  // namespace livegui::batch

namespace livegui::batch {
namespace {

TEST(BatcherClassify, ACrashInSuiteSetUpBlamesThatSuiteAndResumesTheRest) {
  AttemptEvidence ev;
  ev.expected_tests = {"V.A", "W.First", "W.Second", "X.After"};
  ev.progress = progress(
      "[==========] Running 4 tests from 3 test suites.\n[----------] 1 test from V\n[ RUN      ] V.A\n"
      "[       OK ] V.A (0 ms)\n[----------] 1 test from V (0 ms total)\n\n[----------] 2 tests from W\n");
  ev.status = ExitStatus::killed(SIGSEGV);
  auto out = interpret_gtest_attempt(ev);
  EXPECT_EQ(find(out.results, "V.A")->code, ResultCode::Pass);
  ASSERT_TRUE(find(out.results, "W.First"));
  EXPECT_EQ(find(out.results, "W.First")->code, ResultCode::Crash);
  EXPECT_NE(find(out.results, "W.First")->message.find("in suite set-up (W::SetUpTestSuite)"), std::string::npos);
  EXPECT_EQ(find(out.results, "W.Second")->code, ResultCode::Crash);
  EXPECT_FALSE(find(out.results, "X.After"));
  EXPECT_EQ(out.remaining, std::vector<std::string>{"X.After"});
  EXPECT_TRUE(out.resume);
  EXPECT_FALSE(out.process_issue.has_value());

  // The same spot without a test list: the suite stands for its tests.
  ev.expected_tests.clear();
  ev.tests_known = false;
  auto unlisted = interpret_gtest_attempt(ev);
  ASSERT_TRUE(find(unlisted.results, "W.<suite set-up/tear-down>"));
  EXPECT_EQ(find(unlisted.results, "W.<suite set-up/tear-down>")->code, ResultCode::Crash);
  EXPECT_TRUE(unlisted.resume);
}

TEST(BatcherClassify, TheResumeAfterASuiteSetUpCrashExcludesTheWholeSuite) {
  livegui::test_support::TempDir dir("classify-setup-crash");
  Unit u;
  u.id = "t/setup_crash";
  u.name = "setup_crash";
  u.gtest = true;
  u.entry.executable = "/bin/false";
  RunContext ctx;
  ctx.log_dir = dir.path();
  UnitRun run(u, ctx);
  AttemptSpec first = run.next_attempt();
  EXPECT_EQ(first.filter, "");
  std::ofstream(first.log) << "[==========] Running 4 tests from 3 test suites.\n[----------] 1 test from V\n"
                              "[ RUN      ] V.A\n[       OK ] V.A (0 ms)\n[----------] 1 test from V (0 ms total)\n\n"
                              "[----------] 2 tests from W\n";
  int listed = 0;
  auto lister = [&] {
    ++listed;
    return std::vector<std::string>{"V.A", "W.First", "W.Second", "X.After"};
  };
  run.attempt_finished(ExitStatus::killed(SIGSEGV), StopCause::None, std::chrono::milliseconds(1), 1, "SIGINT", lister);
  EXPECT_EQ(listed, 1);  // an abnormal end: the tests it never reached need names
  ASSERT_TRUE(run.wants_another_attempt());
  AttemptSpec second = run.next_attempt();
  // Suites all of whose tests are decided are left out whole (resume_filter.hpp).
  EXPECT_EQ(second.filter, "*-V.*:W.*");
  std::ofstream(second.log) << "[==========] Running 1 test from 1 test suite.\n[ RUN      ] X.After\n"
                               "[       OK ] X.After (0 ms)\n[==========] 1 test from 1 test suite ran. (0 ms total)\n";
  run.attempt_finished(ExitStatus::exited(0), StopCause::None, std::chrono::milliseconds(1), 2, "SIGINT", lister);
  EXPECT_EQ(listed, 1);
  EXPECT_FALSE(run.wants_another_attempt());
  EntryResult e = run.finish(std::chrono::milliseconds(2), 0);
  ASSERT_EQ(e.tests.size(), 4u);
  EXPECT_EQ(find(e.tests, "V.A")->code, ResultCode::Pass);
  EXPECT_EQ(find(e.tests, "W.First")->code, ResultCode::Crash);
  EXPECT_EQ(find(e.tests, "W.Second")->code, ResultCode::Crash);
  EXPECT_EQ(find(e.tests, "X.After")->code, ResultCode::Pass);
  EXPECT_EQ(e.code, ResultCode::Crash);
}

TEST(BatcherClassify, ACleanRunIsNeverListed) {
  livegui::test_support::TempDir dir("classify-clean");
  Unit u;
  u.id = "t/clean";
  u.name = "clean";
  u.gtest = true;
  u.entry.executable = "/bin/true";
  RunContext ctx;
  ctx.log_dir = dir.path();
  UnitRun run(u, ctx);
  AttemptSpec a = run.next_attempt();
  std::ofstream(a.log) << "[==========] Running 1 test from 1 test suite.\n[ RUN      ] P.A\n[       OK ] P.A (0 ms)\n"
                          "[==========] 1 test from 1 test suite ran. (0 ms total)\n";
  std::ofstream(a.json) << R"({"tests": 1, "failures": 0, "disabled": 0, "testsuites": [{"name": "P", "testsuite": [
      {"name": "A", "status": "RUN", "result": "COMPLETED", "time": "0s"}]}]})";
  int listed = 0;
  run.attempt_finished(ExitStatus::exited(0), StopCause::None, std::chrono::milliseconds(1), 1, "SIGINT", [&] {
    ++listed;
    return std::vector<std::string>{};
  });
  EXPECT_EQ(listed, 0);
  EntryResult e = run.finish(std::chrono::milliseconds(1), 0);
  ASSERT_EQ(e.tests.size(), 1u);
  EXPECT_EQ(e.code, ResultCode::Pass);
}

TEST(BatcherClassify, NoBannerNoReportMeansNoGoogleTestTestRan) {
  AttemptEvidence ev;
  ev.tests_known = false;
  ev.progress = progress("checked the sum by hand: 10\n");
  ev.status = ExitStatus::exited(0);
  EXPECT_TRUE(interpret_gtest_attempt(ev).no_gtest_run);
  ev.status = ExitStatus::killed(SIGSEGV);
  EXPECT_FALSE(interpret_gtest_attempt(ev).no_gtest_run);
  ev.status = ExitStatus::exited(0);
  ev.progress = progress(
      "[==========] Running 0 tests from 0 test suites.\n[==========] 0 tests from 0 test suites ran. (0 ms total)\n");
  EXPECT_FALSE(interpret_gtest_attempt(ev).no_gtest_run);
}

TEST(BatcherClassify, RepeatedNamesKeepOneResultEach) {
  AttemptEvidence ev;
  ev.tests_known = false;
  ev.progress = progress(
      "[ RUN      ] Mixed.Same\nfirst\n[       OK ] Mixed.Same (0 ms)\n[ RUN      ] Mixed.Same\n"
      "second\n[  FAILED  ] Mixed.Same (0 ms)\n");
  GtestJsonReport json;
  JsonTestResult a, b, suite;
  a.name = b.name = "Mixed.Same";
  b.failed = true;
  b.failure = "same test fixture class";
  suite.name = "Mixed";
  suite.suite_level = true;
  suite.failed = true;
  suite.failure = "t.cpp:3\nin SetUpTestSuite";
  json.tests = {a, b, suite};
  ev.json = json;
  ev.status = ExitStatus::exited(1);
  auto out = interpret_gtest_attempt(ev);
  ASSERT_EQ(out.results.size(), 3u);
  EXPECT_EQ(out.results[0].name, "Mixed.Same");
  EXPECT_EQ(out.results[0].code, ResultCode::Pass);
  EXPECT_EQ(out.results[1].name, "Mixed.Same");
  EXPECT_EQ(out.results[1].code, ResultCode::Fail);
  EXPECT_EQ(out.results[1].output, "second\n");
  EXPECT_EQ(out.results[2].name, "Mixed.<suite set-up/tear-down>");
  EXPECT_EQ(out.results[2].code, ResultCode::Fail);
  EXPECT_EQ(reproduce_filter_for(out.results[2].name), "Mixed.*");
}

TEST(BatcherClassify, APerTestTimeoutIsTimeoutForThatTestAndResumesTheRest) {
  AttemptEvidence ev;
  ev.expected_tests = {"H.Before", "H.Forever", "H.After"};
  ev.progress = progress("[ RUN      ] H.Before\n[       OK ] H.Before (0 ms)\n[ RUN      ] H.Forever\nhanging\n");
  ev.status = ExitStatus::killed(SIGTERM);
  ev.stopped_for = StopCause::TestTimeout;
  ev.timeout = std::chrono::seconds(600);
  ev.test_timeout = std::chrono::seconds(2);
  auto out = interpret_gtest_attempt(ev);
  EXPECT_TRUE(out.resume);
  EXPECT_EQ(find(out.results, "H.Before")->code, ResultCode::Pass);
  EXPECT_EQ(find(out.results, "H.Forever")->code, ResultCode::Timeout);
  EXPECT_NE(find(out.results, "H.Forever")->message.find("ran longer than test_timeout (2.00 s)"), std::string::npos)
      << find(out.results, "H.Forever")->message;
  EXPECT_EQ(find(out.results, "H.After"), nullptr);
  EXPECT_EQ(out.remaining, (std::vector<std::string>{"H.After"}));
}

}  // namespace
}  // namespace livegui::batch

namespace livegui::batch {
namespace {

// A binary whose own main() accepts a failure (GoogleTest's own tests do
// this) exits 0: ctest passes it, so the failure is an expected one.
TEST(BatcherClassify, FailuresTheBinarysOwnMainAcceptedAreExpectedFailures) {
  AttemptEvidence ev;
  ev.tests_known = false;
  ev.json = parse_gtest_json(R"({"tests": 2, "failures": 1, "testsuites": [{"name": "S", "testsuite": [
      {"name": "Passes", "status": "RUN", "result": "COMPLETED", "time": "0s"},
      {"name": "ShouldFail", "status": "RUN", "result": "COMPLETED", "time": "0s",
       "failures": [{"failure": "t.cpp:9\nExpected equality"}]}]}]})");
  ASSERT_TRUE(ev.json);
  ev.status = ExitStatus::exited(0);
  auto out = interpret_gtest_attempt(ev);
  ASSERT_EQ(out.results.size(), 2u);
  EXPECT_EQ(out.results[0].code, ResultCode::Pass);
  EXPECT_EQ(out.results[1].code, ResultCode::XFail);
  EXPECT_EQ(out.results[1].message.rfind(kAcceptedByOwnMain, 0), 0u) << out.results[1].message;
  EXPECT_EQ(out.results[1].expected_by, ExpectedBy::OwnMain);
  EXPECT_NE(out.results[1].message.find("t.cpp:9: Expected equality"), std::string::npos);
  EXPECT_EQ(out.accepted_failures, 1);
  EXPECT_FALSE(out.process_issue.has_value());
  EXPECT_EQ(rollup(out.results), ResultCode::XFail);
  EXPECT_FALSE(is_failure(rollup(out.results)));

  // The same report with exit code 1 (RUN_ALL_TESTS()'s own verdict) is a failure.
  ev.status = ExitStatus::exited(1);
  auto failing = interpret_gtest_attempt(ev);
  EXPECT_EQ(failing.results[1].code, ResultCode::Fail);
  EXPECT_EQ(failing.accepted_failures, 0);

  // A suite-level failure (here: a global environment's) is accepted the same way.
  AttemptEvidence global;
  global.tests_known = false;
  global.json = parse_gtest_json(R"({"testsuites": [{"name": "NonTestSuiteFailure", "testsuite": [
      {"name": "", "classname": "", "failures": [{"failure": "env.cpp:5\nFailed"}]}]}]})");
  global.status = ExitStatus::exited(0);
  auto g = interpret_gtest_attempt(global);
  ASSERT_EQ(g.results.size(), 1u);
  EXPECT_EQ(g.results[0].name, "<global set-up/tear-down>");
  EXPECT_EQ(g.results[0].code, ResultCode::XFail);
}

TEST(BatcherClassify, AListedTestABinaryLeftOutWhileExitingZeroIsSkippedNotUnresolved) {
  AttemptEvidence ev;
  ev.expected_tests = {"S.Ran", "S.Left"};
  ev.progress = progress(
      "[==========] Running 1 test from 1 test suite.\n[ RUN      ] S.Ran\n[       OK ] S.Ran (0 ms)\n"
      "[==========] 1 test from 1 test suite ran. (0 ms total)\n[  PASSED  ] 1 test.\n");
  ev.json = parse_gtest_json(R"({"testsuites": [{"name": "S", "testsuite": [
      {"name": "Ran", "status": "RUN", "result": "COMPLETED", "time": "0s"}]}]})");
  ev.status = ExitStatus::exited(0);
  auto out = interpret_gtest_attempt(ev);
  ASSERT_TRUE(find(out.results, "S.Left"));
  EXPECT_EQ(find(out.results, "S.Left")->code, ResultCode::Skipped);
  EXPECT_NE(find(out.results, "S.Left")->message.find("exited with exit code 0 without running it"), std::string::npos);
  ev.status = ExitStatus::exited(3);
  auto bad = interpret_gtest_attempt(ev);
  ASSERT_TRUE(find(bad.results, "S.Left"));
  EXPECT_EQ(find(bad.results, "S.Left")->code, ResultCode::Unresolved);
}

}  // namespace
}  // namespace livegui::batch

namespace livegui::batch {
namespace {

// A main() that calls RUN_ALL_TESTS() twice: GoogleTest's report is the
// second run's, the markers show both.
TEST(BatcherClassify, ACrashInASecondRunAllTestsBlamesThatRunsTestNotTheExit) {
  // A main() that calls RUN_ALL_TESTS() twice: the first call ended (its
  // report written, its closing line printed), the second died in T.B.
  AttemptEvidence ev;
  ev.expected_tests = {"T.A", "T.B", "T.C"};
  ev.progress = progress(
      "[==========] Running 3 tests from 1 test suite.\n"
      "[ RUN      ] T.A\n[       OK ] T.A (0 ms)\n[ RUN      ] T.B\nt.cpp:4: Failure\nfirst run fails\n"
      "[  FAILED  ] T.B (0 ms)\n[ RUN      ] T.C\n[       OK ] T.C (0 ms)\n"
      "[==========] 3 tests from 1 test suite ran. (0 ms total)\n[  PASSED  ] 2 tests.\n"
      "[==========] Running 3 tests from 1 test suite.\n"
      "[ RUN      ] T.A\n[       OK ] T.A (0 ms)\n[ RUN      ] T.B\ncrashing now\n");
  ev.json = parse_gtest_json(R"({"testsuites": [{"name": "T", "testsuite": [
      {"name": "A", "status": "RUN", "result": "COMPLETED", "time": "0s"},
      {"name": "B", "status": "RUN", "result": "COMPLETED", "time": "0s",
       "failures": [{"failure": "t.cpp:4\nfirst run fails"}]},
      {"name": "C", "status": "RUN", "result": "COMPLETED", "time": "0s"}]}]})");
  ev.status = ExitStatus::killed(SIGSEGV);
  auto out = interpret_gtest_attempt(ev);
  EXPECT_EQ(ev.progress.banners, 2);
  EXPECT_FALSE(out.process_issue.has_value()) << out.process_issue->message;
  std::vector<std::string> got;
  for (const auto& r : out.results) got.push_back(r.name + " " + std::string(name(r.code)));
  // The second run's pass of T.A adds nothing: the report speaks for T.A.
  // One result per test, as GoogleTest counts them: T.B's worst run, its
  // crash, stands, saying how the earlier run failed (h18e item 3).
  EXPECT_EQ(got, (std::vector<std::string>{"T.A PASS", "T.B CRASH", "T.C PASS"}));
  ASSERT_EQ(out.results.size(), 3u);
  EXPECT_NE(out.results[1].message.find("killed by SIGSEGV during this test"), std::string::npos);
  EXPECT_NE(out.results[1].message.find("crashing now"), std::string::npos);
  EXPECT_NE(out.results[1].message.find("first run fails"), std::string::npos);
  EXPECT_FALSE(out.resume);
  EXPECT_TRUE(out.remaining.empty());
}

TEST(BatcherClassify, TwoRunsThatBothPassGiveEachTestOneResultAsGoogleTestsReportCountsIt) {
  const std::string run =
      "[==========] Running 1 test from 1 test suite.\n[ RUN      ] T.A\n[       OK ] T.A (0 ms)\n"
      "[==========] 1 test from 1 test suite ran. (0 ms total)\n[  PASSED  ] 1 test.\n";
  AttemptEvidence ev;
  ev.expected_tests = {"T.A"};
  ev.progress = progress(run + run);
  ev.json = parse_gtest_json(R"({"testsuites": [{"name": "T", "testsuite": [
      {"name": "A", "status": "RUN", "result": "COMPLETED", "time": "0s"}]}]})");
  ev.status = ExitStatus::exited(0);
  auto out = interpret_gtest_attempt(ev);
  ASSERT_EQ(out.results.size(), 1u);
  EXPECT_EQ(out.results[0].code, ResultCode::Pass);
  EXPECT_TRUE(out.remaining.empty());
  EXPECT_FALSE(out.process_issue.has_value());
}

TEST(BatcherClassify, ATimeoutInSuiteSetUpNamesThatSuitesSetUp) {
  AttemptEvidence ev;
  ev.expected_tests = {"V.A", "W.First", "W.Second", "X.After"};
  ev.progress = progress(
      "[==========] Running 4 tests from 3 test suites.\n[----------] 1 test from V\n"
      "[ RUN      ] V.A\n[       OK ] V.A (0 ms)\n[----------] 1 test from V (0 ms total)\n\n"
      "[----------] 2 tests from W\n");
  ev.status = ExitStatus::killed(SIGTERM);
  ev.stopped_for = StopCause::Timeout;
  ev.timeout = std::chrono::seconds(3);
  auto out = interpret_gtest_attempt(ev);
  EXPECT_FALSE(out.process_issue.has_value()) << out.process_issue->message;
  ASSERT_TRUE(find(out.results, "W.First"));
  EXPECT_EQ(find(out.results, "W.First")->code, ResultCode::Timeout);
  EXPECT_NE(find(out.results, "W.First")->message.find("in suite set-up (W::SetUpTestSuite)"), std::string::npos);
  EXPECT_EQ(find(out.results, "W.Second")->code, ResultCode::Timeout);
  EXPECT_EQ(find(out.results, "X.After")->code, ResultCode::Skipped);
  EXPECT_EQ(find(out.results, "X.After")->message, "not run: the entry timed out in suite set-up (W::SetUpTestSuite)");
  // Without a list, the suite itself stands for its tests.
  ev.expected_tests.clear();
  ev.tests_known = false;
  out = interpret_gtest_attempt(ev);
  ASSERT_TRUE(find(out.results, "W.<suite set-up/tear-down>"));
  EXPECT_EQ(find(out.results, "W.<suite set-up/tear-down>")->code, ResultCode::Timeout);
}

TEST(BatcherClassify, AReportOfTheLastOfTwoRunsSpeaksForTheLastOccurrences) {
  AttemptEvidence ev;
  ev.tests_known = false;
  ev.progress = progress(
      "[==========] Running 1 test from 1 test suite.\n"
      "[ RUN      ] T.Flips\nt.cpp:4: Failure\nfails the first time\n[  FAILED  ] T.Flips (0 ms)\n"
      "[==========] Running 1 test from 1 test suite.\n"
      "[ RUN      ] T.Flips\n[       OK ] T.Flips (0 ms)\n");
  ev.json = parse_gtest_json(R"({"testsuites": [{"name": "T", "testsuite": [
      {"name": "Flips", "status": "RUN", "result": "COMPLETED", "time": "0s"}]}]})");
  ev.status = ExitStatus::exited(1);
  auto out = interpret_gtest_attempt(ev);
  // One result per test: the worse of its two runs (h18e item 3).
  ASSERT_EQ(out.results.size(), 1u);
  EXPECT_EQ(out.results[0].code, ResultCode::Fail);
  EXPECT_NE(out.results[0].message.find("fails the first time"), std::string::npos);
}

}  // namespace
}  // namespace livegui::batch

namespace livegui::batch {
namespace {

// A test that prints lines looking like GoogleTest's markers (t11_output):
// the JSON report has the final word, the fake lines invent nothing.
TEST(BatcherClassify, MarkersPrintedByATestInventNothingWhenTheReportExists) {
  AttemptEvidence ev;
  ev.expected_tests = {"Out.Spoof", "Out.Last"};
  ev.progress = progress(
      "[ RUN      ] Out.Spoof\n[       OK ] Out.Spoof (0 ms)\n[ RUN      ] Fake.Test\n[  FAILED  ] Fake.Test (1 ms)\n"
      "t.cpp:6: Failure\nreal failure\n[  FAILED  ] Out.Spoof (0 ms)\n[ RUN      ] Out.Last\n[       OK ] Out.Last (0 "
      "ms)\n");
  ev.json = parse_gtest_json(R"({"tests": 2, "failures": 1, "testsuites": [{"name": "Out", "testsuite": [
      {"name": "Spoof", "status": "RUN", "result": "COMPLETED", "time": "0s",
       "failures": [{"failure": "t.cpp:6\nreal failure"}]},
      {"name": "Last", "status": "RUN", "result": "COMPLETED", "time": "0s"}]}]})");
  ASSERT_TRUE(ev.json);
  ev.status = ExitStatus::exited(1);
  auto out = interpret_gtest_attempt(ev);
  ASSERT_EQ(out.results.size(), 2u);
  EXPECT_EQ(find(out.results, "Fake.Test"), nullptr);
  EXPECT_EQ(find(out.results, "Out.Spoof")->code, ResultCode::Fail);
  EXPECT_EQ(find(out.results, "Out.Last")->code, ResultCode::Pass);
  EXPECT_FALSE(out.process_issue.has_value());
}

// A passing test that runs another GoogleTest binary which fails (t18_child):
// the child's tests are not this binary's, and the entry passes as under ctest.
TEST(BatcherClassify, AChildGoogleTestBinarysMarkersAreNotThisBinarysTests) {
  AttemptEvidence ev;
  ev.tests_known = false;
  ev.progress = progress(
      "[==========] Running 2 tests from 1 test suite.\n[ RUN      ] Parent.Child\n"
      "[==========] Running 2 tests from 1 test suite.\n[ RUN      ] Dup.A\n[       OK ] Dup.A (0 ms)\n"
      "[ RUN      ] Dup.B\nd.cpp:3: Failure\n[  FAILED  ] Dup.B (0 ms)\n[ RUN      ] Dup.Crashes\n"
      "[  FAILED  ] Dup: SetUpTestSuite or TearDownTestSuite\n"
      "[       OK ] Parent.Child (5 ms)\n[ RUN      ] Parent.After\n[       OK ] Parent.After (0 ms)\n");
  ev.json = parse_gtest_json(R"({"tests": 2, "failures": 0, "testsuites": [{"name": "Parent", "testsuite": [
      {"name": "Child", "status": "RUN", "result": "COMPLETED", "time": "0s"},
      {"name": "After", "status": "RUN", "result": "COMPLETED", "time": "0s"}]}]})");
  ASSERT_TRUE(ev.json);
  ev.status = ExitStatus::exited(0);
  auto out = interpret_gtest_attempt(ev);
  ASSERT_EQ(out.results.size(), 2u);
  EXPECT_EQ(out.results[0].name, "Parent.Child");
  EXPECT_EQ(out.results[1].name, "Parent.After");
  EXPECT_EQ(rollup(out.results), ResultCode::Pass);
  EXPECT_EQ(out.accepted_failures, 0);
  EXPECT_FALSE(out.process_issue.has_value());
}

}  // namespace
}  // namespace livegui::batch

namespace livegui::batch {
namespace {

// expect = "fail" on a binary that exits 0 although a test failed
// (t01_main_ret0): the entry did not fail, so it is XPASS, as docs/plan.md says.
TEST(BatcherClassify, ExpectFailOnABinaryThatExitsZeroIsXpass) {
  TestResult pass;
  pass.name = "R.Passes";
  pass.code = ResultCode::Pass;
  TestResult accepted;
  accepted.name = "R.Fails";
  accepted.code = ResultCode::XFail;
  // The fact is the field, not the words: a message without the usual prefix.
  accepted.message = "t.cpp:3: wrong";
  accepted.expected_by = ExpectedBy::OwnMain;
  std::vector<TestResult> tests{pass, accepted};
  apply_expectations(tests, true, {}, NamePatterns::GTestFilter);
  EXPECT_EQ(tests[0].code, ResultCode::XPass);
  EXPECT_EQ(rollup(tests), ResultCode::XPass);
  EXPECT_TRUE(is_failure(rollup(tests)));

  std::vector<TestResult> only_accepted{accepted};
  apply_expectations(only_accepted, true, {}, NamePatterns::GTestFilter);
  EXPECT_EQ(only_accepted[0].code, ResultCode::XPass);
  EXPECT_NE(only_accepted[0].message.find("expect = \"fail\""), std::string::npos);
}

}  // namespace
}  // namespace livegui::batch
