#include "hookserver/heartbeat.hpp"

namespace livegui {

Heartbeat::Heartbeat(std::chrono::milliseconds stall_threshold)
    : stall_threshold_(stall_threshold), last_beat_(Clock::now().time_since_epoch().count()) {}

void Heartbeat::beat() {
  last_beat_.store(Clock::now().time_since_epoch().count(), std::memory_order_release);
  frame_.fetch_add(1, std::memory_order_acq_rel);
}

std::chrono::milliseconds Heartbeat::age() const {
  auto last = Clock::time_point(Clock::duration(last_beat_.load(std::memory_order_acquire)));
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - last);
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
  auto stale = age();
  if (!loop_stopped() && stale > stall_threshold_) {
    out.push_back("main loop stalled: no frame for " + std::to_string(stale.count()) + " ms (last frame " +
                  std::to_string(frame()) + ")");
  }
  return out;
}

}  // namespace livegui
