#pragma once
// The plan's `retry = { on = ["crash", "timeout", "degraded"], max = 1 }`
// (tier or entry): which failures are run again, and how often. Only
// failures caused by the infrastructure are meant to be retried; a plain
// assertion failure ("fail") is retried only when listed.

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace livegui::batch {

/// Why a failed test (or command entry) may be run again.
enum class RetryOn {
  Crash,     ///< the test binary was killed by a signal during it
  Timeout,   ///< it ran out of time (entry timeout, or test_timeout) and was stopped
  Degraded,  ///< the AUT died or degraded during it (state file), and it failed
  Fail,      ///< an assertion failure on a healthy AUT
};

/// "crash", "timeout", "degraded", "fail".
const char* to_string(RetryOn on);
/// Inverse of to_string(); std::nullopt for anything else.
std::optional<RetryOn> retry_on_from_string(std::string_view text);

struct RetryPolicy {
  std::set<RetryOn> on;
  int max = 0;  ///< further runs of one test at most (0 = never retried)
  bool active() const { return max > 0 && !on.empty(); }
  bool allows(RetryOn why) const { return active() && on.count(why) > 0; }
};

}  // namespace livegui::batch
