#pragma once
// A plain HTTP client for protocol tests: no livegui client logic on purpose,
// so these tests check the app against docs/hook-protocol.md directly.

#include <chrono>
#include <memory>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/support/poll.hpp"

namespace livegui::test_support {

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

}  // namespace livegui::test_support
