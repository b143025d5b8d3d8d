#pragma once
// Fault injection: reproduces the ways a live GUI breaks. Enabled only with
// --enable-faults (or a start-time --fault flag). Faults that concern the main
// loop are scheduled from the hook server thread and fire in the next frame.

#include <sys/types.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

namespace sample_app {

enum class FaultKind { Assert, Crash, Segv, Hang, Exit, IgnoreSigterm, SpawnGrandchild };

std::optional<FaultKind> parse_fault_kind(const std::string& name);
const char* to_string(FaultKind kind);
/// "assert, crash, segv, hang, exit, ignore-sigterm, spawn-grandchild".
std::string fault_kind_list();

/// What an assertion inside a frame throws; the main loop catches it the way
/// a GUI toolkit's loop swallows an exception and stops iterating.
class AssertionFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

#define SAMPLE_ASSERT(cond)                                                                                      \
  do {                                                                                                           \
    if (!(cond))                                                                                                 \
      throw ::sample_app::AssertionFailure(std::string("assertion failed: ") + #cond + " at " + __FILE__ + ":" + \
                                           std::to_string(__LINE__));                                            \
  } while (0)

class FaultInjector {
 public:
  /// Server thread: schedules a main-loop fault for the next frame.
  void schedule(FaultKind kind, int exit_code = 3);
  /// GUI thread: fires the scheduled fault, if any. Assert throws
  /// AssertionFailure; crash/segv/exit end the process; hang never returns.
  void fire_pending();

 private:
  std::mutex mutex_;
  std::optional<FaultKind> pending_;
  int exit_code_ = 3;
};

/// Makes the process ignore SIGTERM from now on.
/// The "hang" fault: blocks the calling (GUI) thread forever. Never inlined,
/// so captured stacks of a stalled sample app show this name.
[[noreturn]] __attribute__((noinline)) void hang_main_loop_forever();
void ignore_sigterm();
/// Forks a child that ignores SIGTERM and sleeps forever — it outlives a kill
/// of our pid alone, but not a kill of our process group. Returns its pid.
pid_t spawn_grandchild();

}  // namespace sample_app
