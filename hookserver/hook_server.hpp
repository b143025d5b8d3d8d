#pragma once
// The embeddable side of the hook protocol (docs/hook-protocol.md). An app
// links this, registers its widgets' actions, calls frame() once per main-loop
// iteration, and publishes a state snapshot. HTTP runs on httplib's threads,
// bound to 127.0.0.1 only; actions run on the GUI thread inside frame().
//
//   HookServer server(HookServerOptions::from_env("my_app"));
//   server.on_click("ok", [&] { ok_pressed = true; });
//   server.start();
//   server.on_state([&] { return state_json(); });
//   while (running) { …draw…; server.frame(); if (first) server.announce(); }

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "hookserver/action_queue.hpp"
#include "hookserver/heartbeat.hpp"

namespace httplib {
class Server;
}

namespace livegui {

inline constexpr int kHookProtocolVersion = 1;

struct HookServerOptions {
  std::string app_name = "app";
  int port = 0;           ///< 0 = any free port
  std::string token;      ///< non-empty: X-Livegui-Token required
  std::string port_file;  ///< non-empty: announce() writes the port there
  /// How long an action may wait to start on the GUI thread (then 504, not
  /// run), and how long a started one may run before its reply says 202
  /// "started, result unknown"; also how long one action may keep the loop
  /// busy before the heartbeat counts it as stalled.
  std::chrono::milliseconds action_timeout{2000};
  /// No sign of life from the main loop for longer than this = "stalled".
  std::chrono::milliseconds heartbeat_threshold{1000};
  std::size_t max_body_bytes = 1024 * 1024;
  int threads = 4;

  /// Reads LIVEGUI_HOOK_PORT, LIVEGUI_HOOK_TOKEN, LIVEGUI_HOOK_PORT_FILE.
  /// Throws std::invalid_argument naming the variable when one is malformed.
  static HookServerOptions from_env(std::string app_name);
};

/// The server could not start (port in use, …); what() names host:port.
class HookServerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class HookServer {
 public:
  explicit HookServer(HookServerOptions options);
  /// Stops the server thread. Never throws.
  ~HookServer();
  HookServer(const HookServer&) = delete;
  HookServer& operator=(const HookServer&) = delete;

  // --- Registration: before start(). Handlers run on the GUI thread unless noted.
  void on_click(const std::string& id, std::function<void()> handler);
  void on_set(const std::string& id, std::function<void(const nlohmann::json&)> handler);
  /// Returns PNG bytes, or an empty string when screenshots are impossible now.
  void on_screenshot(std::function<std::string()> handler);
  /// What a fault handler returns: run once the 202 reply has been written,
  /// so a fault that kills the process never races its own reply. Empty: the
  /// handler applied the fault itself.
  using FaultTrigger = std::function<void()>;
  /// Enables POST /debug/fault. Runs on the server thread (it must still
  /// answer when the GUI thread is broken): validates the body (throw
  /// ActionError for a bad one) and returns the trigger. A fault that cannot
  /// kill the app (ignore SIGTERM, spawn a child) is applied by the handler
  /// itself, so it is in effect when the client reads the 202.
  void on_fault(std::function<FaultTrigger(const nlohmann::json&)> handler);
  /// POST /shutdown. Runs on the server thread; should make the main loop exit.
  void on_shutdown(std::function<void()> handler);

  /// Binds 127.0.0.1:<port> and serves on a background thread. Returns the
  /// bound port. Throws HookServerError when binding fails.
  int start();
  /// Writes the port file (when configured), then prints the ready line on
  /// stdout (flushed): a reader of the line finds the file. Call after
  /// start() and after the first frame.
  void announce();
  /// Stops serving; pending actions fail with 503. Idempotent.
  void stop();
  int port() const { return port_; }

  // --- Main loop side.
  /// Advances the heartbeat and runs queued actions. GUI thread only.
  void frame();
  /// Frame pacing: waits until an action arrives or `max_wait` passes.
  bool wait_for_work(std::chrono::milliseconds max_wait) { return actions_.wait_for_work(max_wait); }
  /// The snapshot served by GET /state and /value. Any thread.
  void publish_state(nlohmann::json state);
  /// Registers a GUI-thread function producing the state snapshot; frame()
  /// then publishes it every frame, after the frame's actions ran and before
  /// their replies are sent (a read right after an action sees its effect).
  void on_state(std::function<nlohmann::json()> provider) { state_provider_ = std::move(provider); }
  /// The app knows it is degraded (shown in /health, actions refused).
  void report_problem(std::string reason) { heartbeat_.report_problem(std::move(reason)); }
  /// The main loop has stopped for good (crash handler, assertion). Pending
  /// and later actions fail at once with 503.
  void main_loop_stopped(const std::string& reason);

  const Heartbeat& heartbeat() const { return heartbeat_; }
  /// GET /health body (also used by tests).
  nlohmann::json health_json() const;

 private:
  /// The port file, written atomically (temp + rename); a failure is said on stderr.
  void write_port_file();
  void install_routes();
  void reply_outcome(const ActionOutcome& outcome, void* response) const;

  HookServerOptions options_;
  Heartbeat heartbeat_;
  ActionQueue actions_;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  std::mutex start_mutex_;
  std::condition_variable start_cv_;
  int port_ = 0;

  std::map<std::string, std::function<void()>> clicks_;
  std::map<std::string, std::function<void(const nlohmann::json&)>> sets_;
  std::function<std::string()> screenshot_;
  std::function<FaultTrigger(const nlohmann::json&)> fault_;
  std::function<void()> shutdown_;
  std::function<nlohmann::json()> state_provider_;

  mutable std::mutex state_mutex_;
  nlohmann::json state_ = nlohmann::json::object();
};

/// Compares without early exit, so response timing does not leak the token.
bool constant_time_equals(const std::string& a, const std::string& b);

}  // namespace livegui
