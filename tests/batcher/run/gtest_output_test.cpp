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
  ASSERT_EQ(r->size(), 4u);
  EXPECT_FALSE(r->at("A.Pass").failed);
  EXPECT_EQ(r->at("A.Pass").duration, std::chrono::milliseconds(250));
  EXPECT_TRUE(r->at("A.Fail").failed);
  EXPECT_EQ(r->at("A.Fail").failure, "t.cpp:4\nboom");
  EXPECT_EQ(r->at("A.DISABLED_Off").result, JsonTestResult::Result::NotRun);
  EXPECT_EQ(r->at("A.Skip").result, JsonTestResult::Result::Skipped);
  EXPECT_FALSE(parse_gtest_json("{truncated").has_value());
  EXPECT_FALSE(parse_gtest_json("{\"other\": 1}").has_value());
  EXPECT_FALSE(parse_gtest_json_file("/nonexistent/x.json").has_value());
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
