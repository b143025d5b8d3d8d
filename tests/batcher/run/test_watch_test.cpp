// The per-test timeout's view of a running GoogleTest binary (batcher/run/test_watch).
#include <gtest/gtest.h>

#include <fstream>

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

}  // namespace
}  // namespace livegui::batch
