#pragma once
// A bounded, doubling pause between looks at something that nothing signals
// (a process group emptying, a file appearing, a port being announced). Not a
// sleep used as synchronisation: every caller waits for something observable,
// up to a deadline, and the pause only spaces out the looks.

#include <chrono>
#include <functional>

namespace livegui {

class Backoff {
 public:
  using Clock = std::chrono::steady_clock;

  /// Pauses of `first`, 2×`first`, 4×… up to `cap` (both > 0, first ≤ cap).
  explicit Backoff(std::chrono::microseconds first = std::chrono::milliseconds(1),
                   std::chrono::microseconds cap = std::chrono::milliseconds(50));

  /// The pause to take now; the one after it is twice as long (at most the cap).
  std::chrono::microseconds next();

  /// Blocks for min(next(), deadline − now) with ppoll(2) (EINTR ends the pause
  /// early, which is harmless: callers look again). Returns false without
  /// blocking when the deadline has passed.
  bool pause_until(Clock::time_point deadline);

 private:
  std::chrono::microseconds current_;
  std::chrono::microseconds cap_;
};

/// Looks at `condition` until it holds (true) or `deadline` passes (false,
/// after one last look), pausing with `backoff` in between. Blocks at most
/// until the deadline plus one call of `condition`.
bool poll_until(const std::function<bool()>& condition, Backoff::Clock::time_point deadline,
                Backoff backoff = Backoff{});

/// poll_until with a deadline `timeout` from now.
bool poll_for(const std::function<bool()>& condition, std::chrono::nanoseconds timeout, Backoff backoff = Backoff{});

}  // namespace livegui
