#pragma once
// Work that must run on the app's GUI thread. The server thread posts an
// action and waits (bounded) for the GUI thread to run it at its next frame.
// Every reply says whether the action ran:
//   - not started yet when the main loop stops or stalls (503) or the bound
//     passes (504): the action is cancelled, so it never runs later behind
//     the client's back;
//   - started: the loop is busy on this request (no stall verdict while it
//     runs), so the reply waits for it — its result (200, 4xx, 500) — for at
//     most the bound again, counted from its start; still running then: 202
//     with "started": true, meaning "it ran (or runs); result unknown".

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
  /// {"ok":true,"frame":N,…}; {"error":…,"degraded":…} (not run, or ran and
  /// failed); for 202 {"ok":false,"started":true,"frame":N,"error":…,"degraded":…}.
  nlohmann::json body;
  std::string binary;  ///< non-JSON payload (a PNG), when the action returns one
};

class ActionQueue {
 public:
  using Action = std::function<nlohmann::json()>;
  using BinaryAction = std::function<std::string()>;

  explicit ActionQueue(Heartbeat& heartbeat) : heartbeat_(heartbeat) {}

  /// Server thread: runs `action` on the GUI thread. Blocks until it ran, or
  /// until `timeout` passes before it started (504, not run), or the loop
  /// stops or stalls before it started (503 at once, not run), or it started
  /// but is still running `timeout` after its start (202 "started": true,
  /// result unknown). So it blocks at most about twice `timeout`.
  ActionOutcome run(Action action, std::chrono::milliseconds timeout);
  /// Same for an action producing bytes (screenshots). Empty bytes = 501.
  ActionOutcome run_binary(BinaryAction action, std::chrono::milliseconds timeout);

  /// GUI thread: runs every queued action that was not cancelled, marking the
  /// heartbeat busy while each runs; after each, calls `before_replies` (e.g.
  /// to publish the state the action changed) and then releases its reply —
  /// so a client reading state right after its action sees it. With nothing
  /// queued, calls `before_replies` once. Returns how many ran.
  int drain(const std::function<void()>& before_replies = {});
  /// GUI thread: waits until an action is queued or `max_wait` passes (frame
  /// pacing that still answers actions at once). True when work is queued.
  bool wait_for_work(std::chrono::milliseconds max_wait);
  /// Wakes wait_for_work (e.g. on shutdown).
  void wake();
  /// Fails every queued, not yet started action with 503 (the loop will not
  /// drain again).
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
