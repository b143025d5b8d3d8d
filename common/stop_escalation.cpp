#include "common/stop_escalation.hpp"

#include <csignal>

namespace livegui {

const char* to_string(StopOutcome outcome) {
  switch (outcome) {
    case StopOutcome::NothingToStop: return "nothing to stop";
    case StopOutcome::Terminated: return "terminated";
    case StopOutcome::Killed: return "killed";
    case StopOutcome::Stuck: return "stuck";
  }
  return "?";
}

StopResult escalate_stop(const StopTarget& target, std::chrono::milliseconds term_grace,
                         std::chrono::milliseconds kill_wait) {
  using Clock = StopTarget::Clock;
  StopResult result;
  if (!target.signal(SIGTERM)) return result;
  target.signal(SIGCONT);
  if (target.wait_gone(Clock::now() + term_grace)) {
    result.outcome = StopOutcome::Terminated;
    return result;
  }
  // A SIGKILL that reaches nothing still gets its wait: what we could no
  // longer signal may be on its way out.
  result.sent_sigkill = target.signal(SIGKILL);
  result.outcome = target.wait_gone(Clock::now() + kill_wait) ? StopOutcome::Killed : StopOutcome::Stuck;
  return result;
}

}  // namespace livegui
