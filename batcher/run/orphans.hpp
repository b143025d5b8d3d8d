#pragma once
// The batcher is a child subreaper (PR_SET_CHILD_SUBREAPER): a process an
// entry leaves behind (its parent gone) becomes our child instead of init's,
// so we can reap it when it dies and stop it when it does not.

#include <sys/types.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

namespace livegui::batch {

/// Makes the calling process a child subreaper. False (errno set) on failure.
bool become_child_subreaper();

/// A child of ours that is not an orphan of any entry (the reaper): never
/// reported nor stopped by the sweeps below. Call before any thread starts.
void exclude_from_orphans(pid_t pid);

/// Our direct children that are not in `ours` (the entries we started).
/// Zombies among them are reaped on the way. Never throws.
std::vector<pid_t> adopted_children(const std::set<pid_t>& ours);

/// Reaps every child of ours that has died and is not in `ours` (nor
/// excluded): the zombies of orphans adopted while entries run — a
/// re-forking daemon leaves one per generation — which would otherwise wait
/// for the next sweep between entries. Signals nothing, never blocks, never
/// throws; returns how many it reaped. `ours` must name every child whose
/// exit status someone still wants (the entries, the session AUT).
std::size_t reap_adopted_zombies(const std::set<pid_t>& ours);

/// A child excluded from the orphans (the reaper) that has died: reaped now.
struct DeadExcluded {
  pid_t pid = 0;
  std::string how;  ///< "killed by SIGKILL", "exit code 1"
};

/// The excluded children that have died since the last call, each reaped
/// once and no longer excluded. Never blocks, never throws.
std::vector<DeadExcluded> reap_dead_excluded();

/// A process we stopped because an entry left it behind.
struct StoppedOrphan {
  pid_t pid = 0;
  std::string comm;   ///< its name as the kernel knows it
  std::string entry;  ///< the unit id (LIVEGUI_BATCH_ENTRY) it inherited; empty when unknown
  /// When it started: clock ticks since boot (proc(5) /proc/<pid>/stat field
  /// 22), as Subprocess::start_time(); 0 = unknown.
  std::uint64_t start_time = 0;
  /// "pid 123 (sleep)"
  std::string describe() const;
};

/// Stops every adopted child (with its process group when every member
/// descends from us and it is not our own group): SIGTERM → `term_grace` →
/// SIGKILL → `kill_wait`, then reaps; then sweeps again (SIGKILL) while new
/// ones appear — the generations of a re-forking daemon — for at most another
/// `kill_wait`. Returns each process stopped, with the entry it came from
/// when its environment says so. Bounded; never throws.
std::vector<StoppedOrphan> stop_adopted_children(const std::set<pid_t>& ours, std::chrono::milliseconds term_grace,
                                                 std::chrono::milliseconds kill_wait);

}  // namespace livegui::batch
