#pragma once
// Client-side heartbeat: remembers when the AUT's frame counter last changed,
// as seen by this client. Apps that do not know they are broken keep saying
// "ok"; a frame counter that stops moving is what gives them away.

#include <sys/types.h>

#include <chrono>
#include <cstdint>

namespace livegui {

class FrameTracker {
 public:
  using Clock = std::chrono::steady_clock;

  /// Records one observation. A different pid or a frame that went backwards
  /// is another process: tracking starts over. `busy`: the app's GUI thread
  /// is executing a queued action (within the app's own bound) — as good a
  /// sign of life as a new frame.
  void observe(pid_t pid, std::int64_t frame, std::chrono::milliseconds server_age, Clock::time_point now,
               bool busy = false);

  /// How long the frame has not advanced: the longer of what this client saw
  /// (since the last change it observed) and what the server reported in the
  /// last observation (plus the time since that observation).
  std::chrono::milliseconds frame_age(Clock::time_point now) const;

  bool seen() const { return seen_; }
  pid_t pid() const { return pid_; }
  std::int64_t frame() const { return frame_; }

 private:
  bool seen_ = false;
  pid_t pid_ = 0;
  std::int64_t frame_ = -1;
  Clock::time_point changed_at_{};   ///< when this client first saw `frame_`
  Clock::time_point observed_at_{};  ///< the last observation
  std::chrono::milliseconds server_age_{0};
};

}  // namespace livegui
