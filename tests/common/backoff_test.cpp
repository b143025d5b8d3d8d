#include "common/backoff.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace livegui {
namespace {
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(Backoff, PausesDoubleUpToTheCap) {
  Backoff b(1ms, 5ms);
  EXPECT_EQ(b.next(), 1ms);
  EXPECT_EQ(b.next(), 2ms);
  EXPECT_EQ(b.next(), 4ms);
  EXPECT_EQ(b.next(), 5ms);
  EXPECT_EQ(b.next(), 5ms);
}

TEST(Backoff, MicrosecondPausesDoubleToo) {
  Backoff b(200us, 20ms);
  EXPECT_EQ(b.next(), 200us);
  EXPECT_EQ(b.next(), 400us);
  EXPECT_EQ(b.next(), 800us);
}

TEST(Backoff, PauseUntilAPassedDeadlineReturnsFalseAtOnce) {
  Backoff b(1s, 1s);
  auto before = Clock::now();
  EXPECT_FALSE(b.pause_until(before - 1ms));
  EXPECT_LT(Clock::now() - before, 500ms);  // generous: it must not have paused 1 s
}

TEST(Backoff, PauseUntilNeverOversleepsTheDeadline) {
  Backoff b(10s, 10s);
  auto deadline = Clock::now() + 20ms;
  EXPECT_TRUE(b.pause_until(deadline));
  EXPECT_GE(Clock::now(), deadline - 1ms);
  EXPECT_LT(Clock::now() - deadline, 5s);  // bounded by the deadline, not by the 10 s pause
}

TEST(PollUntil, ReturnsTrueAsSoonAsTheConditionHolds) {
  int looks = 0;
  EXPECT_TRUE(poll_for([&] { return ++looks == 3; }, 10s));
  EXPECT_EQ(looks, 3);
}

TEST(PollUntil, ReturnsFalseAfterTheDeadlineWithOneLastLook) {
  int looks = 0;
  auto before = Clock::now();
  EXPECT_FALSE(poll_for(
      [&] {
        ++looks;
        return false;
      },
      30ms));
  EXPECT_GE(Clock::now() - before, 30ms);
  EXPECT_GE(looks, 2);  // the first look and the last one after the deadline
}

TEST(PollUntil, TheLastLookCountsWhenTheConditionTurnsTrueAtTheDeadline) {
  auto deadline = Clock::now() + 20ms;
  EXPECT_TRUE(poll_until([&] { return Clock::now() >= deadline; }, deadline, Backoff(50ms, 50ms)));
}

}  // namespace
}  // namespace livegui
