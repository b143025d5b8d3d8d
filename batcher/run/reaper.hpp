#pragma once
// A small out-of-process reaper (the model: Testcontainers' Ryuk). livegui-batch
// forks it first thing, before any thread; it leaves the batcher's process
// group (a signal to that group does not reach it) and watches a pipe whose
// write end only the batcher holds (close-on-exec).
//
// What is ours is known two ways. (1) Before forking, the batcher appends
// its identity "<pid>:<start time>" to LIVEGUI_RUNS in its own environment,
// so every process the run starts — entries, AUTs, what they fork, a
// detached daemon — inherits it, however it was reparented afterwards.
// (2) The reaper snapshots the batcher's tree of descendants every `period`
// as identities (pid + start time, and their process groups), for the
// processes that start with a scrubbed environment.
//
// When the pipe closes without the batcher saying "clean" first — it was
// SIGKILLed or crashed — the reaper SIGKILLs, round after round until none is
// left or `give_up` passes: every process carrying the run's word that
// started after the batcher; what the last snapshot recorded and is still
// provably the same process; their descendants; and the members of their
// process groups (only while the group's leader pid is not held by another
// process). The first way does not depend on when the last snapshot was
// taken: a process forked a moment before the SIGKILL, whose parents died
// with the batcher (PDEATHSIG) before the reaper looked, is still found.
//
// Where a cgroup v2 is writable there is a third, which needs neither: the
// run's cgroup (run_cgroup.hpp), which the batcher joins right after forking
// the reaper (so the reaper stays outside). On a dirty end the reaper first
// `cgroup.kill`s it — every process in it, atomically against forks, however
// it was detached, whatever its environment — waits for it to empty and
// removes it; then the rounds above, which find nothing more unless something
// left the cgroup. On a clean end the batcher removes the cgroup itself.
//
// Last, the X servers of the run (comm "X…", recorded by the snapshots with
// the socket file they listened on) died by SIGKILL and could not remove
// /tmp/.X11-unix/X<n>: the reaper removes it, only while it is still that
// file and nobody listens (common/x_display_files.hpp).
#include <sys/types.h>

#include <chrono>
#include <filesystem>

namespace livegui::batch {

class Reaper {
 public:
  /// Adds this process to LIVEGUI_RUNS in its environment (setenv: call before
  /// any thread starts) and forks the reaper. When it cannot fork, running()
  /// is false and the batch goes on without it. `run_cgroup`: the directory
  /// of the run cgroup the batcher is about to join (empty: none); on a dirty
  /// end the reaper tears it down (tear_down_cgroup, bounded by `give_up`)
  /// when it exists.
  Reaper(std::chrono::milliseconds period = std::chrono::milliseconds(100),
         std::chrono::milliseconds give_up = std::chrono::seconds(5), std::filesystem::path run_cgroup = {});
  /// A clean end: tells the reaper so, closes the pipe and waits (bounded,
  /// 2 s) for it to exit. Never throws.
  ~Reaper();
  Reaper(const Reaper&) = delete;
  Reaper& operator=(const Reaper&) = delete;

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int pipe_fd_ = -1;  ///< write end
};

}  // namespace livegui::batch
