#include "hookserver/hook_server.hpp"

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

namespace livegui {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

/// A HookServer with a GUI thread that can be paused (to play a stalled loop).
class HookServerTest : public ::testing::Test {
 protected:
  void start(HookServerOptions opt = {}) {
    opt.app_name = "test_app";
    server_ = std::make_unique<HookServer>(opt);
    server_->on_click("inc", [this] {
      ++counter_;
      std::lock_guard lock(seen_mutex_);
      gui_thread_seen_ = std::this_thread::get_id();
    });
    server_->on_click("throws", [] { throw std::runtime_error("handler blew up"); });
    server_->on_click("slow", [] { std::this_thread::sleep_for(1300ms); });  // slow GUI work, as on llvmpipe
    server_->on_set("name", [this](const json& v) {
      std::lock_guard lock(seen_mutex_);
      name_ = v.get<std::string>();
    });
    server_->on_fault([this](const json& body) -> HookServer::FaultTrigger {
      if (body["kind"] == "bad") throw ActionError(400, "unknown fault kind 'bad'");
      if (body["kind"] == "count") return [this] { ++faults_fired_; };
      throw std::logic_error("fault handler threw");
    });
    server_->on_state([this] { return json{{"values", {{"counter", counter_.load()}}}}; });
    port_ = server_->start();
    gui_ = std::thread([this] {
      while (!quit_) {
        if (!paused_) server_->frame();
        server_->wait_for_work(2ms);
      }
    });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_connection_timeout(2s);
    client_->set_read_timeout(5s);
    client_->set_write_timeout(2s);
  }
  void TearDown() override {
    quit_ = true;
    if (gui_.joinable()) gui_.join();
    if (server_) server_->stop();
  }
  json post(const std::string& path, const std::string& body, int expected_status) {
    auto res = client_->Post(path, body, "application/json");
    EXPECT_TRUE(res) << path << ": " << httplib::to_string(res.error());
    if (!res) return {};
    EXPECT_EQ(res->status, expected_status) << path << " " << res->body;
    EXPECT_EQ(res->get_header_value("X-Livegui-Protocol"), "1");
    return json::parse(res->body, nullptr, false);
  }
  json get(const std::string& path, int expected_status) {
    auto res = client_->Get(path);
    EXPECT_TRUE(res) << path;
    if (!res) return {};
    if (expected_status >= 0) {
      EXPECT_EQ(res->status, expected_status) << path << " " << res->body;
    }
    return json::parse(res->body, nullptr, false);
  }

  std::unique_ptr<HookServer> server_;
  std::unique_ptr<httplib::Client> client_;
  std::thread gui_;
  std::atomic<bool> quit_{false}, paused_{false};
  std::atomic<int> counter_{0};
  std::atomic<int> faults_fired_{0};
  // Written by the GUI thread, read by the test after the reply. The reply
  // orders them (the handler waits for the action; the client waits for the
  // reply), but through the socket inside the uninstrumented httplib, whose
  // calls ThreadSanitizer is told to ignore (tools/sanitizers/tsan.supp,
  // called_from_lib): the lock makes the order visible to it.
  std::mutex seen_mutex_;
  std::string name_;
  std::thread::id gui_thread_seen_;
  std::thread::id gui_thread_seen() {
    std::lock_guard lock(seen_mutex_);
    return gui_thread_seen_;
  }
  std::string name() {
    std::lock_guard lock(seen_mutex_);
    return name_;
  }
  int port_ = 0;
};

TEST_F(HookServerTest, HealthReportsTheHeartbeat) {
  start();
  auto h1 = get("/health", 200);
  EXPECT_EQ(h1["protocol_version"], 1);
  EXPECT_EQ(h1["status"], "ok");
  EXPECT_EQ(h1["app"], "test_app");
  EXPECT_EQ(h1["pid"], static_cast<long long>(::getpid()));
  EXPECT_TRUE(h1["reasons"].empty());
  // The frame advances because the loop runs, not because we ask.
  json h2;
  for (int i = 0; i < 1000 && (h2 = get("/health", 200))["frame"] == h1["frame"]; ++i) server_->wait_for_work(1ms);
  EXPECT_GT(h2["frame"].get<long long>(), h1["frame"].get<long long>());
}

TEST_F(HookServerTest, ClicksRunOnTheGuiThread) {
  start();
  auto reply = post("/click", R"({"id":"inc"})", 200);
  EXPECT_EQ(reply["ok"], true);
  EXPECT_EQ(counter_, 1);
  EXPECT_EQ(gui_thread_seen(), gui_.get_id());
  post("/set", R"({"id":"name","value":"demo"})", 200);
  EXPECT_EQ(name(), "demo");
}

TEST_F(HookServerTest, StateReadRightAfterAnActionShowsIt) {
  start();
  for (int i = 1; i <= 20; ++i) {
    post("/click", R"({"id":"inc"})", 200);
    auto value = get("/value?id=counter", 200);
    EXPECT_EQ(value["id"], "counter");
    ASSERT_EQ(value["value"], i);  // published before the click's reply went out
  }
  EXPECT_TRUE(get("/state", 200)["values"].contains("counter"));
  EXPECT_NE(get("/value?id=nope", 404)["error"].get<std::string>().find("nope"), std::string::npos);
  get("/value", 400);
}

TEST_F(HookServerTest, ErrorBodiesNameTheProblem) {
  start();
  EXPECT_EQ(post("/click", "not json", 400)["error"], "request body is not a JSON object");
  EXPECT_EQ(post("/click", R"({"id":5})", 400)["error"], "field \"id\" is missing or not a string");
  EXPECT_EQ(post("/set", R"({"id":"name"})", 400)["error"], "field \"value\" is missing");
  auto unknown = post("/click", R"({"id":"ghost"})", 404);
  EXPECT_EQ(unknown["error"], "no clickable widget with id 'ghost'");
  EXPECT_EQ(unknown["degraded"], false);
  EXPECT_EQ(get("/nowhere", 404)["error"], "no route GET /nowhere");
  EXPECT_EQ(get("/click", 405)["error"], "method GET not allowed for /click");
}

TEST_F(HookServerTest, ThrowingHandlersDoNotKillTheServer) {
  start();
  EXPECT_EQ(post("/click", R"({"id":"throws"})", 500)["error"], "action failed: handler blew up");
  auto fault = post("/debug/fault", R"({"kind":"x"})", 500);
  EXPECT_NE(fault["error"].get<std::string>().find("fault handler threw"), std::string::npos);
  EXPECT_EQ(post("/debug/fault", R"({"kind":"bad"})", 400)["error"], "unknown fault kind 'bad'");
  get("/health", 200);
}

TEST_F(HookServerTest, FaultFiresOnlyAfterItsReplyWasWritten) {
  start();
  auto reply = post("/debug/fault", R"({"kind":"count"})", 202);
  EXPECT_EQ(reply["scheduled"], "count");
  // The trigger runs after the reply is written; the reply is in our hands.
  for (int i = 0; i < 1000 && faults_fired_ == 0; ++i) server_->wait_for_work(1ms);
  EXPECT_EQ(faults_fired_, 1);
}

TEST_F(HookServerTest, StopDoesNotWaitLongForIdleKeptAliveClients) {
  start();
  get("/health", 200);  // the client now holds an idle kept-alive connection
  quit_ = true;
  gui_.join();
  auto t0 = std::chrono::steady_clock::now();
  server_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);  // httplib's default would hold it 5 s
}

TEST_F(HookServerTest, TokenIsRequiredWhenConfigured) {
  HookServerOptions opt;
  opt.token = "s3cret";
  start(opt);
  EXPECT_EQ(get("/health", 401)["error"], "missing or wrong X-Livegui-Token");
  client_->set_default_headers({{"X-Livegui-Token", "wrong"}});
  get("/health", 401);
  client_->set_default_headers({{"X-Livegui-Token", "s3cret"}});
  get("/health", 200);
}

TEST_F(HookServerTest, StalledLoopIsDegradedButServerAnswers) {
  HookServerOptions opt;
  opt.heartbeat_threshold = 200ms;
  start(opt);
  paused_ = true;
  auto start_time = std::chrono::steady_clock::now();
  auto click = post("/click", R"({"id":"inc"})", 503);
  EXPECT_LT(std::chrono::steady_clock::now() - start_time, 5s);
  EXPECT_EQ(click["degraded"], true);
  auto health = get("/health", 503);
  EXPECT_EQ(health["status"], "degraded");
  EXPECT_GE(health["last_frame_age_ms"].get<long long>(), 200);
  EXPECT_NE(health["reasons"][0].get<std::string>().find("main loop stalled"), std::string::npos);
  // The refused click never runs once the loop recovers.
  paused_ = false;
  for (int i = 0; i < 1000 && get("/health", -1)["status"] != "ok"; ++i) server_->wait_for_work(1ms);
  EXPECT_EQ(counter_, 0);
}

// Issue 12 item 8: a healthy action slower than the heartbeat threshold is
// not a stall. While the GUI thread runs it, /health says ok with busy_ms; the
// reply is the action's own 200, not 503.
TEST_F(HookServerTest, SlowActionKeepsTheAppHealthyAndIsWaitedFor) {
  start();  // default: 1 s heartbeat threshold, 2 s action bound
  auto reply = std::async(std::launch::async, [this] { return post("/click", R"({"id":"slow"})", 200); });
  httplib::Client observer("127.0.0.1", port_);
  observer.set_connection_timeout(2s);
  observer.set_read_timeout(5s);
  json busy;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto res = observer.Get("/health");
    ASSERT_TRUE(res);
    busy = json::parse(res->body);
    if (busy["busy_ms"].get<long long>() >= 1100) break;  // past the 1 s threshold
    server_->wait_for_work(5ms);
  }
  EXPECT_GE(busy["busy_ms"].get<long long>(), 1100) << busy.dump();
  EXPECT_EQ(busy["status"], "ok") << busy.dump();
  EXPECT_TRUE(busy["reasons"].empty()) << busy.dump();
  EXPECT_EQ(reply.get()["ok"], true);
  EXPECT_EQ(get("/health", 200)["busy_ms"], 0);
}

TEST_F(HookServerTest, StoppedLoopRefusesActionsWithTheReason) {
  start();
  server_->report_problem("io pool shut down: cannot schedule new work");
  server_->main_loop_stopped("assertion failed: ok (frame 3)");
  auto click = post("/click", R"({"id":"inc"})", 503);
  EXPECT_EQ(click["error"],
            "io pool shut down: cannot schedule new work; main loop not running: assertion failed: ok (frame 3)");
  EXPECT_EQ(get("/health", 503)["reasons"].size(), 2u);
  get("/state", 200);  // reading still works
}

TEST_F(HookServerTest, ScreenshotWithoutHandlerIsNotImplemented) {
  start();
  EXPECT_EQ(get("/screenshot", 501)["error"], "this app does not take screenshots");
  EXPECT_EQ(post("/shutdown", "{}", 501)["degraded"], false);
}

TEST_F(HookServerTest, FixedPortInUseIsReported) {
  start();
  HookServerOptions opt;
  opt.port = port_;
  HookServer second(opt);
  try {
    second.start();
    FAIL() << "expected HookServerError";
  } catch (const HookServerError& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(port_)), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("in use"), std::string::npos) << e.what();
  }
}

TEST(HookServerLifecycle, StopRightAfterStartReturns) {
  // httplib ignores stop() until its listen loop runs; start() waits for it.
  for (int i = 0; i < 20; ++i) {
    HookServer server(HookServerOptions{});
    server.start();
    server.stop();
  }
}

TEST(HookServerOptions, FromEnvironment) {
  ::setenv("LIVEGUI_HOOK_PORT", "1234", 1);
  ::setenv("LIVEGUI_HOOK_TOKEN", "t", 1);
  auto opt = HookServerOptions::from_env("x");
  EXPECT_EQ(opt.port, 1234);
  EXPECT_EQ(opt.token, "t");
  ::setenv("LIVEGUI_HOOK_PORT", "http", 1);
  EXPECT_THROW(HookServerOptions::from_env("x"), std::invalid_argument);
  ::unsetenv("LIVEGUI_HOOK_PORT");
  ::unsetenv("LIVEGUI_HOOK_TOKEN");
}

TEST(ConstantTimeEquals, ComparesWholeStrings) {
  EXPECT_TRUE(constant_time_equals("abc", "abc"));
  EXPECT_FALSE(constant_time_equals("abc", "abd"));
  EXPECT_FALSE(constant_time_equals("abc", "abcd"));
  EXPECT_FALSE(constant_time_equals("", "a"));
  EXPECT_TRUE(constant_time_equals("", ""));
}

}  // namespace
}  // namespace livegui
