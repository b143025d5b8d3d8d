#pragma once
// Hang forensics on the batcher's side: before a timed-out entry is stopped,
// every thread's stack of its test binary and of the AUT it drives (when the
// state file records one alive and ours), into the entry's artifact
// directory; and the stacks file a test's own failure message names (the
// harness adds "; stacks: <path>" to a *subprocess degraded* message).

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>

namespace livegui::batch {

class UnitRun;

/// "…; stacks: /path/stacks-1.txt; …" → "/path/stacks-1.txt"; "" when none.
std::string stacks_in_message(const std::string& message);

struct HangStacks {
  /// python-stacks-<pid>.txt: every thread's Python frames of a pytest entry
  /// (python_stacks.hpp; "" = not a pytest entry, or not captured)
  std::filesystem::path python;
  std::filesystem::path binary;  ///< stacks-<pid>.txt of the test binary ("" = not captured)
  std::filesystem::path aut;     ///< … of the AUT, when one was recorded alive
  bool aut_stalled = false;      ///< the state file recorded the AUT degraded
  std::chrono::nanoseconds took{0};
};

/// Captures them (each bounded by `budget`); never throws. `python_stacks`
/// (a pytest entry's LIVEGUI_PYTHON_STACKS_FILE; "" = none): the Python
/// frames are asked for first (capture_python_stacks, the pytest process
/// in the group `binary_pid` leads), before a debugger stops the process.
HangStacks capture_hang_stacks(pid_t binary_pid, const std::filesystem::path& artifact_dir,
                               const std::filesystem::path& state_file, std::chrono::milliseconds budget,
                               const std::filesystem::path& python_stacks = {});

/// Names every captured file on the timed-out tests of `run`'s last attempt
/// (TestResult::stacks, then other_stacks; the stalled AUT's file first: it
/// says more than the binary waiting on it; then the Python frames, which
/// say more than the interpreter's C frames), clears `stacks`, and returns
/// the warning naming every file; "" when nothing was captured.
std::string attach_hang_stacks(UnitRun& run, const std::string& entry_name, HangStacks& stacks);

}  // namespace livegui::batch
