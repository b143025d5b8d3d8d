#include "hookserver/heartbeat.hpp"

#include <thread>

#include <gtest/gtest.h>

namespace livegui {
namespace {

using namespace std::chrono_literals;

TEST(Heartbeat, OnlyBeatsAdvanceTheFrame) {
  Heartbeat hb(1000ms);
  EXPECT_EQ(hb.frame(), 0);
  hb.beat();
  hb.beat();
  EXPECT_EQ(hb.frame(), 2);
  EXPECT_TRUE(hb.reasons().empty());
}

TEST(Heartbeat, StaleBeatIsAStall) {
  Heartbeat hb(0ms);  // any age beyond zero is stale
  hb.beat();
  // Observe the clock moving rather than sleeping a fixed time.
  auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < 2ms) std::this_thread::yield();
  auto reasons = hb.reasons();
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_NE(reasons[0].find("main loop stalled"), std::string::npos) << reasons[0];
  EXPECT_NE(reasons[0].find("last frame 1"), std::string::npos) << reasons[0];
}

TEST(Heartbeat, ProblemsAndStoppedLoop) {
  Heartbeat hb(1000ms);
  hb.report_problem("disk full");
  hb.report_problem("disk full");  // reported once
  EXPECT_EQ(hb.reasons(), std::vector<std::string>{"disk full"});
  hb.mark_loop_stopped("assertion failed: x");
  EXPECT_TRUE(hb.loop_stopped());
  EXPECT_EQ(hb.reasons().back(), "main loop not running: assertion failed: x");
  hb.clear_problems();
  EXPECT_TRUE(hb.reasons().empty());
}

// Observes the clock moving rather than sleeping a fixed time.
void spin_for(std::chrono::milliseconds d) {
  auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < d) std::this_thread::yield();
}

TEST(Heartbeat, ExecutingAQueuedActionIsBusyNotStalledWithinTheAllowance) {
  Heartbeat hb(0ms, 50ms);  // any idle age is stale; one action may run 50 ms
  hb.beat();
  {
    Heartbeat::BusyScope busy(hb);
    spin_for(5ms);
    EXPECT_TRUE(hb.reasons().empty()) << hb.reasons().front();
    EXPECT_GE(hb.busy_for(), 5ms);
    spin_for(60ms);
    auto reasons = hb.reasons();
    ASSERT_EQ(reasons.size(), 1u);
    EXPECT_NE(reasons[0].find("inside one queued action for"), std::string::npos) << reasons[0];
    EXPECT_NE(reasons[0].find("allowed: 50 ms"), std::string::npos) << reasons[0];
  }
  EXPECT_EQ(hb.busy_for(), 0ms);
  EXPECT_LT(hb.age(), 50ms) << "the end of an action is a sign of life";
  EXPECT_EQ(hb.frame(), 1) << "only beats advance the frame";
}

}  // namespace
}  // namespace livegui
