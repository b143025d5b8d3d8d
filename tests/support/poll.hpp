#pragma once
// Waiting in a test for something another thread or process does: observe
// with a bound, never sleep a fixed time (common/backoff.hpp's back-off).

#include <chrono>
#include <functional>

#include "common/backoff.hpp"

namespace livegui::test_support {

/// Polls `condition` (1 ms back-off doubling to livegui's cap) until it holds
/// or `timeout` passes; true when it held. Blocks the calling thread.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::nanoseconds timeout = std::chrono::seconds(10)) {
  return livegui::poll_for(condition, timeout);
}

}  // namespace livegui::test_support
