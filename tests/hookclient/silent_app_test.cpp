// Issue 16: every HookClient call on an app that stops answering (SIGSTOP:
// the kernel accepts the connection, nobody replies) or whose frame stops
// advancing throws SubprocessDegraded within about the heartbeat threshold,
// a threshold below 1 s included; an app that is slow but alive (its frame
// advances, or its GUI thread is busy on our action) is not called degraded.

#include <atomic>
#include <chrono>
#include <functional>
#include <iostream>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/text.hpp"
#include "hookclient/hook_client.hpp"
#include "tests/hookclient/fake_hook_server.hpp"

namespace livegui {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test_support::FakeHookServer;
using test_support::health_json;
using test_support::reply_json;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

milliseconds since(Clock::time_point t) { return std::chrono::duration_cast<milliseconds>(Clock::now() - t); }

// A fake app that serves normally (its frame advances with every /health)
// until `silent` is set; from then on every request is accepted and never
// answered, as by a SIGSTOPped process. `action_delay`: how long an action
// takes while it is alive; `busy` makes /health report the GUI thread busy.
struct StoppableApp {
  std::atomic<bool> silent{false};
  std::atomic<std::int64_t> frame{100};
  std::atomic<bool> frame_frozen{false};
  std::atomic<bool> busy{false};
  milliseconds action_delay{0};

  void routes(httplib::Server& s, FakeHookServer& self) {
    auto silence = [this, &self] {
      if (!silent) return false;
      self.stall(60s);  // returns early when the server is stopped
      return true;
    };
    s.Get("/health", [this, silence](const httplib::Request&, httplib::Response& res) {
      if (silence()) return;
      std::int64_t f = frame_frozen ? frame.load() : ++frame;
      json h = health_json(f, 0);
      if (busy) h["busy_ms"] = 40;
      reply_json(res, 200, h);
    });
    s.Get("/state", [this, silence](const httplib::Request&, httplib::Response& res) {
      if (silence()) return;
      reply_json(res, 200, {{"frame", frame.load()}, {"values", {{"counter", 1}}}});
    });
    s.Get("/value", [this, silence](const httplib::Request&, httplib::Response& res) {
      if (silence()) return;
      reply_json(res, 200, {{"id", "counter"}, {"value", 1}});
    });
    auto action = [this, silence, &self](const httplib::Request&, httplib::Response& res) {
      if (silence()) return;
      if (action_delay > 0ms) self.stall(action_delay);
      reply_json(res, 200, {{"ok", true}, {"frame", frame.load()}});
    };
    s.Post("/click", action);
    s.Post("/set", action);
  }
};

HookClientOptions options_for(const FakeHookServer& server, milliseconds threshold) {
  HookClientOptions o;
  o.port = server.port();
  o.heartbeat_threshold = threshold;  // read_timeout stays the default 5 s: the action's own bound
  return o;
}

struct Call {
  std::string name;
  std::function<void(HookClient&)> run;
};

const std::vector<Call>& every_call() {
  static const std::vector<Call> calls = {
      {"health", [](HookClient& c) { c.health(); }},
      {"state", [](HookClient& c) { c.state(); }},
      {"value", [](HookClient& c) { c.value("counter"); }},
      {"click", [](HookClient& c) { c.click("increment"); }},
      {"set", [](HookClient& c) { c.set("name", "demo"); }},
      {"wait_until",
       [](HookClient& c) { c.wait_until([](const json&) { return false; }, 120s, "a state that never comes"); }},
  };
  return calls;
}

// Runs `call` on a client of an app that answered once and then fell silent;
// returns how long the SubprocessDegraded took, failing when none came.
milliseconds degraded_after_silence(const Call& call, milliseconds threshold) {
  StoppableApp app;
  FakeHookServer server([&](httplib::Server& s, FakeHookServer& self) { app.routes(s, self); });
  HookClient client(options_for(server, threshold));
  EXPECT_TRUE(client.health().ok);
  app.silent = true;
  auto start = Clock::now();
  try {
    call.run(client);
    ADD_FAILURE() << call.name << " returned on a silent app";
  } catch (const SubprocessDegraded& e) {
    milliseconds took = since(start);
    std::string msg = e.what();
    EXPECT_EQ(e.info().cause, DegradedCause::Unreachable) << msg;
    EXPECT_EQ(e.info().pid, 4121) << msg;
    EXPECT_EQ(e.info().last_frame, 101) << msg;
    EXPECT_TRUE(contains(msg, "subprocess degraded: AUT pid 4121 stopped answering its hook server")) << msg;
    EXPECT_TRUE(contains(msg, "last frame 101")) << msg;
    EXPECT_TRUE(contains(msg, "no reply within " + human_duration(threshold))) << msg;
    return took;
  } catch (const std::exception& e) {
    ADD_FAILURE() << call.name << " threw " << typeid(e).name() << " after " << since(start).count()
                  << " ms instead of SubprocessDegraded: " << e.what();
  }
  return since(start);
}

TEST(SilentApp, EveryCallIsDegradedWithinTheDefaultThreshold) {
  for (const Call& call : every_call()) {
    SCOPED_TRACE(call.name);
    milliseconds took = degraded_after_silence(call, 1000ms);
    std::cout << "[ figure ] silent app, threshold 1 s: " << call.name << " -> SubprocessDegraded in " << took.count()
              << " ms\n";
    EXPECT_LT(took, 3500ms) << call.name;
  }
}

TEST(SilentApp, AThresholdBelowOneSecondIsHonoured) {
  for (const Call& call : every_call()) {
    SCOPED_TRACE(call.name);
    milliseconds took = degraded_after_silence(call, 300ms);
    std::cout << "[ figure ] silent app, threshold 300 ms: " << call.name << " -> SubprocessDegraded in "
              << took.count() << " ms\n";
    EXPECT_LT(took, 1500ms) << call.name;
  }
}

// An action that takes longer than the threshold on an app whose frame keeps
// advancing (or whose GUI thread is busy on it) is slow, not degraded: the
// client waits for its reply, up to the action's own bound.
TEST(SilentApp, ASlowActionOfALiveAppIsNotDegraded) {
  for (bool busy : {false, true}) {
    SCOPED_TRACE(busy ? "frame frozen, GUI thread busy on the action" : "frame advancing");
    StoppableApp app;
    app.action_delay = 1500ms;
    app.busy = busy;
    app.frame_frozen = busy;
    FakeHookServer server([&](httplib::Server& s, FakeHookServer& self) { app.routes(s, self); });
    HookClient client(options_for(server, 1000ms));
    auto start = Clock::now();
    EXPECT_NO_THROW(client.click("increment"));
    EXPECT_NO_THROW(client.set("name", "demo"));
    EXPECT_GE(since(start), 3000ms) << "both replies were awaited";
  }
}

// The GUI loop hangs while the server thread still answers: /health says
// "ok" with a frozen frame, and the action stays queued until the server's
// own stall detection (1 s, as in the C++ hookserver) answers 503. A client
// threshold below that is the one that counts.
TEST(SilentApp, AnActionOnAHungLoopHonoursAThresholdBelowTheServers) {
  std::atomic<std::int64_t> frame{100};
  std::atomic<bool> hung{false};
  Clock::time_point hung_since{};
  std::mutex mutex;
  auto age_ms = [&]() -> std::int64_t {
    std::lock_guard lock(mutex);
    return hung ? since(hung_since).count() : 0;
  };
  FakeHookServer server([&](httplib::Server& s, FakeHookServer& self) {
    s.Get("/health", [&](const httplib::Request&, httplib::Response& res) {
      reply_json(res, 200, health_json(hung ? frame.load() : ++frame, age_ms()));
    });
    s.Post("/click", [&](const httplib::Request&, httplib::Response& res) {
      // The server's own verdict once its heartbeat is 1 s old.
      while (age_ms() <= 1000)
        if (!self.stall(5ms)) return;
      reply_json(res, 503, {{"error", "main loop stalled: no frame for 1000 ms"}, {"degraded", true}});
    });
  });
  HookClient client(options_for(server, 300ms));
  ASSERT_TRUE(client.health().ok);
  {
    std::lock_guard lock(mutex);
    hung_since = Clock::now();
    hung = true;
  }
  auto start = Clock::now();
  try {
    client.click("new_project");
    ADD_FAILURE() << "click on a hung loop returned";
  } catch (const SubprocessDegraded& e) {
    milliseconds took = since(start);
    std::cout << "[ figure ] hung loop, threshold 300 ms: click -> SubprocessDegraded in " << took.count() << " ms\n";
    std::string msg = e.what();
    EXPECT_LT(took, 950ms) << msg;
    EXPECT_EQ(e.info().cause, DegradedCause::StoppedAdvancingFrames) << msg;
    EXPECT_TRUE(contains(msg, "stopped advancing frames")) << msg;
    EXPECT_TRUE(contains(msg, "during click on 'new_project'")) << msg;
    EXPECT_TRUE(contains(msg, "app reports: status \"ok\"")) << msg;
  }
}

}  // namespace
}  // namespace livegui
