#pragma once
// A tiny in-test hook server: httplib on 127.0.0.1, port 0, NODELAY, its own
// thread, stopped (bounded) in the destructor. Each test registers the routes
// it needs, misbehaving in whatever way it is testing.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace livegui::test_support {

class FakeHookServer {
 public:
  /// Registers routes through `routes`, binds, and starts serving.
  explicit FakeHookServer(const std::function<void(httplib::Server&, FakeHookServer&)>& routes);
  ~FakeHookServer();
  FakeHookServer(const FakeHookServer&) = delete;
  FakeHookServer& operator=(const FakeHookServer&) = delete;

  int port() const { return port_; }

  /// Stops serving now (connections are refused afterwards). Idempotent.
  void stop();

  /// For handlers that stall: waits up to `d`, returning early (false) when
  /// the server is being stopped, so a slow handler never holds up a test.
  bool stall(std::chrono::milliseconds d);

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

/// A protocol-conforming health object.
nlohmann::json health_json(std::int64_t frame, std::int64_t age_ms = 0, const std::string& status = "ok",
                           std::vector<std::string> reasons = {}, int pid = 4121);

/// Sets `res` to the JSON `body` with X-Livegui-Protocol: 1.
void reply_json(httplib::Response& res, int status, const nlohmann::json& body);

}  // namespace livegui::test_support
