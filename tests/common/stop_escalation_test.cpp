// escalate_stop() against a scripted target: which signals go out, in which
// order, how long each wait may be, and what it reports. Real processes are
// stopped through it in tests/harness (subprocess_test, app_handle_test) and
// tests/batcher/run (state_guard_test, orphans).
#include "common/stop_escalation.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <vector>

namespace livegui {
namespace {
using namespace std::chrono_literals;
using Clock = StopTarget::Clock;
using ::testing::ElementsAre;

/// A target that is gone after the signal `dies_on` (0: never), and records
/// the signals and the length of every wait it was given.
struct Script {
  int dies_on = SIGTERM;
  bool reachable = true;  ///< false: nothing of it is ours any more
  bool alive = true;
  std::vector<int> sent;
  std::vector<std::chrono::milliseconds> waits;

  StopTarget target() {
    return {[this](int sig) {
              if (!reachable || !alive) return false;
              sent.push_back(sig);
              if (sig == dies_on) alive = false;
              return true;
            },
            [this](Clock::time_point deadline) {
              waits.push_back(std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()));
              return !alive;
            }};
  }
};

TEST(StopEscalation, AProcessThatLeavesOnSigtermGetsNoSigkill) {
  Script s;
  StopResult r = escalate_stop(s.target(), 3000ms, 2000ms);
  EXPECT_EQ(r.outcome, StopOutcome::Terminated);
  EXPECT_FALSE(r.sent_sigkill);
  EXPECT_TRUE(r.gone());
  EXPECT_THAT(s.sent, ElementsAre(SIGTERM));  // SIGCONT found nothing left to reach
  ASSERT_EQ(s.waits.size(), 1u);
  EXPECT_LE(s.waits[0], 3000ms);
  EXPECT_GT(s.waits[0], 2000ms);  // the grace, not the kill wait
}

TEST(StopEscalation, SigtermIsFollowedBySigcontSoAStoppedProcessCanActOnIt) {
  Script s;
  s.dies_on = SIGCONT;
  EXPECT_EQ(escalate_stop(s.target(), 1000ms, 1000ms).outcome, StopOutcome::Terminated);
  EXPECT_THAT(s.sent, ElementsAre(SIGTERM, SIGCONT));
}

TEST(StopEscalation, IgnoringSigtermForTheGraceEarnsSigkillThenTheKillWait) {
  Script s;
  s.dies_on = SIGKILL;
  StopResult r = escalate_stop(s.target(), 3000ms, 500ms);
  EXPECT_EQ(r.outcome, StopOutcome::Killed);
  EXPECT_TRUE(r.sent_sigkill);
  EXPECT_THAT(s.sent, ElementsAre(SIGTERM, SIGCONT, SIGKILL));
  ASSERT_EQ(s.waits.size(), 2u);
  EXPECT_GT(s.waits[0], 2000ms);
  EXPECT_LE(s.waits[1], 500ms);
}

TEST(StopEscalation, StillThereAfterTheKillWaitIsStuckAndTheCallReturns) {
  Script s;
  s.dies_on = 0;
  StopResult r = escalate_stop(s.target(), 10ms, 10ms);
  EXPECT_EQ(r.outcome, StopOutcome::Stuck);
  EXPECT_FALSE(r.gone());
  EXPECT_STREQ(to_string(r.outcome), "stuck");
}

TEST(StopEscalation, NothingOfOursLeftMeansNoSignalAndNoWait) {
  Script s;
  s.reachable = false;
  StopResult r = escalate_stop(s.target(), 3000ms, 2000ms);
  EXPECT_EQ(r.outcome, StopOutcome::NothingToStop);
  EXPECT_TRUE(r.gone());
  EXPECT_TRUE(s.sent.empty());
  EXPECT_TRUE(s.waits.empty());
}

TEST(StopEscalation, OutcomesHaveNames) {
  EXPECT_STREQ(to_string(StopOutcome::NothingToStop), "nothing to stop");
  EXPECT_STREQ(to_string(StopOutcome::Terminated), "terminated");
  EXPECT_STREQ(to_string(StopOutcome::Killed), "killed");
}

}  // namespace
}  // namespace livegui
