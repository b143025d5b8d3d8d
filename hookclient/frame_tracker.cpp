#include "hookclient/frame_tracker.hpp"

#include <algorithm>

namespace livegui {

void FrameTracker::observe(pid_t pid, std::int64_t frame, std::chrono::milliseconds server_age, Clock::time_point now,
                           bool busy) {
  if (!seen_ || pid != pid_ || frame != frame_ || busy) {
    // A new frame, a new process, or a loop busy on an action: either way
    // the loop is alive now.
    changed_at_ = now;
  }
  seen_ = true;
  pid_ = pid;
  frame_ = frame;
  observed_at_ = now;
  server_age_ = busy ? std::chrono::milliseconds(0) : server_age;
}

std::chrono::milliseconds FrameTracker::frame_age(Clock::time_point now) const {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  if (!seen_) return milliseconds(0);
  auto client_side = duration_cast<milliseconds>(now - changed_at_);
  auto server_side = server_age_ + duration_cast<milliseconds>(now - observed_at_);
  return std::max(client_side, server_side);
}

}  // namespace livegui
