#pragma once
// The app's vital signs as the hook server reports them: a frame counter that
// only the main loop advances, the time it last advanced, and the problems
// the app itself knows about. Thread-safe; frame() is cheap (two atomics).

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

  explicit Heartbeat(std::chrono::milliseconds stall_threshold);

  /// Called by the main loop once per iteration.
  void beat();
  std::int64_t frame() const { return frame_.load(std::memory_order_acquire); }
  /// Time since the last beat (since construction before the first).
  std::chrono::milliseconds age() const;

  /// The app reports a problem it knows about (degrades health until cleared).
  void report_problem(std::string reason);
  void clear_problems();
  /// The main loop will not beat again (it stopped on purpose or by failure).
  void mark_loop_stopped(std::string reason);
  bool loop_stopped() const { return loop_stopped_.load(std::memory_order_acquire); }

  /// Why the app cannot serve right now; empty when healthy. Includes a stall
  /// reason when the last beat is older than the threshold.
  std::vector<std::string> reasons() const;
  bool degraded() const { return !reasons().empty(); }
  std::chrono::milliseconds stall_threshold() const { return stall_threshold_; }

 private:
  const std::chrono::milliseconds stall_threshold_;
  std::atomic<std::int64_t> frame_{0};
  std::atomic<Clock::rep> last_beat_;
  std::atomic<bool> loop_stopped_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> problems_;
};

}  // namespace livegui
