#include "tests/hookclient/fake_hook_server.hpp"

#include <stdexcept>

namespace livegui::test_support {

FakeHookServer::FakeHookServer(const std::function<void(httplib::Server&, FakeHookServer&)>& routes) {
  server_.set_tcp_nodelay(true);
  // Short keep-alive so that stopping never waits long on an idle connection.
  server_.set_keep_alive_timeout(1);
  server_.set_read_timeout(std::chrono::seconds(2));
  server_.set_write_timeout(std::chrono::seconds(2));
  routes(server_, *this);
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("fake hook server: cannot bind 127.0.0.1:0");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  // The socket already listens (connections queue up); wait until the accept
  // loop runs so that stop() is never lost on a loop that has not started.
  std::unique_lock lock(mutex_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::chrono::milliseconds step{1};
  while (!server_.is_running() && std::chrono::steady_clock::now() < deadline) {
    cv_.wait_for(lock, step);
    step = std::min(step * 2, std::chrono::milliseconds(20));
  }
  if (!server_.is_running()) throw std::runtime_error("fake hook server: accept loop did not start within 5 s");
}

FakeHookServer::~FakeHookServer() { stop(); }

void FakeHookServer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

bool FakeHookServer::stall(std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  return !cv_.wait_for(lock, d, [this] { return stopping_; });
}

nlohmann::json health_json(std::int64_t frame, std::int64_t age_ms, const std::string& status,
                           std::vector<std::string> reasons, int pid) {
  return {{"protocol_version", 1},
          {"app", "fake"},
          {"status", status},
          {"pid", pid},
          {"frame", frame},
          {"last_frame_age_ms", age_ms},
          {"reasons", std::move(reasons)}};
}

void reply_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_header("X-Livegui-Protocol", "1");
  res.set_content(body.dump(), "application/json");
}

}  // namespace livegui::test_support
