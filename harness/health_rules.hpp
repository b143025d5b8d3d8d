#pragma once
// The heartbeat rules: when one /health reading means the AUT is degraded.
// Pure functions of the reading, the threshold and what the previous check
// saw, so every rule is tested without a process (tests/harness/health_rules_test.cpp).
// The protocol side of these rules: docs/hook-protocol.md, "GET /health".

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/launcher.hpp"

namespace livegui {

/// The frame the previous check saw and since when (steady clock). frame = -1:
/// nothing seen yet (a new AUT).
struct HeartbeatMemory {
  std::int64_t frame = -1;
  std::chrono::steady_clock::time_point seen_at{};
};

/// Why the AUT that answered `reading` at `now` is degraded; empty = healthy.
/// Rules, in order: the app's own status is not "ok" (its reasons, or "the app
/// reports status degraded"); its GUI thread is busy executing a queued action
/// (busy_ms > 0: alive, never stale); its own last-frame age exceeds
/// `threshold`; its frame did not advance between our checks for longer than
/// `threshold` although it claims a fresh frame. Updates `memory` to this
/// reading. Never blocks, never throws.
std::vector<std::string> heartbeat_reasons(const HealthReading& reading, std::chrono::milliseconds threshold,
                                           HeartbeatMemory& memory, std::chrono::steady_clock::time_point now);

}  // namespace livegui
