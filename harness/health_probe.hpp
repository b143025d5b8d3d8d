#pragma once
// GET /health for the per-test check, purpose-built for speed: one kept-alive
// loopback connection, the request prebuilt and sent in one send(), the reply
// read straight off a blocking socket (usually one recv()), decoded by the
// hook client's own parser. About 3 syscalls per check where a general HTTP
// client needs 10 (issue 13). Used by SubprocessLauncher on the hot path; the
// rest of the protocol stays with HookClient.

#include <chrono>
#include <cstddef>
#include <string>

#include "hookclient/hook_client.hpp"

namespace livegui {

struct HealthProbeOptions {
  int port = 0;       ///< on 127.0.0.1
  std::string token;  ///< sent as X-Livegui-Token when non-empty
  std::chrono::milliseconds connect_timeout{500};
  /// Bound on each wait for reply bytes; the whole reply gets at most about three times this.
  std::chrono::milliseconds read_timeout{1000};
  std::size_t max_reply_bytes = 1024 * 1024;  ///< a /health reply is a few hundred bytes
};

/// One connection to one hook server, used by one thread at a time (not
/// thread-safe). Move-only.
class HealthProbe {
 public:
  explicit HealthProbe(HealthProbeOptions options);
  ~HealthProbe();  ///< closes the connection
  HealthProbe(HealthProbe&& other) noexcept;
  HealthProbe& operator=(HealthProbe&& other) noexcept;
  HealthProbe(const HealthProbe&) = delete;
  HealthProbe& operator=(const HealthProbe&) = delete;

  /// GET /health, the reply decoded: 200 and 503 both return a Health (ok is
  /// false for 503). Connects on first use and reconnects once when a kept
  /// connection turns out closed by the server. Blocks at most about
  /// connect_timeout + 3 × read_timeout (a quick reconnect adds one more try).
  /// Throws HookUnreachable (refused, reset, timed out), HookProtocolError
  /// (another HTTP status), HookBadResponse (not HTTP, too large, not a
  /// /health body); after any throw the connection is closed.
  Health get();

  /// Closes the connection (the next get() opens a new one). Never throws.
  void close();

  /// True while a connection is kept open.
  bool connected() const { return fd_ >= 0; }

  /// "127.0.0.1:4123", for messages.
  const std::string& endpoint() const { return endpoint_; }

 private:
  struct Reply {
    int status = 0;
    std::string body;
    bool keep_alive = true;
  };
  /// One exchange on the current connection (opening one when none).
  /// `reused`: set when the connection was already open before this call.
  Reply exchange(bool& reused, bool& nothing_received);
  void connect_now();
  [[noreturn]] void fail_unreachable(const std::string& why);

  HealthProbeOptions options_;
  std::string endpoint_;
  std::string request_;  ///< the whole request, built once
  int fd_ = -1;
};

}  // namespace livegui
