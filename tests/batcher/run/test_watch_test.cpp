// The per-test timeout's view of a running GoogleTest binary (batcher/run/test_watch).
#include <gtest/gtest.h>

#include <fstream>

#include "batcher/reproduce.hpp"
#include "batcher/run/test_watch.hpp"
#include "tests/support/temp_dir.hpp"

namespace livegui::batch {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(BatcherTestWatch, FollowsRunAndEndMarkersAcrossPartialLines) {
  TestWatch w("/nonexistent");
  auto t0 = Clock::now();
  w.feed("[==========] Running 3 tests\n[ RUN      ] A.b\n", t0);
  ASSERT_TRUE(w.running());
  EXPECT_EQ(*w.running(), "A.b");
  EXPECT_EQ(w.running_for(t0 + 5s), 5s);
  w.feed("[       OK ] A.b (3 ms)\n[ RUN      ] A.", t0 + 1s);
  EXPECT_FALSE(w.running());
  EXPECT_EQ(w.running_for(t0 + 9s), 0s);
  w.feed("c\n", t0 + 2s);
  ASSERT_TRUE(w.running());
  EXPECT_EQ(*w.running(), "A.c");
  EXPECT_EQ(w.running_for(t0 + 3s), 1s);
  w.feed("[  FAILED  ] A.c (1 ms)\n[ RUN      ] A.d\n[  SKIPPED ] A.d (0 ms)\n", t0 + 3s);
  EXPECT_FALSE(w.running());
}

TEST(BatcherTestWatch, ReadsOnlyWhatTheLogGained) {
  livegui::test_support::TempDir dir;
  auto log = dir / "x.log";
  std::ofstream out(log);
  TestWatch w(log);
  auto t0 = Clock::now();
  w.update(t0);
  EXPECT_FALSE(w.running());
  out << "[ RUN      ] H.hangs\n" << std::flush;
  w.update(t0 + 1s);
  ASSERT_TRUE(w.running());
  w.update(t0 + 5s);  // nothing new: the test is still the one that started at +1 s
  EXPECT_EQ(w.running_for(t0 + 5s), 4s);
}

TEST(BatcherTestWatch, AChildBinarysStartLinesNeitherReplaceTheRunningTestNorRestartItsClock) {
  TestWatch w("/nonexistent");
  auto t0 = Clock::now();
  w.feed("[ RUN      ] Outer.RunsChildren\n", t0);
  w.feed(
      "[==========] Running 2 tests from 1 test suite.\n[ RUN      ] Child.A\n[       OK ] Child.A (0 ms)\n"
      "[ RUN      ] Child.B\n[  FAILED  ] Child.B (0 ms)\n[==========] 2 tests from 1 test suite ran.\n",
      t0 + 2s);
  ASSERT_TRUE(w.running());
  EXPECT_EQ(*w.running(), "Outer.RunsChildren");
  EXPECT_EQ(w.running_for(t0 + 4s), 4s);
  w.feed("[ RUN      ] Child.A\n", t0 + 3s);
  EXPECT_EQ(w.running_for(t0 + 5s), 5s);
  // Its own end ends it, even pushed right by output without a newline.
  w.feed("done[       OK ] Outer.RunsChildren (5000 ms)\n[ RUN      ] Outer.Next\n", t0 + 5s);
  ASSERT_TRUE(w.running());
  EXPECT_EQ(*w.running(), "Outer.Next");
  EXPECT_EQ(w.running_for(t0 + 6s), 1s);
}

TEST(BatcherTestWatch, AParameterizedTestsFailureEndsIt) {
  TestWatch w("/nonexistent");
  auto t0 = Clock::now();
  w.feed("[ RUN      ] Inst/P.T/0\n[  FAILED  ] Inst/P.T/0, where GetParam() = 1 (0 ms)\n", t0);
  EXPECT_FALSE(w.running());
  w.feed("[ RUN      ] Inst/P.T/1\n", t0 + 1s);
  EXPECT_EQ(w.running_for(t0 + 2s), 1s);
}

TEST(BatcherTestWatch, AnEndMarkerAfterAnOverlongLineStillEndsTheTest) {
  TestWatch w("/nonexistent");
  auto t0 = Clock::now();
  w.feed("[ RUN      ] Big.Dumps\n" + std::string(200 * 1024, 'x'), t0);
  w.feed(std::string(100 * 1024, 'y') + "[       OK ] Big.Dumps (9 ms)\n", t0 + 1s);
  EXPECT_FALSE(w.running());
}

TEST(BatcherTestWatch, AfterTheLogWasCappedTheNextStartLineIsTheRunningTest) {
  // What the cap dropped may have held the running test's end.
  livegui::test_support::TempDir dir;
  auto log = dir / "x.log";
  std::ofstream(log) << "[ RUN      ] A.first\n" << std::string(100, 'x') << "\n";
  TestWatch w(log);
  auto t0 = Clock::now();
  w.update(t0);
  ASSERT_TRUE(w.running());
  std::ofstream(log, std::ios::trunc) << "[ RUN      ] A.second\n";
  w.update(t0 + 4s);
  ASSERT_TRUE(w.running());
  EXPECT_EQ(*w.running(), "A.second");
  EXPECT_EQ(w.running_for(t0 + 5s), 1s);
}

TEST(BatcherTestWatch, FollowsAPytestEventStream) {
  TestWatch w("/nonexistent", WatchedFile::EventStream);
  auto t0 = Clock::now();
  w.feed("{\"event\": \"start\", \"test\": \"t.py::test_a\"}\n", t0);
  ASSERT_TRUE(w.running());
  EXPECT_EQ(*w.running(), "t.py::test_a");
  EXPECT_EQ(w.running_for(t0 + 3s), 3s);
  // A GoogleTest marker is no event; an end of another test changes nothing.
  w.feed("[       OK ] t.py::test_a (1 ms)\n{\"event\": \"end\", \"test\": \"t.py::other\"}\n", t0 + 1s);
  EXPECT_TRUE(w.running());
  w.feed("{\"event\": \"end\", \"test\": \"t.py::test_a\", \"outcome\": \"passed\"}\n{\"event\": \"sta", t0 + 2s);
  EXPECT_FALSE(w.running());
  w.feed("rt\", \"test\": \"t.py::test_b\"}\n{\"event\": \"finish\"}\n", t0 + 4s);
  ASSERT_TRUE(w.running());
  EXPECT_EQ(*w.running(), "t.py::test_b");
  EXPECT_EQ(w.running_for(t0 + 5s), 1s);
}

// Trial15c: under pytest-xdist the controller interleaves its workers'
// starts and ends. The test that hangs keeps its clock although others start
// and end after it (test_timeout was never reached: each start restarted it).
TEST(BatcherTestWatch, InAParallelRunnersStreamTheTestRunningLongestIsTimed) {
  TestWatch w("/nonexistent", WatchedFile::EventStream);
  auto t0 = Clock::now();
  w.feed("{\"event\": \"start\", \"test\": \"t.py::hangs\"}\n", t0);
  w.feed("{\"event\": \"start\", \"test\": \"t.py::b\"}\n", t0 + 1s);
  w.feed("{\"event\": \"end\", \"test\": \"t.py::b\"}\n{\"event\": \"start\", \"test\": \"t.py::c\"}\n", t0 + 2s);
  ASSERT_TRUE(w.running());
  EXPECT_EQ(*w.running(), "t.py::hangs");
  EXPECT_EQ(w.running_for(t0 + 6s), 6s);
  w.feed("{\"event\": \"end\", \"test\": \"t.py::hangs\"}\n", t0 + 7s);
  ASSERT_TRUE(w.running());
  EXPECT_EQ(*w.running(), "t.py::c");
  EXPECT_EQ(w.running_for(t0 + 8s), 6s);
}

TEST(BatcherTestWatch, ASuitesSetUpAndTearDownAreTimedAsTheSuitesOwnResult) {
  // Trial12a: test_timeout did not bound SetUpTestSuite.
  TestWatch w("/nonexistent");
  auto t0 = Clock::now();
  w.feed_gtest_stream("event=TestProgramStart\nevent=TestIterationStart&iteration=0\n", t0);
  EXPECT_FALSE(w.running()) << "global set-up: no suite is open";
  w.feed_gtest_stream("event=TestCaseStart&name=Slow\n", t0 + 1s);
  ASSERT_TRUE(w.running());
  EXPECT_EQ(*w.running(), suite_level_name("Slow"));
  EXPECT_EQ(w.running_for(t0 + 4s), 3s);
  w.feed_gtest_stream("event=TestStart&name=X\n", t0 + 5s);
  EXPECT_EQ(*w.running(), "Slow.X");
  EXPECT_EQ(w.running_for(t0 + 6s), 1s);
  w.feed_gtest_stream("event=TestEnd&passed=1&elapsed_time=1000ms\n", t0 + 6s);
  EXPECT_EQ(*w.running(), suite_level_name("Slow")) << "its TearDownTestSuite";
  EXPECT_EQ(w.running_for(t0 + 8s), 2s) << "timed from the end of its last test";
  w.feed_gtest_stream("event=TestCaseEnd&passed=1\n", t0 + 9s);
  EXPECT_FALSE(w.running());
}

TEST(BatcherTestWatch, WithGoogleTestsStreamConnectedAPrintedEndLineDoesNotEndTheTest) {
  // Issue 18: a test that prints "[       OK ]" for itself and hangs must
  // still be timed; only GoogleTest's TestEnd ends it.
  TestWatch w("/nonexistent");
  auto t0 = Clock::now();
  w.feed_gtest_stream("event=TestProgramStart\nevent=TestIterationStart&iteration=0\n", t0);
  w.feed_gtest_stream("event=TestCaseStart&name=Fake\nevent=TestStart&name=Ok\n", t0);
  w.feed("[ RUN      ] Fake.Ok\n[       OK ] Fake.Ok (0 ms)\n", t0 + 1s);
  ASSERT_TRUE(w.running());
  EXPECT_EQ(*w.running(), "Fake.Ok");
  EXPECT_EQ(w.running_for(t0 + 5s), 5s);
  // Nor does a printed start line of another test replace it.
  w.feed("[ RUN      ] Fake.Other\n", t0 + 6s);
  EXPECT_EQ(*w.running(), "Fake.Ok");
  w.feed_gtest_stream("event=TestEnd&passed=1&elapsed_time=7000ms\nevent=TestStart&na", t0 + 7s);
  ASSERT_TRUE(w.running());
  EXPECT_EQ(*w.running(), suite_level_name("Fake")) << "between its tests, the suite's own clock runs";
  w.feed_gtest_stream("me=Next\n", t0 + 8s);
  ASSERT_TRUE(w.running());
  EXPECT_EQ(*w.running(), "Fake.Next");
  EXPECT_EQ(w.running_for(t0 + 9s), 1s);
  w.feed_gtest_stream(
      "event=TestEnd&passed=0&elapsed_time=1ms\nevent=TestCaseEnd&passed=0\nevent=TestProgramEnd&passed=0\n", t0 + 9s);
  EXPECT_FALSE(w.running());
}

TEST(BatcherTestWatch, ReadsTheStreamFileBeforeTheLogAndTheMarkersWhileItNeverConnects) {
  livegui::test_support::TempDir dir;
  auto log = dir / "x.log", stream = dir / "x.gtest-stream";
  std::ofstream out(log), events(stream);
  TestWatch w(log, WatchedFile::GtestLog, stream);
  auto t0 = Clock::now();
  // Not connected (a binary that never parsed its flags): the markers speak.
  out << "[ RUN      ] M.a\n[       OK ] M.a (0 ms)\n" << std::flush;
  w.update(t0);
  EXPECT_FALSE(w.running());
  out << "[ RUN      ] M.b\n" << std::flush;
  w.update(t0 + 1s);
  ASSERT_TRUE(w.running());
  EXPECT_EQ(*w.running(), "M.b");
  // Connected, the stream names the same test: its clock keeps running.
  events << "event=TestProgramStart\nevent=TestCaseStart&name=M\nevent=TestStart&name=b\n" << std::flush;
  out << "[       OK ] M.b (0 ms)\n" << std::flush;
  w.update(t0 + 2s);
  ASSERT_TRUE(w.running());
  EXPECT_EQ(w.running_for(t0 + 4s), 3s);
}

}  // namespace
}  // namespace livegui::batch
