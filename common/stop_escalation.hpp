#pragma once
// Stopping something we own, the one way the project does it: SIGTERM (and
// SIGCONT, as a stopped process cannot act on SIGTERM) → up to `term_grace`
// for it to be gone → SIGKILL → up to `kill_wait` → give up ("stuck") and move
// on. What "it" is (a child's process group, a recorded AUT, a list of
// verified pids) and how "gone" is seen (a pidfd, /proc) is the caller's: the
// target's `signal` must reach only what is provably ours.

#include <chrono>
#include <functional>

namespace livegui {

/// What is being stopped.
struct StopTarget {
  using Clock = std::chrono::steady_clock;
  /// Sends `sig` to what is still (verifiably) ours. False when nothing was
  /// signalled (nothing of ours left, or kill(2) failed).
  std::function<bool(int sig)> signal;
  /// Blocks until nothing of it is left (true) or `deadline` passes (false).
  /// Bounded by the deadline; may reap.
  std::function<bool(Clock::time_point deadline)> wait_gone;
};

enum class StopOutcome {
  NothingToStop,  ///< SIGTERM reached nothing: it was already gone (or not ours)
  Terminated,     ///< gone within the grace after SIGTERM
  Killed,         ///< ignored SIGTERM for the whole grace; gone after SIGKILL
  Stuck,          ///< still there `kill_wait` after SIGKILL (or SIGKILL reached nothing)
};
/// "nothing to stop", "terminated", "killed", "stuck".
const char* to_string(StopOutcome outcome);

/// What escalate_stop() did and found.
struct StopResult {
  StopOutcome outcome = StopOutcome::NothingToStop;
  bool sent_sigkill = false;  ///< SIGKILL reached something
  bool gone() const { return outcome != StopOutcome::Stuck; }
};

/// SIGTERM + SIGCONT → wait_gone(term_grace) → SIGKILL → wait_gone(kill_wait).
/// Blocks at most term_grace + kill_wait (plus what the target's callbacks
/// take beyond their deadlines). Throws only what the callbacks throw.
StopResult escalate_stop(const StopTarget& target, std::chrono::milliseconds term_grace,
                         std::chrono::milliseconds kill_wait);

}  // namespace livegui
