#include "common/backoff.hpp"

#include <poll.h>

#include <algorithm>
#include <cassert>
#include <ctime>

namespace livegui {

Backoff::Backoff(std::chrono::microseconds first, std::chrono::microseconds cap) : current_(first), cap_(cap) {
  assert(first.count() > 0 && first <= cap);
}

std::chrono::microseconds Backoff::next() {
  auto pause = current_;
  current_ = std::min(current_ * 2, cap_);
  return pause;
}

bool Backoff::pause_until(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
  if (left.count() <= 0) return false;
  auto pause = std::min(next(), left);
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(pause);
  timespec ts{static_cast<time_t>(secs.count()),
              static_cast<long>(std::chrono::duration_cast<std::chrono::nanoseconds>(pause - secs).count())};
  ::ppoll(nullptr, 0, &ts, nullptr);
  return true;
}

bool poll_until(const std::function<bool()>& condition, Backoff::Clock::time_point deadline, Backoff backoff) {
  for (;;) {
    if (condition()) return true;
    if (!backoff.pause_until(deadline)) return condition();
  }
}

bool poll_for(const std::function<bool()>& condition, std::chrono::nanoseconds timeout, Backoff backoff) {
  return poll_until(condition, Backoff::Clock::now() + std::chrono::duration_cast<Backoff::Clock::duration>(timeout),
                    backoff);
}

}  // namespace livegui
