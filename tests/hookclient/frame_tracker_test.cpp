#include "hookclient/frame_tracker.hpp"

#include <gtest/gtest.h>

namespace livegui {
namespace {

using namespace std::chrono_literals;
using Clock = FrameTracker::Clock;

TEST(FrameTracker, AgeIsSinceTheFrameLastChangedAsSeenHere) {
  FrameTracker t;
  auto t0 = Clock::now();
  EXPECT_EQ(t.frame_age(t0), 0ms) << "nothing seen yet";
  t.observe(10, 1, 0ms, t0);
  t.observe(10, 2, 0ms, t0 + 100ms);
  t.observe(10, 2, 0ms, t0 + 400ms);  // server claims 0 ms; the client knows better
  EXPECT_EQ(t.frame_age(t0 + 400ms), 300ms);
  EXPECT_EQ(t.frame_age(t0 + 1100ms), 1000ms);
  t.observe(10, 3, 0ms, t0 + 1200ms);
  EXPECT_EQ(t.frame_age(t0 + 1200ms), 0ms);
}

TEST(FrameTracker, TrustsTheServersLongerAge) {
  FrameTracker t;
  auto t0 = Clock::now();
  t.observe(10, 7, 1500ms, t0);  // first sight, but the server knows it is stale
  EXPECT_EQ(t.frame_age(t0), 1500ms);
  EXPECT_EQ(t.frame_age(t0 + 100ms), 1600ms);
}

TEST(FrameTracker, AnotherProcessStartsOver) {
  FrameTracker t;
  auto t0 = Clock::now();
  t.observe(10, 7, 0ms, t0);
  t.observe(11, 7, 0ms, t0 + 2s);  // same frame number, new pid
  EXPECT_EQ(t.frame_age(t0 + 2s), 0ms);
  EXPECT_EQ(t.pid(), 11);
}

TEST(FrameTracker, ABusyLoopIsAlive) {
  FrameTracker t;
  auto t0 = Clock::now();
  t.observe(10, 7, 0ms, t0);
  // Same frame 1.2 s later, but the app's GUI thread is executing an action.
  t.observe(10, 7, 1200ms, t0 + 1200ms, /*busy=*/true);
  EXPECT_EQ(t.frame_age(t0 + 1200ms), 0ms);
  EXPECT_EQ(t.frame_age(t0 + 1300ms), 100ms);
}

}  // namespace
}  // namespace livegui
