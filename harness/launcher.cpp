#include "harness/launcher.hpp"

#include "common/text.hpp"

namespace livegui {

std::string AutExit::describe() const {
  if (!status_known) return "exited (status unknown: not our child)";
  return status.describe();
}

std::string AutExit::brief() const {
  if (!status_known) return "exited";
  if (status.signaled) return signal_name(status.signal);
  return "exit code " + std::to_string(status.code);
}

}  // namespace livegui
