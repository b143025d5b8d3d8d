#pragma once
// Facts about processes read from /proc. A pid alone is not an identity: pids
// are reused. (pid, start time) is — the kernel's start time in clock ticks
// since boot never repeats for one pid within a boot.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace livegui {

struct ProcStat {
  pid_t pid = 0;
  std::string comm;  ///< executable name as the kernel knows it (≤ 15 chars)
  char state = '?';  ///< R, S, D, Z, T, …
  pid_t ppid = 0;
  pid_t pgid = 0;
  std::uint64_t start_time = 0;  ///< clock ticks after boot (field 22)
};

/// Reads /proc/<pid>/stat. Empty when the process does not exist (or cannot
/// be read). Never throws.
std::optional<ProcStat> read_proc_stat(pid_t pid);

/// True when every thread of `pid` is stopped (SIGSTOP'd or traced: state T
/// or t) or gone (a zombie, or no longer there): none of them runs, and a
/// write one was making has completed. Never throws.
bool all_threads_stopped(pid_t pid);

/// A start time (clock ticks after boot, ProcStat::start_time) as local wall
/// time "YYYY-MM-DD HH:MM:SS"; empty when it cannot be told. Never throws.
std::string start_time_text(std::uint64_t ticks);

/// True when `pid` exists, is not a zombie, and started at `start_time`.
bool is_same_process(pid_t pid, std::uint64_t start_time);

/// Every live (non-zombie) process whose process group is `pgid`.
std::vector<pid_t> processes_in_group(pid_t pgid);

/// Every live (non-zombie) descendant of `pid` (children, grandchildren, …).
std::vector<pid_t> descendants_of(pid_t pid);

/// The value of `name` in the environment `pid` was started with
/// (/proc/<pid>/environ: what it was exec'd with, or inherited through
/// fork). Empty when unset, when the process is gone, or when we may not
/// read it (another user's process). Never throws.
std::optional<std::string> environ_value(pid_t pid, const std::string& name);

/// Every live (non-zombie) process, other than the caller, whose environment
/// has `name` set to a space-separated list containing `word`. Reads every
/// /proc/<pid>/environ we may read: a scan of the host, for rare use.
std::vector<pid_t> processes_with_environ_word(const std::string& name, const std::string& word);

}  // namespace livegui
