#pragma once
// Work that must run on the app's GUI thread. The server thread posts an
// action and waits (bounded) for the GUI thread to run it at its next frame;
// when the main loop is stopped or stalls, the wait ends early and the action
// is cancelled, so it never runs later behind the client's back.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "hookserver/heartbeat.hpp"

namespace livegui {

/// Thrown by an action to report a failure of app logic with an HTTP status
/// (404 unknown widget, 409 widget disabled, 503 app-level degradation).
class ActionError : public std::runtime_error {
 public:
  ActionError(int status, const std::string& message, bool degraded = false)
      : std::runtime_error(message), status_(status), degraded_(degraded) {}
  int status() const { return status_; }
  bool degraded() const { return degraded_; }

 private:
  int status_;
  bool degraded_;
};

/// The outcome of one posted action, as the HTTP layer turns it into a reply.
struct ActionOutcome {
  int status = 200;
  nlohmann::json body;      ///< {"ok":true,"frame":N,…} or {"error":…, "degraded":…}
  std::string binary;       ///< non-JSON payload (a PNG), when the action returns one
};

class ActionQueue {
 public:
  using Action = std::function<nlohmann::json()>;
  using BinaryAction = std::function<std::string()>;

  explicit ActionQueue(Heartbeat& heartbeat) : heartbeat_(heartbeat) {}

  /// Server thread: runs `action` on the GUI thread and waits at most
  /// `timeout`; ends early with 503 when the loop stops or stalls.
  ActionOutcome run(Action action, std::chrono::milliseconds timeout);
  /// Same for an action producing bytes (screenshots). Empty bytes = 501.
  ActionOutcome run_binary(BinaryAction action, std::chrono::milliseconds timeout);

  /// GUI thread: runs every queued action, then `before_replies` (e.g. to
  /// publish the state the actions changed), then releases the waiting
  /// replies — so a client reading state right after its action sees it.
  /// Returns how many ran.
  int drain(const std::function<void()>& before_replies = {});
  /// GUI thread: waits until an action is queued or `max_wait` passes (frame
  /// pacing that still answers actions at once). True when work is queued.
  bool wait_for_work(std::chrono::milliseconds max_wait);
  /// Wakes wait_for_work (e.g. on shutdown).
  void wake();
  /// Fails every pending action with 503 (the loop will not drain again).
  void fail_pending(const std::string& why);

 private:
  struct Pending;
  ActionOutcome wait(const std::shared_ptr<Pending>& pending, std::chrono::milliseconds timeout);
  ActionOutcome execute(Pending& pending);
  std::string degraded_message() const;

  Heartbeat& heartbeat_;
  std::mutex mutex_;
  std::condition_variable work_cv_;
  std::deque<std::shared_ptr<Pending>> queue_;
};

}  // namespace livegui
