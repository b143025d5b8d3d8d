#include "batcher/run/gtest_output.hpp"

#include <sstream>

#include <gtest/gtest.h>

namespace livegui::batch {
namespace {

TEST(BatcherGtestOutput, ParsesTheTestList) {
  const char* text =
      "Running main() from ./googletest/src/gtest_main.cc\n"
      "A.\n"
      "  Pass\n"
      "  DISABLED_Off\n"
      "Inst/P.  # TypeParam = int\n"
      "  X/0  # GetParam() = 1\n"
      "  X/1  # GetParam() = 2\n"
      "B.\n"
      "  Crash\n";
  EXPECT_EQ(parse_test_list(text),
            (std::vector<std::string>{"A.Pass", "A.DISABLED_Off", "Inst/P.X/0", "Inst/P.X/1", "B.Crash"}));
  EXPECT_TRUE(parse_test_list("").empty());
}

TEST(BatcherGtestOutput, AListingPrintedTwiceNamesEachTestOnceButTwoTestsOfOneNameStayTwo) {
  // A main() that calls RUN_ALL_TESTS() twice handles --gtest_list_tests in each call.
  const std::string once = "A.\n  One\n  Two\nB.\n  Three\n";
  const std::vector<std::string> tests{"A.One", "A.Two", "B.Three"};
  EXPECT_EQ(parse_test_list(once + once), tests);
  EXPECT_EQ(parse_test_list(once + once + once), tests);
  // Two fixtures of one name in different namespaces: GoogleTest runs both.
  EXPECT_EQ(parse_test_list("T.\n  Same\nT.\n  Same\nT.\n  After\n"),
            (std::vector<std::string>{"T.Same", "T.Same", "T.After"}));
  // Printed twice, each copy with its twins: one copy.
  const std::string twins = "T.\n  Same\nT.\n  Same\nT.\n  After\n";
  EXPECT_EQ(parse_test_list(twins + twins), (std::vector<std::string>{"T.Same", "T.Same", "T.After"}));
}

GtestProgress parse(const std::string& text) {
  std::istringstream in(text);
  return parse_gtest_progress(in);
}

TEST(BatcherGtestOutput, FollowsMarkersToTheTestThatWasRunningWhenItDied) {
  auto p = parse(
      "[==========] Running 3 tests from 1 test suite.\n"
      "[ RUN      ] S.A\n"
      "[       OK ] S.A (1 ms)\n"
      "[ RUN      ] S.B\n"
      "t.cpp:4: Failure\n"
      "boom\n"
      "[  FAILED  ] S.B (2 ms)\n"
      "[ RUN      ] S.C\n"
      "about to crash\n");
  ASSERT_EQ(p.finished.size(), 2u);
  EXPECT_EQ(p.finished[0].name, "S.A");
  EXPECT_EQ(p.finished[0].outcome, MarkerOutcome::Passed);
  EXPECT_EQ(p.finished[0].duration, std::chrono::milliseconds(1));
  EXPECT_EQ(p.finished[1].outcome, MarkerOutcome::Failed);
  EXPECT_EQ(p.finished[1].output, "t.cpp:4: Failure\nboom\n");
  ASSERT_TRUE(p.running.has_value());
  EXPECT_EQ(*p.running, "S.C");
  EXPECT_EQ(p.running_output, "about to crash\n");
  EXPECT_TRUE(p.started_tests);
  EXPECT_FALSE(p.completed);
}

TEST(BatcherGtestOutput, HandlesParametersSkipsDisabledAndTheFinalSummary) {
  auto p = parse(
      "[ RUN      ] Inst/P.X/0\n"
      "no newline here[  FAILED  ] Inst/P.X/0, where GetParam() = 1 (0 ms)\n"
      "[ DISABLED ] A.DISABLED_Off\n"
      "[ RUN      ] A.Skip\n"
      "[  SKIPPED ] A.Skip (0 ms)\n"
      "[----------] Global test environment tear-down\n"
      "[==========] 2 tests from 2 test suites ran. (0 ms total)\n"
      "[  FAILED  ] 1 test, listed below:\n"
      "[  FAILED  ] Inst/P.X/0, where GetParam() = 1\n");
  ASSERT_EQ(p.finished.size(), 3u);
  EXPECT_EQ(p.finished[0].name, "Inst/P.X/0");
  EXPECT_EQ(p.finished[0].outcome, MarkerOutcome::Failed);
  EXPECT_EQ(p.finished[0].output, "no newline here\n");
  EXPECT_EQ(p.finished[1].outcome, MarkerOutcome::Disabled);
  EXPECT_EQ(p.finished[2].outcome, MarkerOutcome::Skipped);
  EXPECT_FALSE(p.running.has_value());
  EXPECT_TRUE(p.reached_teardown);
  EXPECT_TRUE(p.completed);
}

TEST(BatcherGtestOutput, BoundsTheCapturedOutput) {
  std::string text = "[ RUN      ] S.Loud\n";
  for (int i = 0; i < 1000; ++i) text += "line " + std::to_string(i) + "\n";
  std::istringstream in(text);
  auto p = parse_gtest_progress(in, 3);
  EXPECT_EQ(p.running_output, "line 997\nline 998\nline 999\n");
}

TEST(BatcherGtestOutput, ParsesTheJsonReport) {
  auto r = parse_gtest_json(R"({"testsuites": [{"name": "A", "testsuite": [
      {"name": "Pass", "status": "RUN", "result": "COMPLETED", "time": "0.25s"},
      {"name": "Fail", "status": "RUN", "result": "COMPLETED", "time": "0s",
       "failures": [{"failure": "t.cpp:4\nboom", "type": ""}]},
      {"name": "DISABLED_Off", "status": "NOTRUN", "result": "SUPPRESSED", "time": "0s"},
      {"name": "Skip", "status": "RUN", "result": "SKIPPED", "time": "0s"}]}]})");
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->tests.size(), 4u);
  EXPECT_EQ(r->tests[0].name, "A.Pass");
  EXPECT_FALSE(r->tests[0].failed);
  EXPECT_EQ(r->tests[0].duration, std::chrono::milliseconds(250));
  EXPECT_TRUE(r->tests[1].failed);
  EXPECT_EQ(r->tests[1].failure, "t.cpp:4\nboom");
  EXPECT_EQ(r->tests[2].result, JsonTestResult::Result::NotRun);
  EXPECT_EQ(r->tests[3].name, "A.Skip");
  EXPECT_EQ(r->tests[3].result, JsonTestResult::Result::Skipped);
  EXPECT_FALSE(parse_gtest_json("{truncated").has_value());
  EXPECT_FALSE(parse_gtest_json("{\"other\": 1}").has_value());
  EXPECT_FALSE(parse_gtest_json_file("/nonexistent/x.json").has_value());
}

// The harness's word that the AUT was broken when a test failed: its
// aut_unhealthy property in the JSON report, else its line in the output.
TEST(BatcherGtestOutput, ReadsTheHarnesssWordThatTheAutWasBrokenWhenATestFailed) {
  auto r = parse_gtest_json(R"({"testsuites": [{"name": "A", "testsuite": [
      {"name": "Later", "status": "RUN", "result": "COMPLETED", "time": "0s",
       "aut_unhealthy": "subprocess degraded: AUT pid 7 reports itself degraded",
       "failures": [{"failure": "no healthy AUT", "type": ""}]}]}]})");
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->tests.size(), 1u);
  EXPECT_EQ(r->tests[0].aut_unhealthy, "subprocess degraded: AUT pid 7 reports itself degraded");
  EXPECT_EQ(aut_unhealthy_in_output("x.cpp:23: Failure\nFailed\n[livegui] the AUT was not healthy when A.Later "
                                    "failed:\nsubprocess degraded: AUT pid 7 exited (killed by SIGABRT)\n  last log "
                                    "lines:\n"),
            "subprocess degraded: AUT pid 7 exited (killed by SIGABRT)");
  EXPECT_EQ(aut_unhealthy_in_output("x.cpp:3: Failure\nExpected: 1 == 2\n"), "");
}

TEST(BatcherGtestOutput, MatchesGtestFilters) {
  EXPECT_TRUE(matches_gtest_filter("A.b", "A.*"));
  EXPECT_TRUE(matches_gtest_filter("A.b", "X.*:A.?"));
  EXPECT_FALSE(matches_gtest_filter("A.b", "A.*-A.b"));
  EXPECT_TRUE(matches_gtest_filter("A.c", "-A.b"));
  EXPECT_TRUE(matches_gtest_filter("Inst/P.X/0", "*P.X/*"));
  EXPECT_FALSE(matches_gtest_filter("A.bc", "A.b"));
}

}  // namespace
}  // namespace livegui::batch

namespace livegui::batch {
namespace {

TEST(BatcherGtestOutput, KeepsRepeatedNamesSuiteLevelResultsAndCounts) {
  auto r = parse_gtest_json(R"({"tests": 3, "failures": 1, "disabled": 1, "testsuites": [
      {"name": "Mixed", "testsuite": [
        {"name": "Same", "status": "RUN", "result": "COMPLETED", "time": "0s"},
        {"name": "Same", "status": "RUN", "result": "COMPLETED", "time": "0s",
         "failures": [{"failure": "All tests in the same test suite must use the same test fixture class"}]},
        {"name": "", "status": "RUN", "result": "COMPLETED", "time": "0s",
         "failures": [{"failure": "t.cpp:3\nin SetUpTestSuite"}]}]}]})");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->total, 3);
  EXPECT_EQ(r->failures, 1);
  EXPECT_EQ(r->disabled, 1);
  ASSERT_EQ(r->tests.size(), 3u);
  EXPECT_EQ(r->tests[0].name, "Mixed.Same");
  EXPECT_FALSE(r->tests[0].failed);
  EXPECT_EQ(r->tests[1].name, "Mixed.Same");
  EXPECT_TRUE(r->tests[1].failed);
  EXPECT_TRUE(r->tests[2].suite_level);
  EXPECT_EQ(r->tests[2].name, "Mixed");
}

TEST(BatcherGtestOutput, SuiteLinesSayWhereABinaryDiedOutsideATest) {
  std::istringstream in(
      "[==========] Running 4 tests from 3 test suites.\n[----------] Global test environment set-up.\n"
      "[----------] 1 test from V\n[ RUN      ] V.A\n[       OK ] V.A (0 ms)\n[----------] 1 test from V (0 ms "
      "total)\n\n"
      "[----------] 2 tests from W\n");
  auto p = parse_gtest_progress(in);
  EXPECT_TRUE(p.saw_banner);
  EXPECT_EQ(p.open_suite, "W");
  EXPECT_EQ(p.open_suite_finished, 0u);
  ASSERT_EQ(p.finished.size(), 1u);

  std::istringstream typed(
      "[----------] 2 tests from Typed/0, where TypeParam = int\n[ RUN      ] Typed/0.A\n"
      "[       OK ] Typed/0.A (0 ms)\n");
  auto t = parse_gtest_progress(typed);
  EXPECT_EQ(t.open_suite, "Typed/0");
  EXPECT_EQ(t.open_suite_finished, 1u);

  // A failure in SetUpTestSuite: printed before the suite's first test, named in the summary.
  std::istringstream failed(
      "[----------] 1 test from Prepared\nt.cpp:7: Failure\nFailed\nnot prepared\n[ RUN      ] Prepared.Uses\n"
      "t.cpp:9: Skipped\n\n[  SKIPPED ] Prepared.Uses (0 ms)\n[----------] 1 test from Prepared (0 ms total)\n"
      "[==========] 1 test from 1 test suite ran. (0 ms total)\n[  SKIPPED ] 1 test, listed below:\n"
      "[  SKIPPED ] Prepared.Uses\n[  FAILED  ] 0 tests, listed below:\n\n 0 FAILED TESTS\n"
      "[  FAILED  ] Prepared: SetUpTestSuite or TearDownTestSuite\n");
  auto f = parse_gtest_progress(failed);
  ASSERT_EQ(f.failed_suites.size(), 1u);
  EXPECT_EQ(f.failed_suites[0].first, "Prepared");
  EXPECT_EQ(f.failed_suites[0].second, "t.cpp:7: Failure\nFailed\nnot prepared\n");

  std::istringstream none("checked by hand\n");
  EXPECT_FALSE(parse_gtest_progress(none).saw_banner);
}

TEST(BatcherGtestOutput, AHugeLineKeepsItsHeadItsTailAndTheMarkerAfterIt) {
  std::string blob(3u << 20, 'x');
  blob[0] = 'H';
  blob[blob.size() - 1] = 'T';
  std::istringstream in("[ RUN      ] Blob.Dumps\n" + blob +
                        "[  FAILED  ] Blob.Dumps (5 ms)\n[ RUN      ] Blob.Next\n" + "[       OK ] Blob.Next (0 ms)\n");
  auto p = parse_gtest_progress(in);
  ASSERT_EQ(p.finished.size(), 2u);
  EXPECT_EQ(p.finished[0].name, "Blob.Dumps");
  EXPECT_EQ(p.finished[0].outcome, MarkerOutcome::Failed);
  EXPECT_LE(p.finished[0].output.size(), kMaxKeptLineBytes + 64);
  EXPECT_EQ(p.finished[0].output.front(), 'H');
  EXPECT_NE(p.finished[0].output.find("bytes]"), std::string::npos);
  EXPECT_EQ(p.finished[1].name, "Blob.Next");
}

}  // namespace
}  // namespace livegui::batch

namespace livegui::batch {
namespace {

// GoogleTest 1.12.1's report when a global environment fails and other suites
// ran: it writes no comma before its "NonTestSuiteFailure" suite.
constexpr const char* kGlobalFailureReport = R"({
  "tests": 1,
  "failures": 0,
  "disabled": 0,
  "testsuites": [
    {
      "name": "Global",
      "testsuite": [
        {
          "name": "Works",
          "status": "RUN",
          "result": "COMPLETED",
          "time": "0s",
          "classname": "Global"
        }
      ]
    }    {
      "name": "NonTestSuiteFailure",
      "tests": 1,
      "failures": 1,
      "testsuite": [
        {
          "name": "",
          "status": "RUN",
          "result": "COMPLETED",
          "time": "0s",
          "classname": "",
          "failures": [
            {
              "failure": "env.cpp:5\nFailed\nthe global environment could not be set up    }    {",
              "type": ""
            }
          ]
        }
      ]
    }
  ]
}
)";

TEST(BatcherGtestOutput, AGlobalEnvironmentFailureIsReadFromGoogleTests112Report) {
  auto r = parse_gtest_json(kGlobalFailureReport);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->tests.size(), 2u);
  EXPECT_EQ(r->tests[0].name, "Global.Works");
  EXPECT_FALSE(r->tests[0].failed);
  // Outside any suite: a suite-level result with no suite name.
  EXPECT_TRUE(r->tests[1].suite_level);
  EXPECT_EQ(r->tests[1].name, "");
  EXPECT_TRUE(r->tests[1].failed);
  // The same characters inside a string are left alone.
  EXPECT_EQ(r->tests[1].failure, "env.cpp:5\nFailed\nthe global environment could not be set up    }    {");
  // A suite a user named NonTestSuiteFailure keeps its name.
  auto own = parse_gtest_json(R"({"testsuites": [{"name": "NonTestSuiteFailure", "testsuite": [
      {"name": "", "classname": "NonTestSuiteFailure", "failures": [{"failure": "x"}]}]}]})");
  ASSERT_TRUE(own.has_value());
  EXPECT_EQ(own->tests[0].name, "NonTestSuiteFailure");
}

}  // namespace
}  // namespace livegui::batch

namespace livegui::batch {
namespace {

// A test that runs a child GoogleTest binary: with the binary's listing, the
// child's markers, banner and closing lines are the running test's output.
TEST(BatcherGtestOutput, WithAListingUnlistedMarkersAreTheRunningTestsOutput) {
  const std::string log =
      "[==========] Running 2 tests from 1 test suite.\n[ RUN      ] Outer.RunsChild\n"
      "[==========] Running 1 test from 1 test suite.\n[----------] 1 test from Child\n[ RUN      ] Child.A\n"
      "[  FAILED  ] Child.A (0 ms)\n[----------] 1 test from Child (0 ms total)\n"
      "[==========] 1 test from 1 test suite ran. (0 ms total)\n[  FAILED  ] Child.A\n"
      "[ RUN      ] Ghost.Test\n";
  TestListing listing{"Outer.RunsChild", "Outer.After"};
  std::istringstream in(log);
  GtestProgress p = parse_gtest_progress(in, 40, &listing);
  EXPECT_TRUE(p.finished.empty());
  ASSERT_TRUE(p.running);
  EXPECT_EQ(*p.running, "Outer.RunsChild");
  EXPECT_EQ(p.banners, 1);
  EXPECT_FALSE(p.completed);
  EXPECT_EQ(p.running_output,
            "[==========] Running 1 test from 1 test suite.\n[----------] 1 test from Child\n[ RUN      ] Child.A\n"
            "[  FAILED  ] Child.A (0 ms)\n[----------] 1 test from Child (0 ms total)\n"
            "[==========] 1 test from 1 test suite ran. (0 ms total)\n[  FAILED  ] Child.A\n"
            "[ RUN      ] Ghost.Test\n");
  // Without the listing, the markers speak alone (what GoogleTest's own run shows).
  std::istringstream again(log);
  GtestProgress unlisted = parse_gtest_progress(again);
  EXPECT_EQ(unlisted.finished.size(), 1u);
  EXPECT_TRUE(unlisted.completed);
}

TEST(BatcherGtestOutput, AReportNamingATestTheBinaryDoesNotListIsAChildsReport) {
  auto child = parse_gtest_json(R"({"tests": 1, "testsuites": [{"name": "Child", "testsuite": [
      {"name": "A", "status": "RUN", "result": "COMPLETED", "time": "0s"}]}]})");
  auto own = parse_gtest_json(R"({"tests": 1, "testsuites": [{"name": "Outer", "testsuite": [
      {"name": "After", "status": "RUN", "result": "COMPLETED", "time": "0s"},
      {"name": "", "status": "RUN", "result": "COMPLETED", "time": "0s", "failures": [{"failure": "x"}]}]}]})");
  ASSERT_TRUE(child && own);
  TestListing listing{"Outer.RunsChild", "Outer.After"};
  EXPECT_TRUE(names_unlisted_tests(*child, listing));
  EXPECT_FALSE(names_unlisted_tests(*own, listing));
}

}  // namespace
}  // namespace livegui::batch
