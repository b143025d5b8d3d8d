#pragma once
// The app's vital signs as the hook server reports them: a frame counter that
// only the main loop advances, the time it last showed it is alive, whether
// it is executing a queued action right now, and the problems the app itself
// knows about. Thread-safe; frame() is cheap (two atomics).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace livegui {

class Heartbeat {
 public:
  using Clock = std::chrono::steady_clock;

  /// `stall_threshold`: no sign of life for longer than this is a stall.
  /// `busy_allowance`: how long one queued action may run on the GUI thread
  /// before the loop counts as stalled inside it (the server's action bound).
  explicit Heartbeat(std::chrono::milliseconds stall_threshold,
                     std::chrono::milliseconds busy_allowance = std::chrono::milliseconds(2000));

  /// Called by the main loop once per iteration.
  void beat();
  std::int64_t frame() const { return frame_.load(std::memory_order_acquire); }
  /// Time since the main loop last showed it is alive: its last beat, or the
  /// end of the last queued action it ran (since construction before both).
  std::chrono::milliseconds age() const;

  /// GUI thread, around one queued action: while it runs the loop is busy on
  /// a client's request, not stalled (up to the busy allowance); its end is
  /// a sign of life. Use BusyScope rather than calling these directly.
  void begin_action();
  void end_action();
  /// How long the GUI thread has been executing the current queued action;
  /// zero when it executes none.
  std::chrono::milliseconds busy_for() const;
  /// Marks the calling scope as "executing a queued action" (GUI thread).
  class BusyScope {
   public:
    explicit BusyScope(Heartbeat& hb) : hb_(hb) { hb_.begin_action(); }
    ~BusyScope() { hb_.end_action(); }
    BusyScope(const BusyScope&) = delete;
    BusyScope& operator=(const BusyScope&) = delete;

   private:
    Heartbeat& hb_;
  };

  /// The app reports a problem it knows about (degrades health until cleared).
  void report_problem(std::string reason);
  void clear_problems();
  /// The main loop will not beat again (it stopped on purpose or by failure).
  void mark_loop_stopped(std::string reason);
  bool loop_stopped() const { return loop_stopped_.load(std::memory_order_acquire); }

  /// Why the app cannot serve right now; empty when healthy. Includes a stall
  /// reason when the loop showed no sign of life for longer than the
  /// threshold, or has been inside one queued action for longer than the
  /// busy allowance. Never a stall while a queued action runs within it.
  std::vector<std::string> reasons() const;
  bool degraded() const { return !reasons().empty(); }
  std::chrono::milliseconds stall_threshold() const { return stall_threshold_; }
  std::chrono::milliseconds busy_allowance() const { return busy_allowance_; }

 private:
  static Clock::rep now_rep() { return Clock::now().time_since_epoch().count(); }
  static std::chrono::milliseconds since(Clock::rep then);

  const std::chrono::milliseconds stall_threshold_;
  const std::chrono::milliseconds busy_allowance_;
  std::atomic<std::int64_t> frame_{0};
  std::atomic<Clock::rep> last_alive_;
  std::atomic<Clock::rep> busy_since_{0};  ///< 0 = not executing a queued action
  std::atomic<bool> loop_stopped_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> problems_;
};

}  // namespace livegui
