#pragma once
// One kept-alive HTTP connection to a hook server, used by one thread at a
// time (a mutex serialises requests). Every request is bounded: explicit
// connect/read/write timeouts (never httplib's 300 s defaults), a cap on the
// body size, and a cap on the total time spent receiving one reply, so a server
// that trickles bytes forever cannot hang the caller either.

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "hookclient/hook_client.hpp"

namespace httplib {
class Client;
}

namespace livegui {

struct HttpReply {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string protocol_header;  ///< X-Livegui-Protocol, empty when absent
};

class HttpTransport {
 public:
  explicit HttpTransport(const HookClientOptions& options);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  /// Sends one request and returns the reply, whatever its status. Blocks at
  /// most about connect + write + 2 × read timeout (3 × for an idempotent GET
  /// retried after a stale kept-alive connection). Throws HookUnreachable when
  /// no reply arrived (refused, reset, timed out) and HookBadResponse when the
  /// reply is larger than max_body_bytes.
  HttpReply send(const std::string& method, const std::string& path, const std::string& json_body = {});

  /// "127.0.0.1:4123", for messages.
  const std::string& endpoint() const { return endpoint_; }

 private:
  struct Attempt;
  Attempt attempt(const std::string& method, const std::string& path, const std::string& json_body);

  HookClientOptions options_;
  std::string endpoint_;
  std::mutex mutex_;  ///< guards client_: one request at a time on the one connection
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace livegui
