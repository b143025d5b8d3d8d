// HookClient::wait_until against fake servers: it returns when the predicate
// holds, and otherwise ends with SubprocessDegraded (degraded, frozen frame,
// process gone, unreachable) long before its timeout, or with a HookTimeout
// that names what it waited for.

#include <atomic>
#include <chrono>
#include <string>

#include <gtest/gtest.h>

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

constexpr auto kLongTimeout = 120s;  // what a naive test would wait
constexpr auto kGenerousBound = 10s;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

HookClientOptions options_for(const FakeHookServer& server) {
  HookClientOptions o;
  o.port = server.port();
  o.read_timeout = 1s;
  o.heartbeat_threshold = 300ms;  // keeps the suite fast; the default (1 s) is exercised against sample_app
  return o;
}

// A fake app whose frame advances once per /health request until `freeze_at`,
// then stops; `honest_age` decides whether last_frame_age_ms grows with it.
struct FreezingApp {
  std::atomic<std::int64_t> frame{100};
  std::atomic<std::int64_t> freeze_at{1'000'000};
  std::atomic<bool> honest_age{true};
  std::atomic<int> state_polls{0};
  Clock::time_point frozen_since{};
  std::mutex mutex;

  void routes(httplib::Server& s) {
    s.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
      std::int64_t f = frame.load();
      std::int64_t age = 0;
      if (f < freeze_at) {
        frame = f + 1;
      } else {
        std::lock_guard lock(mutex);
        if (frozen_since == Clock::time_point{}) frozen_since = Clock::now();
        if (honest_age)
          age = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - frozen_since).count();
      }
      reply_json(res, 200, health_json(frame.load(), age));  // status stays "ok"
    });
    s.Get("/state", [this](const httplib::Request&, httplib::Response& res) {
      ++state_polls;
      reply_json(res, 200,
                 {{"frame", frame.load()}, {"values", {{"project", "untitled"}, {"polls", state_polls.load()}}}});
    });
  }
};

auto project_is(const std::string& name) {
  return [name](const json& s) { return s["values"]["project"] == name; };
}

TEST(WaitUntil, ReturnsTheStateOnceThePredicateHolds) {
  FreezingApp app;
  FakeHookServer server([&](httplib::Server& s, FakeHookServer&) { app.routes(s); });
  HookClient client(options_for(server));
  json state =
      client.wait_until([](const json& s) { return s["values"]["polls"] >= 5; }, kLongTimeout, "five state polls");
  EXPECT_EQ(state["values"]["polls"], 5);
}

TEST(WaitUntil, TimeoutNamesWhatWasAwaitedAndTheLastState) {
  FreezingApp app;
  FakeHookServer server([&](httplib::Server& s, FakeHookServer&) { app.routes(s); });
  HookClient client(options_for(server));
  auto start = Clock::now();
  try {
    client.wait_until(project_is("demo"), 200ms, "project switched to 'demo'");
    FAIL() << "expected HookTimeout";
  } catch (const HookTimeout& e) {
    std::string msg = e.what();
    EXPECT_TRUE(contains(msg, "timed out after 200 ms waiting for \"project switched to 'demo'\"")) << msg;
    EXPECT_TRUE(contains(msg, "stayed healthy")) << msg;
    EXPECT_TRUE(contains(msg, "last state: {")) << msg;
    EXPECT_TRUE(contains(msg, "\"project\":\"untitled\"")) << msg;
  }
  EXPECT_LT(Clock::now() - start, kGenerousBound);
}

TEST(WaitUntil, FrozenFrameWhileTheAppSaysOkIsDegraded) {
  for (bool honest : {true, false}) {
    // honest=false: the server's last_frame_age_ms stays 0, so only the
    // client-side tracking of the frame counter can notice.
    SCOPED_TRACE(honest ? "server reports the age" : "server claims age 0");
    FreezingApp app;
    app.freeze_at = 110;
    app.honest_age = honest;
    FakeHookServer server([&](httplib::Server& s, FakeHookServer&) { app.routes(s); });
    HookClient client(options_for(server));
    auto start = Clock::now();
    try {
      client.wait_until(project_is("demo"), kLongTimeout, "project switched to 'demo'");
      FAIL() << "expected SubprocessDegraded";
    } catch (const SubprocessDegraded& e) {
      std::string msg = e.what();
      EXPECT_EQ(e.info().cause, DegradedCause::StoppedAdvancingFrames);
      EXPECT_EQ(e.info().last_frame, 110);
      EXPECT_GT(e.info().frame_age, 300ms);
      EXPECT_TRUE(contains(msg, "subprocess degraded: AUT pid 4121 stopped advancing frames ")) << msg;
      EXPECT_TRUE(contains(msg, "(last frame 110) while waiting for \"project switched to 'demo'\"")) << msg;
    }
    EXPECT_LT(Clock::now() - start, kGenerousBound);
  }
}

TEST(WaitUntil, AppReportingDegradedFailsAtOnceWithItsReasons) {
  std::atomic<int> health_calls{0};
  FakeHookServer server([&](httplib::Server& s, FakeHookServer&) {
    s.Get("/health", [&](const httplib::Request&, httplib::Response& res) {
      // Healthy for two polls, then the main loop "asserts".
      if (++health_calls <= 2) return reply_json(res, 200, health_json(health_calls.load()));
      reply_json(
          res, 503,
          health_json(2, 20, "degraded",
                      {"assertion failed: job != nullptr (frame 2)", "io pool shut down: cannot schedule new work"}));
    });
    s.Get("/state", [](const httplib::Request&, httplib::Response& res) {
      reply_json(res, 200, {{"values", {{"project", "untitled"}}}});
    });
  });
  HookClient client(options_for(server));
  auto start = Clock::now();
  try {
    client.wait_until(project_is("demo"), kLongTimeout, "project switched to 'demo'");
    FAIL() << "expected SubprocessDegraded";
  } catch (const SubprocessDegraded& e) {
    std::string msg = e.what();
    EXPECT_EQ(e.info().cause, DegradedCause::ReportsDegraded);
    EXPECT_EQ(health_calls.load(), 3);
    EXPECT_TRUE(contains(msg,
                         "AUT pid 4121 reports itself degraded while waiting for \"project switched to "
                         "'demo'\""))
        << msg;
    EXPECT_TRUE(contains(msg,
                         "app reports: \"assertion failed: job != nullptr (frame 2)\", \"io pool shut down: "
                         "cannot schedule new work\""))
        << msg;
  }
  EXPECT_LT(Clock::now() - start, 2s);
}

TEST(WaitUntil, LivenessProbeAndContextProviderShapeTheDiagnostic) {
  FreezingApp app;
  FakeHookServer server([&](httplib::Server& s, FakeHookServer&) { app.routes(s); });
  HookClient client(options_for(server));
  std::atomic<int> probes{0};
  client.set_liveness_probe([&]() -> std::optional<std::string> {
    if (++probes < 4) return std::nullopt;
    return "killed by SIGABRT (core dumped)";
  });
  int context_calls = 0;
  client.set_context_provider([&](DegradedInfo& info) {
    ++context_calls;
    info.current_test = "LiveWorkflow.FullWorkflow";
    info.log_file = "/tmp/aut-3.log";
    info.log_tail = "starting\nabort: boom\n";
  });
  try {
    client.wait_until(project_is("demo"), kLongTimeout, "project switched to 'demo'");
    FAIL() << "expected SubprocessDegraded";
  } catch (const SubprocessDegraded& e) {
    std::string msg = e.what();
    EXPECT_EQ(e.info().cause, DegradedCause::ProcessExited);
    EXPECT_EQ(context_calls, 1);
    EXPECT_TRUE(contains(msg, "AUT pid 4121 exited (killed by SIGABRT (core dumped)) while waiting for")) << msg;
    EXPECT_TRUE(contains(msg,
                         "; test: LiveWorkflow.FullWorkflow; AUT log: /tmp/aut-3.log\n"
                         "  last log lines:\n    starting\n    abort: boom"))
        << msg;
  }
}

TEST(WaitUntil, UnreachableServerIsDegraded) {
  auto server = std::make_unique<FakeHookServer>([](httplib::Server& s, FakeHookServer&) {
    s.Get("/health", [](const httplib::Request&, httplib::Response& res) { reply_json(res, 200, health_json(9)); });
  });
  HookClient client(options_for(*server));
  ASSERT_TRUE(client.health().ok);
  int port = server->port();
  server.reset();  // the "AUT" is gone

  // Without a liveness probe: unreachable, with the connection error.
  auto start = Clock::now();
  try {
    client.wait_until(project_is("demo"), kLongTimeout, "project switched to 'demo'");
    FAIL() << "expected SubprocessDegraded";
  } catch (const SubprocessDegraded& e) {
    std::string msg = e.what();
    EXPECT_EQ(e.info().cause, DegradedCause::Unreachable);
    EXPECT_TRUE(contains(msg, "AUT pid 4121 stopped answering its hook server while waiting for")) << msg;
    EXPECT_TRUE(contains(msg, "last frame 9")) << msg;
    EXPECT_TRUE(contains(msg, "127.0.0.1:" + std::to_string(port))) << msg;
  }
  EXPECT_LT(Clock::now() - start, 2s);

  // With a probe that confirms the exit a moment later: process exited.
  std::atomic<int> probes{0};
  client.set_liveness_probe([&]() -> std::optional<std::string> {
    if (++probes < 3) return std::nullopt;
    return "exit code 3";
  });
  try {
    client.wait_until(project_is("demo"), kLongTimeout, "project switched to 'demo'");
    FAIL() << "expected SubprocessDegraded";
  } catch (const SubprocessDegraded& e) {
    EXPECT_EQ(e.info().cause, DegradedCause::ProcessExited);
    EXPECT_EQ(e.info().exit_status, "exit code 3");
    EXPECT_TRUE(contains(e.what(), "AUT pid 4121 exited (exit code 3)")) << e.what();
  }
}

TEST(WaitUntil, DescribeDegradedReportsWhatTheClientKnows) {
  FakeHookServer server([](httplib::Server& s, FakeHookServer&) {
    s.Get("/health", [](const httplib::Request&, httplib::Response& res) {
      reply_json(res, 503,
                 health_json(77, 1500, "degraded", {"main loop stalled: no frame for 1500 ms (last frame 77)"}));
    });
  });
  HookClient client(options_for(server));
  client.set_context_provider([](DegradedInfo& info) { info.current_test = "Suite.Name"; });
  DegradedInfo info = client.describe_degraded(DegradedCause::ReportsDegraded, "the export to finish");
  EXPECT_EQ(info.pid, 4121);
  EXPECT_EQ(info.last_frame, 77);
  EXPECT_GE(info.frame_age, 1500ms);
  ASSERT_EQ(info.app_reasons.size(), 1u);
  EXPECT_EQ(info.current_test, "Suite.Name");
  EXPECT_EQ(info.awaiting, "the export to finish");
}

}  // namespace
}  // namespace livegui
