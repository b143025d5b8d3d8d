#include "harness/health_rules.hpp"

#include <algorithm>

namespace livegui {

std::vector<std::string> heartbeat_reasons(const HealthReading& h, std::chrono::milliseconds threshold,
                                           HeartbeatMemory& memory, std::chrono::steady_clock::time_point now) {
  std::vector<std::string> reasons;
  if (!h.ok) {
    reasons = h.reasons;
    if (reasons.empty()) reasons.push_back("the app reports status degraded");
  } else if (h.busy_ms > 0) {
    // Its GUI thread is executing a queued action: busy, not stalled (the
    // app's own status turns degraded when one action runs too long).
  } else if (h.last_frame_age_ms > threshold.count()) {
    reasons.push_back("heartbeat stalled: no frame for " + std::to_string(h.last_frame_age_ms) + " ms (last frame " +
                      std::to_string(h.frame) + ")");
  } else if (memory.frame == h.frame && now - memory.seen_at > threshold) {
    // The app's own age says fresh, but the frame did not move between our checks.
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - memory.seen_at).count();
    reasons.push_back("heartbeat stalled: frame " + std::to_string(h.frame) + " did not advance in " +
                      std::to_string(ms) + " ms");
  }
  if (h.frame != memory.frame || h.busy_ms > 0) {
    memory.frame = h.frame;
    memory.seen_at =
        h.busy_ms > 0 ? now : now - std::chrono::milliseconds(std::max<std::int64_t>(0, h.last_frame_age_ms));
  }
  return reasons;
}

}  // namespace livegui
