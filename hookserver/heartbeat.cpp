#include "hookserver/heartbeat.hpp"

namespace livegui {

Heartbeat::Heartbeat(std::chrono::milliseconds stall_threshold, std::chrono::milliseconds busy_allowance)
    : stall_threshold_(stall_threshold), busy_allowance_(busy_allowance), last_alive_(now_rep()) {}

std::chrono::milliseconds Heartbeat::since(Clock::rep then) {
  auto t = Clock::time_point(Clock::duration(then));
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t);
}

void Heartbeat::beat() {
  last_alive_.store(now_rep(), std::memory_order_release);
  frame_.fetch_add(1, std::memory_order_acq_rel);
}

std::chrono::milliseconds Heartbeat::age() const { return since(last_alive_.load(std::memory_order_acquire)); }

void Heartbeat::begin_action() {
  Clock::rep now = now_rep();
  busy_since_.store(now == 0 ? 1 : now, std::memory_order_release);
}

void Heartbeat::end_action() {
  // The end of an action is a sign of life: the loop came back from it.
  last_alive_.store(now_rep(), std::memory_order_release);
  busy_since_.store(0, std::memory_order_release);
}

std::chrono::milliseconds Heartbeat::busy_for() const {
  Clock::rep since_rep = busy_since_.load(std::memory_order_acquire);
  return since_rep == 0 ? std::chrono::milliseconds(0) : since(since_rep);
}

void Heartbeat::report_problem(std::string reason) {
  std::lock_guard lock(mutex_);
  for (const auto& p : problems_)
    if (p == reason) return;
  problems_.push_back(std::move(reason));
}

void Heartbeat::clear_problems() {
  std::lock_guard lock(mutex_);
  problems_.clear();
}

void Heartbeat::mark_loop_stopped(std::string reason) {
  loop_stopped_.store(true, std::memory_order_release);
  report_problem("main loop not running: " + std::move(reason));
}

std::vector<std::string> Heartbeat::reasons() const {
  std::vector<std::string> out;
  {
    std::lock_guard lock(mutex_);
    out = problems_;
  }
  if (loop_stopped()) return out;
  Clock::rep busy_rep = busy_since_.load(std::memory_order_acquire);
  if (busy_rep != 0) {
    // The GUI thread is inside a client's action: busy, not stalled — unless
    // that action has outlasted the server's bound for it.
    auto busy = since(busy_rep);
    if (busy > busy_allowance_)
      out.push_back("main loop stalled: inside one queued action for " + std::to_string(busy.count()) +
                    " ms (allowed: " + std::to_string(busy_allowance_.count()) + " ms; last frame " +
                    std::to_string(frame()) + ")");
    return out;
  }
  auto stale = age();
  if (stale > stall_threshold_) {
    out.push_back("main loop stalled: no frame for " + std::to_string(stale.count()) + " ms (last frame " +
                  std::to_string(frame()) + ")");
  }
  return out;
}

}  // namespace livegui
