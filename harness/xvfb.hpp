#pragma once
// A private X server for windowed AUTs: Xvfb on a free display chosen by the
// server itself (-displayfd, no guessing, no races), in its own process group,
// stopped like every other child (SIGTERM → grace → SIGKILL).

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

#include "common/x_display_files.hpp"
#include "harness/subprocess.hpp"

namespace livegui {

/// Xvfb is missing, exited, or did not report a display in time.
class XvfbError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct XvfbOptions {
  std::filesystem::path executable = "Xvfb";  ///< looked up in PATH when not absolute
  std::string screen = "1280x720x24";         ///< -screen 0 <screen>
  std::chrono::milliseconds start_timeout{10000};
  std::filesystem::path log_file;  ///< Xvfb's stdout/stderr; empty: /dev/null
  std::chrono::milliseconds term_grace{1000};
  std::chrono::milliseconds kill_wait{2000};
};

class XvfbServer {
 public:
  /// Starts Xvfb and blocks (bounded by start_timeout) until it has written
  /// its display number. Throws XvfbError naming the executable and why.
  static XvfbServer start(const XvfbOptions& options);

  XvfbServer() = default;
  XvfbServer(XvfbServer&&) noexcept = default;
  XvfbServer& operator=(XvfbServer&&) noexcept = default;
  /// Stops the server (stop(): bounded, never throws).
  ~XvfbServer();

  /// ":42"; empty when not started.
  const std::string& display() const { return display_; }
  int display_number() const { return number_; }
  pid_t pid() const { return process_.pid(); }
  /// /proc/<pid>/stat field 22 of the server process (0 when not started).
  std::uint64_t start_time() const { return process_.start_time(); }
  /// Its display's socket file as identified once it was ready; nullopt when
  /// not started or when none could be identified.
  const std::optional<XDisplaySocket>& socket() const { return socket_; }
  bool valid() const { return process_.valid(); }
  /// True while the server process runs.
  bool running();
  /// Starts a new server (new display) when this one died. True when it restarted.
  bool ensure_running();
  /// SIGTERM → grace → SIGKILL to the server's group; bounded, never throws.
  /// When it ended without removing its display's socket (and lock) —
  /// SIGKILLed, by this escalation or by someone before — removes them: only
  /// the socket file it listened on, while nobody does, and a lock naming its
  /// pid (remove_dead_x_server_files).
  StopReport stop();

  /// Is an Xvfb executable available (PATH lookup)?
  static bool available(const std::filesystem::path& executable = "Xvfb");

 private:
  XvfbOptions options_;
  Subprocess process_;
  std::string display_;
  int number_ = -1;
  std::optional<XDisplaySocket> socket_;  ///< its display's socket file, identified once it was ready
};

}  // namespace livegui
