#pragma once
// A plain HTTP client for protocol tests: no livegui client logic on purpose,
// so these tests check the app against docs/hook-protocol.md directly.

#include <poll.h>

#include <chrono>
#include <memory>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace livegui::testing {

struct Reply {
  int status = 0;  ///< 0: no reply (connection failed)
  nlohmann::json json;
  std::string body;
  std::string content_type;
};

class PlainHttp {
 public:
  explicit PlainHttp(int port, std::string token = {}) : client_("127.0.0.1", port) {
    client_.set_connection_timeout(std::chrono::seconds(2));
    client_.set_read_timeout(std::chrono::seconds(5));
    client_.set_write_timeout(std::chrono::seconds(2));
    if (!token.empty()) client_.set_default_headers({{"X-Livegui-Token", token}});
  }
  Reply get(const std::string& path) { return wrap(client_.Get(path)); }
  Reply post(const std::string& path, const nlohmann::json& body) {
    return wrap(client_.Post(path, body.dump(), "application/json"));
  }

 private:
  static Reply wrap(const httplib::Result& res) {
    Reply r;
    if (!res) return r;
    r.status = res->status;
    r.body = res->body;
    r.content_type = res->get_header_value("Content-Type");
    r.json = nlohmann::json::parse(res->body, nullptr, false);
    return r;
  }
  httplib::Client client_;
};

/// Polls `probe` with short back-off (1 ms doubling to 50 ms) until it holds
/// or `timeout` passes: for conditions in another process that cannot notify us.
template <typename Probe>
bool eventually(Probe probe, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto backoff = std::chrono::milliseconds(1);
  while (!probe()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    ::poll(nullptr, 0, static_cast<int>(backoff.count()));
    backoff = std::min(backoff * 2, std::chrono::milliseconds(50));
  }
  return true;
}

}  // namespace livegui::testing
