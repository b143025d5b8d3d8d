#pragma once
// Hang forensics: every thread's stack of a stalled (or hung) process,
// written to <dir>/stacks-<pid>.txt. Sources, best first: the app's own
// GET /debug/stacks (hook protocol, optional), `eu-stack -p` (elfutils),
// `gdb -batch`, and as a last resort /proc/<pid>/task/*/{stat,wchan}
// (thread names, states and kernel wait channels, no user frames). Every
// source is bounded; the whole capture never takes much longer than the
// budget, and the process is left running (the debuggers detach) — or
// stopped, when it was: a stopped process (state T/t) is not asked over
// the hook, which it cannot answer.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>

namespace livegui {

/// Which source produced the stacks.
enum class StackSource { None, Hook, EuStack, Gdb, Proc };
/// "none", "GET /debug/stacks", "eu-stack", "gdb", "/proc".
const char* to_string(StackSource s);

struct StackCaptureOptions {
  std::filesystem::path dir;  ///< where stacks-<pid>.txt goes (created if missing)
  /// Upper bound for the whole capture (each source gets what is left).
  std::chrono::milliseconds budget{8000};
  /// > 0: ask GET /debug/stacks on 127.0.0.1:<port> first (unless the
  /// process is stopped: state T/t); 0: the launcher fills in its AUT's
  /// port; < 0: do not ask (the app does not answer).
  int hook_port = 0;
  std::string hook_token;  ///< X-Livegui-Token for that request
  std::string title;       ///< first line of the file, e.g. "AUT pid 4121 stalled during A.b"
  /// A file reserve_stacks_file() gave ahead (a capture named before it is
  /// made); empty: capture_stacks() reserves its own.
  std::filesystem::path file;
  /// Passed to reserve_stacks_file() when it reserves `file` here: 0 prunes
  /// nothing (an artifact directory); the state directory's captures keep kKeptFiles.
  std::size_t keep_files = 0;
};

struct StackCapture {
  std::filesystem::path file;  ///< empty when nothing could be written
  StackSource source = StackSource::None;
  std::chrono::nanoseconds took{0};
  std::string error;  ///< why each skipped source failed ("" when the first one worked)
  bool ok() const { return !file.empty(); }
};

/// The first name a capture of `pid` gets: dir/stacks-<pid>.txt.
std::filesystem::path stacks_file_for(const std::filesystem::path& dir, pid_t pid);

/// Is `name` one reserve_stacks_file() makes (stacks-<pid>.txt, stacks-<pid>-<n>.txt)?
bool is_stacks_file_name(const std::string& name);

/// Removes all but the `keep` newest (modification time) stacks files of `dir`
/// — regular files named as is_stacks_file_name() says, never a directory or
/// another name — leaving `spare` out of the count and in place. The rule of
/// keep_newest(). Returns how many it removed. Never throws.
std::size_t prune_stacks_files(const std::filesystem::path& dir, std::size_t keep,
                               const std::filesystem::path& spare = {});

/// Creates (O_EXCL, 0600, `dir` created if missing) the first free one of
/// dir/stacks-<pid>.txt, stacks-<pid>-2.txt, … and returns it, so that every
/// capture of one pid — by this process or another — has its own file; then,
/// when `keep` > 0, prunes `dir` to the new file and the keep - 1 newest other
/// stacks files (prune_stacks_files), so stalls do not pile up in a state
/// directory. 0 prunes nothing: a report's artifact directory keeps every
/// file its reports link. Empty when none could be created. Never throws.
std::filesystem::path reserve_stacks_file(const std::filesystem::path& dir, pid_t pid, std::size_t keep = 0);

/// Captures every thread's stack of `pid` into options.file, else into a
/// file of its own (reserve_stacks_file; removed again when nothing could be
/// captured). Blocks at most about options.budget plus one SIGKILL-and-reap
/// of a debugger that overran it. Never throws.
StackCapture capture_stacks(pid_t pid, const StackCaptureOptions& options);

/// The artifact directory the batcher gives an entry (LIVEGUI_ARTIFACT_DIR),
/// else `fallback`.
std::filesystem::path artifact_dir_or(const std::filesystem::path& fallback);

}  // namespace livegui
