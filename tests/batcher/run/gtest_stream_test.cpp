#include "batcher/run/gtest_stream.hpp"

#include <sstream>

#include <gtest/gtest.h>

#include "batcher/run/gtest_output.hpp"

namespace livegui::batch {
namespace {

GtestStream stream_of(const std::string& text) {
  std::istringstream in(text);
  return parse_gtest_stream(in);
}

GtestProgress markers(const std::string& log, const GtestStream& stream) {
  std::istringstream in(log);
  return parse_gtest_progress(in, 40, nullptr, &stream);
}

TEST(BatcherGtestStream, NamesEachTestBySuiteAndNameAndDecodesGoogleTestsEscapes) {
  GtestStream s = stream_of(
      "event=TestProgramStart\n"
      "event=TestIterationStart&iteration=0\n"
      "event=TestCaseStart&name=Inst/P\n"
      "event=TestStart&name=X/0\n"
      "event=TestEnd&passed=1&elapsed_time=0ms\n"
      "event=TestStart&name=a%3Db%26c\n"
      "event=TestEnd&passed=0&elapsed_time=3ms\n"
      "event=TestCaseEnd&passed=0&elapsed_time=3ms\n"
      "event=TestProgramEnd&passed=0\n");
  EXPECT_TRUE(s.connected);
  EXPECT_TRUE(s.ended);
  ASSERT_EQ(s.events.size(), 4u);
  EXPECT_EQ(s.events[0].name, "Inst/P.X/0");
  EXPECT_EQ(s.events[1].kind, StreamEvent::Kind::End);
  EXPECT_TRUE(s.events[1].passed);
  EXPECT_EQ(s.events[2].name, "Inst/P.a=b&c");
  EXPECT_FALSE(s.events[3].passed);
  EXPECT_EQ(s.ended_suites, std::vector<std::string>{"Inst/P"});
  EXPECT_FALSE(stream_of("").connected);
}

TEST(BatcherGtestStream, OnlyASuiteWhoseEndCameIsFinishedBothInTheStreamAndInTheMarkers) {
  // A resume leaves a finished suite out whole (resume_filter.hpp); the one
  // a crash interrupted is not finished.
  GtestStream s = stream_of(
      "event=TestProgramStart\nevent=TestCaseStart&name=A\nevent=TestStart&name=a\n"
      "event=TestEnd&passed=1&elapsed_time=0ms\nevent=TestCaseEnd&passed=1&elapsed_time=0ms\n"
      "event=TestCaseStart&name=B\nevent=TestStart&name=b\n");
  EXPECT_EQ(s.ended_suites, std::vector<std::string>{"A"});
  std::istringstream log(
      "[----------] 1 test from A\n[ RUN      ] A.a\n[       OK ] A.a (0 ms)\n[----------] 1 test from A (0 ms "
      "total)\n\n"
      "[----------] 1 test from B\n[ RUN      ] B.b\n");
  EXPECT_EQ(parse_gtest_progress(log).closed_suites, std::vector<std::string>{"A"});
}

TEST(BatcherGtestStream, AStartLineOfARealTestPrintedWhileATestRunsIsThatTestsOutput) {
  const std::string log =
      "[ RUN      ] S.Before\n"
      "[       OK ] S.Before (0 ms)\n"
      "[ RUN      ] S.Crashes\n"
      "mine\n"
      "[ RUN      ] S.Real\n"
      "[       OK ] S.Real (0 ms)\n"
      "still mine\n";
  GtestStream s = stream_of(
      "event=TestProgramStart\nevent=TestCaseStart&name=S\nevent=TestStart&name=Before\n"
      "event=TestEnd&passed=1&elapsed_time=0ms\nevent=TestStart&name=Crashes\n");
  GtestProgress p = markers(log, s);
  EXPECT_TRUE(p.streamed);
  ASSERT_EQ(p.finished.size(), 1u);
  EXPECT_EQ(p.finished[0].name, "S.Before");
  ASSERT_TRUE(p.running);
  EXPECT_EQ(*p.running, "S.Crashes");
  EXPECT_EQ(p.running_output, "mine\n[ RUN      ] S.Real\n[       OK ] S.Real (0 ms)\nstill mine\n");
  // Without the stream the forged lines are taken at their word.
  std::istringstream in(log);
  GtestProgress alone = parse_gtest_progress(in);
  EXPECT_EQ(alone.finished.size(), 2u);
  EXPECT_FALSE(alone.running);
}

TEST(BatcherGtestStream, AnEndLineATestPrintsOfItselfDoesNotEndItAndTheStreamSaysHowItEnded) {
  GtestStream s = stream_of(
      "event=TestProgramStart\nevent=TestCaseStart&name=S\nevent=TestStart&name=Lies\n"
      "event=TestEnd&passed=0&elapsed_time=0ms\n");
  GtestProgress p = markers("[ RUN      ] S.Lies\n[       OK ] S.Lies (0 ms)\n[  FAILED  ] S.Lies (1 ms)\n", s);
  ASSERT_EQ(p.finished.size(), 1u);
  EXPECT_EQ(p.finished[0].outcome, MarkerOutcome::Failed);
  // The forged end line came first and the stream's next event was its end:
  // the outcome is the stream's all the same.
  GtestProgress q = markers("[ RUN      ] S.Lies\n[       OK ] S.Lies (0 ms)\n", s);
  ASSERT_EQ(q.finished.size(), 1u);
  EXPECT_EQ(q.finished[0].outcome, MarkerOutcome::Failed);
}

TEST(BatcherGtestStream, WhatTheStreamSaysAndTheLogLostIsTakenFromTheStream) {
  // The log cap dropped S.A's markers; the stream still has them.
  GtestStream s = stream_of(
      "event=TestProgramStart\nevent=TestCaseStart&name=S\nevent=TestStart&name=A\n"
      "event=TestEnd&passed=1&elapsed_time=0ms\nevent=TestStart&name=B\n");
  GtestProgress p = markers("[ RUN      ] S.B\nlast words\n", s);
  ASSERT_EQ(p.finished.size(), 1u);
  EXPECT_EQ(p.finished[0].name, "S.A");
  ASSERT_TRUE(p.running);
  EXPECT_EQ(*p.running, "S.B");
  EXPECT_EQ(p.running_output, "last words\n");
}

TEST(BatcherGtestStream, ATestsFailureTextsComeWithItsEndAsGoogleTestsReportWritesThem) {
  GtestStream s = stream_of(
      "event=TestProgramStart\nevent=TestCaseStart&name=S\nevent=TestStart&name=A\n"
      "event=TestPartResult&file=t.cpp&line=9&message=Failed%0Athe text\n"
      "event=TestPartResult&file=&line=-1&message=thrown\n"
      "event=TestEnd&passed=0&elapsed_time=0ms\nevent=TestStart&name=B\n"
      "event=TestEnd&passed=1&elapsed_time=0ms\n");
  ASSERT_EQ(s.events.size(), 4u);
  EXPECT_EQ(s.events[1].failure, "t.cpp:9\nFailed\nthe text\nunknown file\nthrown");
  EXPECT_EQ(s.events[3].failure, "");
  // The console printer gone: no marker, the stream alone says how A failed.
  GtestProgress p = markers("", s);
  ASSERT_EQ(p.finished.size(), 2u);
  EXPECT_EQ(p.finished[0].outcome, MarkerOutcome::Failed);
  EXPECT_EQ(p.finished[0].failure, "t.cpp:9\nFailed\nthe text\nunknown file\nthrown");
  // With markers too, the failure text is the stream's, the output the log's.
  GtestProgress q = markers(
      "[ RUN      ] S.A\npartial wordst.cpp:9: Failure\nthe text\ntail[  FAILED  ] S.A (0 ms)\n"
      "[ RUN      ] S.B\n[       OK ] S.B (0 ms)\n",
      s);
  ASSERT_EQ(q.finished.size(), 2u);
  EXPECT_EQ(q.finished[0].failure, "t.cpp:9\nFailed\nthe text\nunknown file\nthrown");
  EXPECT_EQ(q.finished[0].output, "partial wordst.cpp:9: Failure\nthe text\ntail\n");
}

}  // namespace
}  // namespace livegui::batch
