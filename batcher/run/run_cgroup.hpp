#pragma once
// The run's cgroup (cgroup v2): livegui-batch moves itself into
// "<its own cgroup>/livegui-run-<pid>-<start time>" right after forking its
// reaper (which stays outside). Membership is inherited by every fork and
// cannot be left by setsid, a new process group or a scrubbed environment,
// so everything the run starts — entries, AUTs, Xvfb, a detached daemon that
// re-forks every few milliseconds — is in it, and `cgroup.kill` stops all of
// it at once, atomically against forks. A process in our run's cgroup is
// provably ours.
//
// Who removes it: at a clean end the batcher moves itself back to the parent,
// kills what is left and removes the cgroup; when the batcher dies without
// that, its reaper does (reaper.hpp); when the reaper died too, the next run
// on the host finds the cgroup beside its own, sees from the name that its
// owner is dead, reports it and does it (clean_stale_run_cgroups). A
// cgroup whose owner is alive — a concurrent run — is never touched.
//
// Where no cgroup2 is writable (a container without delegation) the batcher
// runs without one, as before: LIVEGUI_RUNS and the reaper's snapshots.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/proc_info.hpp"
#include "harness/state_file.hpp"

namespace livegui::batch {

/// The directory of the calling process's cgroup v2: the cgroup2 mount found
/// in /proc/self/mountinfo joined with the "0::" line of /proc/self/cgroup.
/// std::nullopt, with the reason in `why`, when there is none (no cgroup2
/// mounted, a v1-only host, a path outside the mount). Never throws.
std::optional<std::filesystem::path> own_cgroup_dir(std::string* why = nullptr);

/// "livegui-run-<pid>-<start time>": the run cgroup of the run `owner`.
std::string run_cgroup_name(const ProcessIdentity& owner);

/// The owner a run cgroup's directory name names; std::nullopt when `name`
/// is not a run cgroup's.
std::optional<ProcessIdentity> run_cgroup_owner(const std::string& name);

/// Every live process in `cgroup` and the cgroups below it (cgroup.procs),
/// as the kernel describes them now. Empty when it does not exist. Never throws.
std::vector<ProcStat> cgroup_processes(const std::filesystem::path& cgroup);

/// What tear_down_cgroup did.
struct CgroupTeardown {
  std::vector<ProcStat> killed;  ///< what was running in it, SIGKILLed
  bool emptied = false;          ///< no process was left in it within the wait
  bool removed = false;          ///< the directory (and those below it) is gone
  std::string error;             ///< why not emptied or removed ("" when both)
};

/// SIGKILLs each process of `listed` (cgroup_processes(`cgroup`) taken
/// earlier) that is provably still the one listed and still in `cgroup` or
/// below it: a pidfd is opened first, then /proc must show the listed start
/// time and the cgroup's cgroup.procs the pid; the signal goes through the
/// pidfd (pidfd_send_signal(2)), so a pid reused after the listing is never
/// signalled. Returns how many were signalled. Never throws.
std::size_t kill_cgroup_members(const std::filesystem::path& cgroup, const std::vector<ProcStat>& listed);

/// How tear_down_cgroup stops the members.
enum class CgroupKill {
  Auto,      ///< cgroup.kill when the kernel has it (≥ 5.14), else OneByOne
  OneByOne,  ///< freeze, then kill_cgroup_members until empty (how kernels < 5.14 are served; tests ask for it)
};

/// SIGKILLs everything in `cgroup` and below it (cgroup.kill: atomic against
/// forks; where the kernel lacks it, freezes the cgroup (cgroup.freeze: none
/// can fork) and kill_cgroup_members, listing again until it is empty, so a
/// process forked before the freeze took is killed too), waits until it is
/// empty (cgroup.events "populated 0", polled with back-off, at most `wait`),
/// then removes it and the cgroups below it, deepest first. Blocks at most
/// about `wait`. Never throws.
CgroupTeardown tear_down_cgroup(const std::filesystem::path& cgroup, std::chrono::milliseconds wait,
                                CgroupKill how = CgroupKill::Auto);

/// The batcher's run cgroup (RAII). Not copyable or movable: it lives in
/// main() for the whole run. Two steps, with the reaper forked in between:
/// the constructor creates the cgroup and takes an exclusive flock(2) on its
/// directory, which the reaper inherits and holds until it is done — a later
/// run leaves alone a dead run's cgroup whose reaper is still at work; join()
/// drops the batcher's copy of the lock and moves the owner into the cgroup.
class RunCgroup {
 public:
  /// Creates `parent`/run_cgroup_name(`owner`) and locks it (close-on-exec).
  /// Throws std::system_error saying what failed (e.g. EACCES, EROFS: not
  /// delegated to us), having removed what it created.
  RunCgroup(const std::filesystem::path& parent, const ProcessIdentity& owner);
  /// close(), bounded by 2 s. Never throws.
  ~RunCgroup();
  RunCgroup(const RunCgroup&) = delete;
  RunCgroup& operator=(const RunCgroup&) = delete;

  /// Closes this process's copy of the lock (a reaper forked meanwhile keeps
  /// its own) and moves the process `owner` — every thread of it — into the
  /// cgroup: what it forks from then on is in it. Throws std::system_error
  /// (EBUSY/EOPNOTSUPP: cgroup v2's "no internal processes" rule or a
  /// threaded parent); close() still removes the cgroup then.
  void join();

  const std::filesystem::path& path() const { return path_; }

  /// Moves the owner back to the parent cgroup (when it joined), then
  /// tear_down_cgroup: what is left in it is SIGKILLed, the cgroup removed.
  /// The orphan sweeps have reported and charged what entries left before
  /// this; it is the backstop. Blocks at most about `wait`. Idempotent;
  /// never throws.
  CgroupTeardown close(std::chrono::milliseconds wait);

 private:
  std::filesystem::path parent_;
  std::filesystem::path path_;
  ProcessIdentity owner_;
  int lock_fd_ = -1;
  bool joined_ = false;
  bool closed_ = false;
};

/// A run cgroup whose owner is dead, found (and torn down) by a later run.
struct StaleRunCgroup {
  std::filesystem::path path;
  ProcessIdentity owner;
  CgroupTeardown teardown;
  /// "a previous run (livegui-batch, pid O, started …) ended without cleaning
  /// up (cgroup …); N of its processes were still running: …; killed them
  /// (cgroup.kill) and removed the cgroup"
  std::string describe() const;
};

/// Tears down every run cgroup directly in `parent` whose owner (pid + start
/// time, from its name) is not alive and whose lock nobody holds (its reaper
/// is gone too), each bounded by `wait`, holding the lock meanwhile (so two
/// runs starting at once do not both report one). A cgroup whose owner is
/// alive (a concurrent run, or this one) or whose reaper is still at work is
/// left alone. Never throws.
std::vector<StaleRunCgroup> clean_stale_run_cgroups(const std::filesystem::path& parent,
                                                    std::chrono::milliseconds wait);

/// This process's run cgroup's directory when it is in one of its own (the
/// batcher after RunCgroup's constructor), else std::nullopt. Never throws.
std::optional<std::filesystem::path> own_run_cgroup();

/// clean_stale_run_cgroups beside own_run_cgroup() (nothing when this
/// process is in no run cgroup of its own). Never throws.
std::vector<StaleRunCgroup> clean_stale_run_cgroups_beside_ours(std::chrono::milliseconds wait);

}  // namespace livegui::batch
