#include "hookserver/action_queue.hpp"

#include <atomic>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/poll.hpp"

namespace livegui {
namespace {
using test_support::eventually;

using namespace std::chrono_literals;

/// A GUI thread that beats and drains until told to stop.
class FakeGuiThread {
 public:
  FakeGuiThread(Heartbeat& hb, ActionQueue& q)
      : thread_([&] {
          while (!stop_) {
            hb.beat();
            q.drain();
            q.wait_for_work(2ms);
          }
        }) {}
  ~FakeGuiThread() {
    stop_ = true;
    thread_.join();
  }
  std::thread::id id() const { return thread_.get_id(); }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(ActionQueue, RunsActionsOnTheGuiThread) {
  Heartbeat hb(1000ms);
  ActionQueue q(hb);
  FakeGuiThread gui(hb, q);
  std::thread::id ran_on;
  auto outcome = q.run(
      [&] {
        ran_on = std::this_thread::get_id();
        return nlohmann::json{{"x", 1}};
      },
      2000ms);
  EXPECT_EQ(outcome.status, 200);
  EXPECT_EQ(outcome.body["ok"], true);
  EXPECT_EQ(outcome.body["x"], 1);
  EXPECT_EQ(ran_on, gui.id());
}

TEST(ActionQueue, ErrorsBecomeStatuses) {
  Heartbeat hb(1000ms);
  ActionQueue q(hb);
  FakeGuiThread gui(hb, q);
  auto app_error = q.run([]() -> nlohmann::json { throw ActionError(409, "widget disabled"); }, 2000ms);
  EXPECT_EQ(app_error.status, 409);
  EXPECT_EQ(app_error.body["error"], "widget disabled");
  EXPECT_EQ(app_error.body["degraded"], false);
  auto crash = q.run([]() -> nlohmann::json { throw std::runtime_error("boom"); }, 2000ms);
  EXPECT_EQ(crash.status, 500);
  EXPECT_EQ(crash.body["error"], "action failed: boom");
}

TEST(ActionQueue, StalledLoopFailsFastAndCancelsTheAction) {
  Heartbeat hb(100ms);
  ActionQueue q(hb);
  hb.beat();  // then nothing: the loop is stuck
  std::atomic<bool> ran{false};
  auto start = std::chrono::steady_clock::now();
  auto outcome = q.run(
      [&] {
        ran = true;
        return nlohmann::json::object();
      },
      10000ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);  // not the 10 s bound
  EXPECT_EQ(outcome.status, 503);
  EXPECT_EQ(outcome.body["degraded"], true);
  EXPECT_NE(outcome.body["error"].get<std::string>().find("main loop stalled"), std::string::npos);
  // The loop recovers: the cancelled action must not run behind the client's back.
  hb.beat();
  q.drain();
  EXPECT_FALSE(ran);
}

TEST(ActionQueue, StoppedLoopRefusesAtOnce) {
  Heartbeat hb(1000ms);
  ActionQueue q(hb);
  hb.mark_loop_stopped("assertion failed: x");
  auto outcome = q.run([] { return nlohmann::json::object(); }, 10000ms);
  EXPECT_EQ(outcome.status, 503);
  EXPECT_EQ(outcome.body["error"], "main loop not running: assertion failed: x");
}

TEST(ActionQueue, FailPendingAnswersWaitingClients) {
  Heartbeat hb(10000ms);
  ActionQueue q(hb);
  hb.beat();
  auto waiting =
      std::async(std::launch::async, [&] { return q.run([] { return nlohmann::json::object(); }, 10000ms); });
  // Wait until the action is queued, observed through wait_for_work.
  ASSERT_TRUE(q.wait_for_work(5000ms));
  q.fail_pending("the app is shutting down");
  auto outcome = waiting.get();
  EXPECT_EQ(outcome.status, 503);
  EXPECT_EQ(outcome.body["error"], "the app is shutting down");
}

// Issue 12 item 8, first timing: a 1.3 s action, a 1 s heartbeat, a 2 s bound.
// The loop is busy on our request, not stalled: the reply waits for the action
// and is its result; the heartbeat is not stale while it runs.
TEST(ActionQueue, StartedActionSlowerThanTheHeartbeatIsWaitedFor) {
  Heartbeat hb(1000ms);
  ActionQueue q(hb);
  FakeGuiThread gui(hb, q);
  std::atomic<bool> ran{false};
  std::vector<std::string> reasons_while_busy{"not looked"};
  std::chrono::milliseconds busy_seen{0};
  auto outcome = q.run(
      [&] {
        std::this_thread::sleep_for(1200ms);  // the slow GUI work under test
        reasons_while_busy = hb.reasons();
        busy_seen = hb.busy_for();
        std::this_thread::sleep_for(100ms);
        ran = true;
        return nlohmann::json{{"x", 1}};
      },
      2000ms);
  EXPECT_EQ(outcome.status, 200) << outcome.body.dump();
  EXPECT_EQ(outcome.body["ok"], true);
  EXPECT_EQ(outcome.body["x"], 1);
  EXPECT_TRUE(ran) << "the reply came before the action finished";
  EXPECT_TRUE(reasons_while_busy.empty()) << reasons_while_busy.front();
  EXPECT_GE(busy_seen, 1200ms);
  EXPECT_TRUE(hb.reasons().empty()) << "the end of the action is a sign of life";
}

// Issue 12 item 8, second timing: a 0.5 s action with a 200 ms bound. It
// started, so the reply must not say "not run": 202, started, result unknown.
TEST(ActionQueue, StartedActionOutlastingTheBoundSaysItRan) {
  Heartbeat hb(1000ms);
  ActionQueue q(hb);
  FakeGuiThread gui(hb, q);
  std::atomic<bool> ran{false};
  auto outcome = q.run(
      [&] {
        std::this_thread::sleep_for(500ms);
        ran = true;
        return nlohmann::json::object();
      },
      200ms);
  EXPECT_EQ(outcome.status, 202) << outcome.body.dump();
  EXPECT_EQ(outcome.body["ok"], false);
  EXPECT_EQ(outcome.body["started"], true);
  EXPECT_TRUE(outcome.body["frame"].is_number_integer());
  EXPECT_NE(outcome.body["error"].get<std::string>().find("whether it took effect is unknown"), std::string::npos)
      << outcome.body.dump();
  EXPECT_EQ(outcome.body["degraded"], false) << "500 ms inside an action is within the 2 s allowance";
  EXPECT_TRUE(eventually([&] { return ran.load(); })) << "the started action runs to its end";
}

// An action queued behind a slow one never started: 504 means "not run", and
// it stays not run once the loop gets to it.
TEST(ActionQueue, ActionQueuedBehindASlowOneTimesOutAndNeverRuns) {
  Heartbeat hb(1000ms);
  ActionQueue q(hb);
  FakeGuiThread gui(hb, q);
  std::atomic<bool> slow_running{false}, second_ran{false};
  auto slow = std::async(std::launch::async, [&] {
    return q.run(
        [&] {
          slow_running = true;
          std::this_thread::sleep_for(600ms);
          return nlohmann::json::object();
        },
        2000ms);
  });
  ASSERT_TRUE(eventually([&] { return slow_running.load(); }));
  auto second = q.run(
      [&] {
        second_ran = true;
        return nlohmann::json::object();
      },
      100ms);
  EXPECT_EQ(second.status, 504) << second.body.dump();
  EXPECT_NE(second.body["error"].get<std::string>().find("it will not run"), std::string::npos);
  EXPECT_EQ(slow.get().status, 200);
  // FIFO: once a later action ran, the loop has passed the cancelled one.
  EXPECT_EQ(q.run([] { return nlohmann::json::object(); }, 2000ms).status, 200);
  EXPECT_FALSE(second_ran);
}

TEST(ActionQueue, EmptyBinaryMeansNotSupported) {
  Heartbeat hb(1000ms);
  ActionQueue q(hb);
  FakeGuiThread gui(hb, q);
  EXPECT_EQ(q.run_binary([] { return std::string(); }, 2000ms).status, 501);
  auto png = q.run_binary([] { return std::string("\x89PNG"); }, 2000ms);
  EXPECT_EQ(png.status, 200);
  EXPECT_EQ(png.binary, "\x89PNG");
}

}  // namespace
}  // namespace livegui
