// HookClient against a fake server that misbehaves: every malformed reply is a
// clear typed error, never a crash or a hang.

#include "hookclient/hook_client.hpp"

#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>

#include <gtest/gtest.h>

#include "tests/hookclient/fake_hook_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace livegui {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test_support::FakeHookServer;
using test_support::health_json;
using test_support::reply_json;
using Clock = std::chrono::steady_clock;

HookClientOptions options_for(const FakeHookServer& server) {
  HookClientOptions o;
  o.port = server.port();
  o.connect_timeout = 1000ms;
  o.read_timeout = 2000ms;  // generous: a loaded CI machine must not turn a reply into a timeout
  o.write_timeout = 1000ms;
  return o;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Runs `f`, expects it to throw E, and returns the message.
template <typename E, typename F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected " << typeid(E).name() << ", got " << typeid(e).name() << ": " << e.what();
    return {};
  }
  ADD_FAILURE() << "expected " << typeid(E).name() << ", nothing was thrown";
  return {};
}

TEST(HookClient, DecodesHealth) {
  FakeHookServer server([](httplib::Server& s, FakeHookServer&) {
    s.Get("/health",
          [](const httplib::Request&, httplib::Response& res) { reply_json(res, 200, health_json(5312, 12)); });
  });
  HookClient client(options_for(server));
  Health h = client.health();
  EXPECT_EQ(h.protocol_version, 1);
  EXPECT_EQ(h.app, "fake");
  EXPECT_TRUE(h.ok);
  EXPECT_EQ(h.pid, 4121);
  EXPECT_EQ(h.frame, 5312);
  EXPECT_EQ(h.last_frame_age_ms, 12);
  EXPECT_TRUE(h.reasons.empty());
}

TEST(HookClient, DegradedHealthIsAHealthNotAnError) {
  FakeHookServer server([](httplib::Server& s, FakeHookServer&) {
    s.Get("/health", [](const httplib::Request&, httplib::Response& res) {
      reply_json(res, 503,
                 health_json(7, 1500, "degraded", {"main loop stalled: no frame for 1500 ms (last frame 7)"}));
    });
  });
  HookClient client(options_for(server));
  Health h = client.health();
  EXPECT_FALSE(h.ok);
  ASSERT_EQ(h.reasons.size(), 1u);
  EXPECT_TRUE(contains(h.reasons[0], "main loop stalled"));
}

TEST(HookClient, RefusesAnotherProtocolVersionNamingBoth) {
  FakeHookServer server([](httplib::Server& s, FakeHookServer&) {
    s.Get("/health", [](const httplib::Request&, httplib::Response& res) {
      json h = health_json(1);
      h["protocol_version"] = 2;
      reply_json(res, 200, h);
    });
    s.Get("/state", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("X-Livegui-Protocol", "7");
      res.set_content(json{{"values", json::object()}}.dump(), "application/json");
    });
  });
  HookClient client(options_for(server));
  std::string msg = message_of<HookBadResponse>([&] { client.health(); });
  EXPECT_TRUE(contains(msg, "protocol version 2")) << msg;
  EXPECT_TRUE(contains(msg, "version 1")) << msg;
  msg = message_of<HookBadResponse>([&] { client.state(); });
  EXPECT_TRUE(contains(msg, "protocol version 7")) << msg;
  EXPECT_TRUE(contains(msg, "version 1")) << msg;
}

TEST(HookClient, GarbageIsABadResponse) {
  FakeHookServer server([](httplib::Server& s, FakeHookServer&) {
    s.Get("/health", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string("\x00\xff<html>oops", 13), "text/html");
    });
    s.Get("/state", [](const httplib::Request&, httplib::Response& res) { res.set_content("", "application/json"); });
    s.Post("/click", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("{\"ok\": tru", "application/json");
    });
  });
  HookClient client(options_for(server));
  std::string msg = message_of<HookBadResponse>([&] { client.health(); });
  EXPECT_TRUE(contains(msg, "GET /health from 127.0.0.1:" + std::to_string(server.port()))) << msg;
  EXPECT_TRUE(contains(msg, "not JSON")) << msg;
  EXPECT_TRUE(contains(msg, "\\x00\\xff<html>oops")) << msg;
  msg = message_of<HookBadResponse>([&] { client.state(); });
  EXPECT_TRUE(contains(msg, "empty body")) << msg;
  msg = message_of<HookBadResponse>([&] { client.click("increment"); });
  EXPECT_TRUE(contains(msg, "POST /click")) << msg;
}

// The current misbehaviour of a fake route, switched by the test.
class Switch {
 public:
  void set(std::string v) {
    std::lock_guard lock(mutex_);
    value_ = std::move(v);
  }
  std::string get() {
    std::lock_guard lock(mutex_);
    return value_;
  }

 private:
  std::mutex mutex_;
  std::string value_;
};

TEST(HookClient, WrongTypesNameTheField) {
  Switch mode;
  FakeHookServer server([&](httplib::Server& s, FakeHookServer&) {
    s.Get("/health", [&](const httplib::Request&, httplib::Response& res) {
      json h = health_json(3);
      std::string what = mode.get();
      if (what == "frame") h["frame"] = "3";
      if (what == "reasons") h["reasons"] = {1, 2};
      if (what == "status") h["status"] = "fine";
      if (what == "pid") h["pid"] = -5;
      if (what == "array") h = json::array({1, 2});
      if (what == "missing") h.erase("last_frame_age_ms");
      if (what == "huge") h["frame"] = json::parse("18446744073709551615");
      reply_json(res, 200, h);
    });
    s.Get("/state", [](const httplib::Request&, httplib::Response& res) {
      reply_json(res, 200, {{"frame", 1}, {"values", json::array()}});
    });
    s.Get("/value", [](const httplib::Request&, httplib::Response& res) { reply_json(res, 200, {{"id", "x"}}); });
  });
  HookClient client(options_for(server));
  struct Case {
    std::string name, expected;
  };
  for (const Case& c :
       {Case{"frame", "\"frame\" must be an integer, got string"},
        Case{"reasons", "\"reasons\" must hold strings, got number"},
        Case{"status", "\"status\" must be \"ok\" or \"degraded\""}, Case{"pid", "\"pid\" is not a process id"},
        Case{"array", "expected a JSON object, got array"}, Case{"missing", "missing field \"last_frame_age_ms\""},
        Case{"huge", "\"frame\" is out of range"}}) {
    SCOPED_TRACE(c.name);
    mode.set(c.name);
    std::string msg = message_of<HookBadResponse>([&] { client.health(); });
    EXPECT_TRUE(contains(msg, c.expected)) << msg;
  }
  mode.set("");
  EXPECT_NO_THROW(client.health()) << "the client must still work after bad replies";
  std::string msg = message_of<HookBadResponse>([&] { client.state(); });
  EXPECT_TRUE(contains(msg, "\"values\" must be an object, got array")) << msg;
  msg = message_of<HookBadResponse>([&] { client.value("x"); });
  EXPECT_TRUE(contains(msg, "missing field \"value\"")) << msg;
}

TEST(HookClient, HugeBodiesAreRefusedWithoutReadingThemWhole) {
  constexpr std::size_t kHuge = 4 * 1024 * 1024;
  FakeHookServer server([](httplib::Server& s, FakeHookServer&) {
    // Declared length: refused from the headers.
    s.Get("/state", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(kHuge, 'x'), "application/json");
    });
    // Chunked, no length: refused while streaming.
    s.Get("/health", [](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("application/json", [](size_t offset, httplib::DataSink& sink) {
        if (offset >= kHuge) {
          sink.done();
          return true;
        }
        std::string chunk(64 * 1024, ' ');
        return sink.write(chunk.data(), chunk.size());
      });
    });
    s.Get("/value", [](const httplib::Request&, httplib::Response& res) {
      reply_json(res, 200, {{"id", "name"}, {"value", "demo"}});
    });
  });
  auto opts = options_for(server);
  opts.max_body_bytes = 1024 * 1024;
  HookClient client(opts);
  std::string msg = message_of<HookBadResponse>([&] { client.state(); });
  EXPECT_TRUE(contains(msg, "exceeds the limit of 1048576 bytes")) << msg;
  msg = message_of<HookBadResponse>([&] { client.health(); });
  EXPECT_TRUE(contains(msg, "exceeds the limit")) << msg;
  EXPECT_EQ(client.value("name"), "demo") << "the client reconnects after refusing a reply";
}

// A request the server thread answers waits at most min(read_timeout,
// heartbeat_threshold); a server silent that long is a stopped app.
TEST(HookClient, SlowReplyEndsAtTheReadTimeout) {
  FakeHookServer server([](httplib::Server& s, FakeHookServer& self) {
    s.Get("/state", [&self](const httplib::Request&, httplib::Response& res) {
      self.stall(3s);
      reply_json(res, 200, {{"values", json::object()}});
    });
  });
  auto opts = options_for(server);
  opts.read_timeout = 300ms;
  HookClient client(opts);
  auto start = Clock::now();
  std::string msg = message_of<SubprocessDegraded>([&] { client.state(); });
  auto took = Clock::now() - start;
  EXPECT_LT(took, 2s) << msg;
  EXPECT_TRUE(contains(msg, "stopped answering its hook server during reading state")) << msg;
  EXPECT_TRUE(contains(msg, "no reply within 300 ms")) << msg;
  EXPECT_TRUE(contains(msg, "127.0.0.1:" + std::to_string(server.port()))) << msg;
}

TEST(HookClient, TrickledBodyEndsAtTheTotalBound) {
  FakeHookServer server([](httplib::Server& s, FakeHookServer& self) {
    // One byte every 100 ms: each recv() is within the read timeout, the
    // whole reply never is.
    s.Get("/state", [&self](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("application/json", [&self](size_t, httplib::DataSink& sink) {
        if (!self.stall(100ms)) return false;
        return sink.write(" ", 1);
      });
    });
  });
  auto opts = options_for(server);
  opts.connect_timeout = 200ms;
  opts.write_timeout = 200ms;
  opts.read_timeout = 300ms;
  HookClient client(opts);  // total bound 200 + 200 + 2 × 300 ms = 1 s
  auto start = Clock::now();
  std::string msg = message_of<SubprocessDegraded>([&] { client.state(); });
  EXPECT_LT(Clock::now() - start, 3s) << msg;
  EXPECT_TRUE(contains(msg, "too slowly")) << msg;
}

TEST(HookClient, TokenIsSentAndTheRefusalExplained) {
  FakeHookServer server([](httplib::Server& s, FakeHookServer&) {
    s.Get("/health", [](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("X-Livegui-Token") != "s3cret") {
        reply_json(res, 401, {{"error", "missing or wrong X-Livegui-Token"}, {"degraded", false}});
        return;
      }
      reply_json(res, 200, health_json(1));
    });
  });
  for (std::string token : {"", "wrong"}) {
    SCOPED_TRACE("token '" + token + "'");
    auto opts = options_for(server);
    opts.token = token;
    HookClient client(opts);
    try {
      client.health();
      ADD_FAILURE() << "expected HookProtocolError";
    } catch (const HookProtocolError& e) {
      EXPECT_EQ(e.status(), 401);
      EXPECT_EQ(e.app_message(), "missing or wrong X-Livegui-Token");
      EXPECT_TRUE(contains(e.what(), "LIVEGUI_HOOK_TOKEN")) << e.what();
    }
  }
  auto opts = options_for(server);
  opts.token = "s3cret";
  HookClient client(opts);
  EXPECT_TRUE(client.health().ok);
}

TEST(HookClient, DegradedActionRepliesAreSubprocessDegraded) {
  FakeHookServer server([](httplib::Server& s, FakeHookServer&) {
    s.Get("/health", [](const httplib::Request&, httplib::Response& res) {
      reply_json(res, 503, health_json(5312, 40, "degraded", {"io pool shut down: cannot schedule new work"}));
    });
    s.Post("/click", [](const httplib::Request&, httplib::Response& res) {
      reply_json(res, 503,
                 {{"error",
                   "main loop not running: assertion failed: x (frame 5312); io pool shut down: cannot "
                   "schedule new work"},
                  {"degraded", true}});
    });
    s.Post("/set", [](const httplib::Request&, httplib::Response& res) {
      reply_json(res, 504, {{"error", "GUI thread did not run the action within 2000 ms"}, {"degraded", true}});
    });
  });
  HookClient client(options_for(server));
  try {
    client.click("new_project");
    ADD_FAILURE() << "expected SubprocessDegraded";
  } catch (const SubprocessDegraded& e) {
    std::string msg = e.what();
    EXPECT_EQ(e.info().cause, DegradedCause::ReportsDegraded);
    EXPECT_EQ(e.info().pid, 4121) << "pid filled from /health";
    EXPECT_EQ(e.info().last_frame, 5312);
    EXPECT_TRUE(contains(msg,
                         "subprocess degraded: AUT pid 4121 reports itself degraded during click on "
                         "'new_project'"))
        << msg;
    EXPECT_TRUE(contains(msg, "io pool shut down: cannot schedule new work")) << msg;
  }
  std::string msg = message_of<SubprocessDegraded>([&] { client.set("name", "demo"); });
  EXPECT_TRUE(contains(msg, "did not run the action within 2000 ms")) << msg;
}

// Issue 12 item 3: an app whose main loop died but whose server answers —
// /health says "ok" with a frozen frame counter — and whose actions now fail
// with 500. The failure is the AUT's state: SubprocessDegraded saying what the
// app reported (status "ok") and what we observed (last frame, its age).
TEST(HookClient, FailedActionWhileTheFrameIsFrozenIsSubprocessDegraded) {
  FakeHookServer server([](httplib::Server& s, FakeHookServer&) {
    s.Get("/health", [](const httplib::Request&, httplib::Response& res) {
      reply_json(res, 200, health_json(5312, 0));  // "ok", frame never moves
    });
    s.Post("/click", [](const httplib::Request&, httplib::Response& res) {
      reply_json(res, 500, {{"error", "cannot schedule new futures after shutdown"}, {"degraded", false}});
    });
  });
  auto opts = options_for(server);
  opts.heartbeat_threshold = 300ms;
  HookClient client(opts);
  auto start = Clock::now();
  try {
    client.click("new_project");
    ADD_FAILURE() << "expected SubprocessDegraded";
  } catch (const SubprocessDegraded& e) {
    std::string msg = e.what();
    EXPECT_LT(Clock::now() - start, 5s) << "within about one heartbeat threshold";
    EXPECT_EQ(e.info().cause, DegradedCause::StoppedAdvancingFrames) << msg;
    EXPECT_EQ(e.info().app_status, "ok");
    EXPECT_TRUE(e.info().app_reasons.empty());
    EXPECT_EQ(e.info().last_frame, 5312);
    EXPECT_GT(e.info().frame_age, 300ms);
    EXPECT_TRUE(contains(msg, "subprocess degraded: AUT pid 4121 stopped advancing frames ")) << msg;
    EXPECT_TRUE(contains(msg, "(last frame 5312) during click on 'new_project'")) << msg;
    EXPECT_TRUE(contains(msg, "app reports: status \"ok\"")) << msg;
    EXPECT_FALSE(contains(msg, "heartbeat stalled")) << "the app did not say that: " << msg;
    EXPECT_TRUE(contains(msg,
                         "the request failed: HTTP 500, app says: \"cannot schedule new futures after "
                         "shutdown\""))
        << msg;
  }
  // Once stale, the next failure says so at once.
  start = Clock::now();
  std::string msg = message_of<SubprocessDegraded>([&] { client.click("new_project"); });
  EXPECT_LT(Clock::now() - start, 2s) << msg;
}

// The same failure while the main loop turns is the app's answer.
TEST(HookClient, FailedActionWhileTheLoopTurnsIsAProtocolError) {
  std::atomic<std::int64_t> frame{100};
  FakeHookServer server([&](httplib::Server& s, FakeHookServer&) {
    s.Get("/health",
          [&](const httplib::Request&, httplib::Response& res) { reply_json(res, 200, health_json(frame++, 0)); });
    s.Post("/click", [](const httplib::Request&, httplib::Response& res) {
      reply_json(res, 409, {{"error", "widget 'save' is disabled"}, {"degraded", false}});
    });
  });
  auto opts = options_for(server);
  opts.heartbeat_threshold = 300ms;
  HookClient client(opts);
  try {
    client.click("save");
    ADD_FAILURE() << "expected HookProtocolError";
  } catch (const HookProtocolError& e) {
    EXPECT_EQ(e.status(), 409);
    EXPECT_EQ(e.app_message(), "widget 'save' is disabled");
  }
}

// Protocol section 3: 202 "started" — the action ran (or runs); its result is
// unknown. Neither success nor "not run".
TEST(HookClient, StartedButUnfinishedActionIsItsOwnError) {
  FakeHookServer server([](httplib::Server& s, FakeHookServer&) {
    s.Post("/click", [](const httplib::Request&, httplib::Response& res) {
      reply_json(res, 202,
                 {{"ok", false},
                  {"started", true},
                  {"frame", 77},
                  {"error",
                   "the GUI thread started the action in frame 77 but it had not finished after 2001 ms; "
                   "whether it took effect is unknown"},
                  {"degraded", false}});
    });
  });
  HookClient client(options_for(server));
  try {
    client.click("save");
    ADD_FAILURE() << "expected HookActionUnfinished";
  } catch (const HookActionUnfinished& e) {
    EXPECT_FALSE(e.degraded());
    EXPECT_TRUE(contains(e.what(), "HTTP 202, the action started but its result is unknown")) << e.what();
    EXPECT_TRUE(contains(e.what(), "retrying may apply it twice")) << e.what();
  }
}

TEST(HookClient, HttpErrorsCarryTheAppsMessage) {
  FakeHookServer server([](httplib::Server& s, FakeHookServer&) {
    s.Post("/click", [](const httplib::Request& req, httplib::Response& res) {
      auto body = json::parse(req.body);
      reply_json(res, 404,
                 {{"error", "unknown widget id '" + body["id"].get<std::string>() + "'"}, {"degraded", false}});
    });
    // Not protocol-conforming: an error without a JSON body.
    s.Post("/set", [](const httplib::Request&, httplib::Response& res) {
      res.status = 500;
      res.set_content("Internal Server Error", "text/plain");
    });
    s.Post("/debug/fault", [](const httplib::Request&, httplib::Response& res) {
      reply_json(res, 404, {{"error", "fault injection is disabled"}, {"degraded", false}});
    });
  });
  HookClient client(options_for(server));
  try {
    client.click("nope");
    ADD_FAILURE() << "expected HookProtocolError";
  } catch (const HookProtocolError& e) {
    EXPECT_EQ(e.status(), 404);
    EXPECT_EQ(e.app_message(), "unknown widget id 'nope'");
    EXPECT_TRUE(contains(e.what(), "HTTP 404, app says: \"unknown widget id 'nope'\"")) << e.what();
  }
  std::string msg = message_of<HookProtocolError>([&] { client.set("name", 1); });
  EXPECT_TRUE(contains(msg, "HTTP 500, app says: \"Internal Server Error\"")) << msg;
  msg = message_of<HookProtocolError>([&] { client.inject_fault("assert"); });
  EXPECT_TRUE(contains(msg, "fault injection enabled?")) << msg;
}

TEST(HookClient, ConnectionRefusedIsUnreachableAndFast) {
  int dead_port;
  {
    FakeHookServer server([](httplib::Server&, FakeHookServer&) {});
    dead_port = server.port();
  }
  HookClientOptions opts;
  opts.port = dead_port;
  HookClient client(opts);
  auto start = Clock::now();
  std::string msg = message_of<HookUnreachable>([&] { client.health(); });
  EXPECT_LT(Clock::now() - start, 1s) << msg;
  EXPECT_TRUE(contains(msg, "GET /health to 127.0.0.1:" + std::to_string(dead_port))) << msg;
  EXPECT_TRUE(contains(msg, "could not connect")) << msg;
  EXPECT_TRUE(contains(msg, "httplib error: Connection")) << msg;
  EXPECT_TRUE(contains(msg, "the AUT is probably dead")) << msg;
}

TEST(HookClient, DrivesAConformingApp) {
  std::mutex mutex;
  json values = {{"project", "untitled"}, {"name", ""}, {"counter", 0}};
  std::string last_fault;
  FakeHookServer server([&](httplib::Server& s, FakeHookServer&) {
    s.Get("/state", [&](const httplib::Request&, httplib::Response& res) {
      std::lock_guard lock(mutex);
      reply_json(res, 200, {{"frame", 1}, {"values", values}});
    });
    s.Get("/value", [&](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex);
      std::string id = req.get_param_value("id");
      if (!values.contains(id)) return reply_json(res, 404, {{"error", "no widget '" + id + "'"}, {"degraded", false}});
      reply_json(res, 200, {{"id", id}, {"value", values[id]}});
    });
    s.Post("/click", [&](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex);
      if (json::parse(req.body).at("id") == "increment") values["counter"] = values["counter"].get<int>() + 1;
      reply_json(res, 200, {{"ok", true}, {"frame", 2}});
    });
    s.Post("/set", [&](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex);
      auto body = json::parse(req.body);
      values[body.at("id").get<std::string>()] = body.at("value");
      reply_json(res, 200, {{"ok", true}, {"frame", 3}});
    });
    s.Post("/debug/fault", [&](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex);
      last_fault = req.body;
      reply_json(res, 202, {{"ok", true}, {"scheduled", "exit"}});
    });
    s.Post("/shutdown", [](const httplib::Request&, httplib::Response& res) { reply_json(res, 202, {{"ok", true}}); });
  });
  HookClient client(options_for(server));
  client.click("increment");
  client.click("increment");
  client.set("name", "a b&c=d/é");
  EXPECT_EQ(client.value("counter"), 2);
  EXPECT_EQ(client.value("name"), "a b&c=d/é");
  EXPECT_EQ(client.state()["values"]["counter"], 2);
  std::string msg = message_of<HookProtocolError>([&] { client.value("we?ird id&x=1"); });
  EXPECT_TRUE(contains(msg, "no widget 'we?ird id&x=1'")) << msg << " (the id must arrive percent-decoded)";
  client.inject_fault("exit", {{"code", 4}});
  EXPECT_EQ(json::parse(last_fault), (json{{"kind", "exit"}, {"code", 4}}));
  client.shutdown();
}

TEST(HookClient, Screenshot) {
  Switch mode;
  const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + "rest-of-image";
  FakeHookServer server([&](httplib::Server& s, FakeHookServer&) {
    s.Get("/screenshot", [&](const httplib::Request&, httplib::Response& res) {
      std::string m = mode.get();
      if (m == "png") return res.set_content(png, "image/png");
      if (m == "html") return res.set_content("<html/>", "text/html");
      reply_json(res, 501, {{"error", "screenshots need a window; the app runs headless"}, {"degraded", false}});
    });
  });
  test_support::TempDir dir("hookclient");
  HookClient client(options_for(server));
  mode.set("png");
  client.screenshot(dir / "shot.png");
  std::ifstream in(dir / "shot.png", std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), png);
  mode.set("html");
  std::string msg = message_of<HookBadResponse>([&] { client.screenshot(dir / "bad.png"); });
  EXPECT_TRUE(contains(msg, "expected a PNG image, got Content-Type \"text/html\"")) << msg;
  mode.set("none");
  try {
    client.screenshot(dir / "none.png");
    ADD_FAILURE() << "expected HookProtocolError";
  } catch (const HookProtocolError& e) {
    EXPECT_EQ(e.status(), 501);
    EXPECT_TRUE(contains(e.what(), "headless")) << e.what();
  }
}

}  // namespace
}  // namespace livegui
