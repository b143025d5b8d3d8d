#pragma once
// The Python side of hang forensics for a pytest entry. eu-stack and gdb see
// only the interpreter's C frames; the Python frames of every thread come
// from the interpreter itself. The livegui_pytest plugin, run under the
// batcher, registers faulthandler on kPythonStacksSignal writing to the file
// LIVEGUI_PYTHON_STACKS_FILE names, and then writes a header saying which
// process it is (pid + start time). Before a timed-out pytest entry is
// stopped, the batcher sends that process the signal — only when the header
// proves it is the process that registered the handler and a member of the
// entry's own process group — and waits a bounded time for the stacks.

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace livegui::batch {


/// The signal the plugin's faulthandler is registered on (docs/pytest.md).
inline constexpr int kPythonStacksSignal = SIGUSR1;

/// The process that registered the handler, from the file's first line:
/// "livegui_pytest: Python stacks of pid <pid> (start time <ticks>) on SIGUSR1".
struct PythonStacksHeader {
  pid_t pid = 0;
  std::uint64_t start_time = 0;  ///< /proc/<pid>/stat field 22
};

/// Parses the header line; std::nullopt when it is not one (or names
/// another signal than kPythonStacksSignal).
std::optional<PythonStacksHeader> parse_python_stacks_header(const std::string& line);

/// Asks the pytest process for every thread's Python stack: reads `file`'s
/// header; signals the process it names with kPythonStacksSignal only when
/// that process is alive with the recorded start time and in `group` (the
/// entry's process group, led by our unreaped child: the group id cannot have
/// been reused); waits at most `wait` for faulthandler's dump to appear and
/// stop growing; then moves the file to `artifact_dir`/python-stacks-<pid>.txt.
/// Returns that path; empty when there is no header (no plugin, or it runs
/// without the handler), the process is not provably the one, or nothing was
/// written in time (the reason is logged). Never throws.
std::filesystem::path capture_python_stacks(const std::filesystem::path& file, pid_t group,
                                            const std::filesystem::path& artifact_dir, std::chrono::milliseconds wait);

}  // namespace livegui::batch
