// The heartbeat rules without a process: one /health reading, the threshold
// and what the previous check saw decide healthy or degraded, and why.
#include "harness/health_rules.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace livegui {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

HealthReading ok_reading(std::int64_t frame, std::int64_t age_ms) {
  HealthReading h;
  h.ok = true;
  h.pid = 42;
  h.frame = frame;
  h.last_frame_age_ms = age_ms;
  return h;
}

TEST(HealthRules, AFreshAdvancingFrameIsHealthy) {
  HeartbeatMemory memory;
  const auto t0 = Clock::now();
  EXPECT_THAT(heartbeat_reasons(ok_reading(10, 5), 500ms, memory, t0), IsEmpty());
  EXPECT_EQ(memory.frame, 10);
  EXPECT_THAT(heartbeat_reasons(ok_reading(40, 5), 500ms, memory, t0 + 2s), IsEmpty());
  EXPECT_EQ(memory.frame, 40);
  EXPECT_EQ(memory.seen_at, t0 + 2s - 5ms);
}

TEST(HealthRules, TheAppsOwnDegradedStatusIsQuotedWithItsReasons) {
  HeartbeatMemory memory;
  HealthReading h = ok_reading(3, 0);
  h.ok = false;
  h.reasons = {"cannot schedule new futures after shutdown"};
  EXPECT_THAT(heartbeat_reasons(h, 500ms, memory, Clock::now()),
              ElementsAre("cannot schedule new futures after shutdown"));
  h.reasons.clear();
  EXPECT_THAT(heartbeat_reasons(h, 500ms, memory, Clock::now()), ElementsAre("the app reports status degraded"));
}

TEST(HealthRules, AnOldLastFrameBeyondTheThresholdIsAStall) {
  HeartbeatMemory memory;
  auto reasons = heartbeat_reasons(ok_reading(7, 501), 500ms, memory, Clock::now());
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0], "heartbeat stalled: no frame for 501 ms (last frame 7)");
  HeartbeatMemory fresh;  // a first reading: no earlier frame to compare with
  EXPECT_THAT(heartbeat_reasons(ok_reading(7, 500), 500ms, fresh, Clock::now()), IsEmpty()) << "the bound is inclusive";
}

TEST(HealthRules, AFrameThatDoesNotMoveBetweenChecksIsAStallEvenWhenTheAppClaimsFreshness) {
  HeartbeatMemory memory;
  const auto t0 = Clock::now();
  EXPECT_THAT(heartbeat_reasons(ok_reading(9, 0), 500ms, memory, t0), IsEmpty());
  EXPECT_THAT(heartbeat_reasons(ok_reading(9, 0), 500ms, memory, t0 + 400ms), IsEmpty());
  auto reasons = heartbeat_reasons(ok_reading(9, 0), 500ms, memory, t0 + 700ms);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_THAT(reasons[0], HasSubstr("frame 9 did not advance in 700 ms"));
}

TEST(HealthRules, ABusyGuiThreadIsAliveAndRestartsTheClock) {
  HeartbeatMemory memory;
  const auto t0 = Clock::now();
  HealthReading busy = ok_reading(5, 3000);
  busy.busy_ms = 2900;
  EXPECT_THAT(heartbeat_reasons(busy, 500ms, memory, t0), IsEmpty()) << "an old frame while busy is not a stall";
  EXPECT_EQ(memory.seen_at, t0);
  EXPECT_THAT(heartbeat_reasons(ok_reading(5, 0), 500ms, memory, t0 + 300ms), IsEmpty());
  EXPECT_THAT(heartbeat_reasons(ok_reading(5, 0), 500ms, memory, t0 + 600ms),
              ElementsAre(HasSubstr("did not advance")));
}

}  // namespace
}  // namespace livegui
