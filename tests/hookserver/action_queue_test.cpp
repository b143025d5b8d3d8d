#include "hookserver/action_queue.hpp"

#include <atomic>
#include <future>
#include <thread>

#include <gtest/gtest.h>

namespace livegui {
namespace {

using namespace std::chrono_literals;

/// A GUI thread that beats and drains until told to stop.
class FakeGuiThread {
 public:
  FakeGuiThread(Heartbeat& hb, ActionQueue& q) : thread_([&] {
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
  auto outcome = q.run([&] { ran_on = std::this_thread::get_id(); return nlohmann::json{{"x", 1}}; }, 2000ms);
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
  auto outcome = q.run([&] { ran = true; return nlohmann::json::object(); }, 10000ms);
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
  auto waiting = std::async(std::launch::async, [&] { return q.run([] { return nlohmann::json::object(); }, 10000ms); });
  // Wait until the action is queued, observed through wait_for_work.
  ASSERT_TRUE(q.wait_for_work(5000ms));
  q.fail_pending("the app is shutting down");
  auto outcome = waiting.get();
  EXPECT_EQ(outcome.status, 503);
  EXPECT_EQ(outcome.body["error"], "the app is shutting down");
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
