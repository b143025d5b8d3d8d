#pragma once
// One kept-alive HTTP connection to a hook server, used by one thread at a
// time (a mutex serialises requests). Every request is bounded: explicit
// connect/read/write timeouts (never httplib's 300 s defaults), a cap on the
// body size, and a cap on the total time spent receiving one reply, so a server
// that trickles bytes forever cannot hang the caller either.

#include <atomic>
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

  /// Sends one request and returns the reply, whatever its status. `read_bound`
  /// is this request's read timeout (the connect timeout is at most that too).
  /// Blocks at most about connect + write + 2 × read_bound (3 × for an
  /// idempotent GET retried after a stale kept-alive connection). Throws
  /// HookUnreachable when no reply arrived: Reason::NoReply when none came
  /// within the bound (or the connect timed out), ConnectionFailed when
  /// refused, reset or closed (or abandoned by abandon()); HookBadResponse when
  /// the reply is larger than max_body_bytes.
  HttpReply send(const std::string& method, const std::string& path, const std::string& json_body,
                 std::chrono::milliseconds read_bound);

  /// Arms abandon(): call before handing a send() to another thread.
  void arm();
  /// From another thread: makes a send() in progress (or about to start,
  /// after arm()) fail at once with HookUnreachable (its connection is shut
  /// down; the next send() opens a new one). Never blocks; call it again if the
  /// send has not ended, as one that was still connecting may miss it.
  void abandon();

  /// "127.0.0.1:4123", for messages.
  const std::string& endpoint() const { return endpoint_; }

 private:
  struct Attempt;
  Attempt attempt(const std::string& method, const std::string& path, const std::string& json_body,
                  std::chrono::milliseconds read_bound);

  HookClientOptions options_;
  std::string endpoint_;
  std::mutex mutex_;  ///< guards client_: one request at a time on the one connection
  std::unique_ptr<httplib::Client> client_;
  std::atomic<bool> abandoned_{false};
};

}  // namespace livegui
