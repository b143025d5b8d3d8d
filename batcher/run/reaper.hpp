#pragma once
// A small out-of-process reaper (the model: Testcontainers' Ryuk). livegui-batch
// forks it first thing, before any thread; it leaves the batcher's process
// group (a signal to that group does not reach it) and watches two things:
// the batcher's tree of descendants, snapshotted every `period` as
// identities (pid + start time, and their process groups), and a pipe whose
// write end only the batcher holds (close-on-exec).
//
// When the pipe closes without the batcher saying "clean" first — it was
// SIGKILLed or crashed — the reaper SIGKILLs what the last snapshot recorded
// and is still provably the same process, their descendants, and the members
// of their process groups (only while the group's leader pid is not held by
// another process), round after round until none is left or `give_up`
// passes, then exits. Nothing the run started outlives it by more than
// about `period` + one round.

#include <sys/types.h>

#include <chrono>

namespace livegui::batch {

class Reaper {
 public:
  /// Forks the reaper. Call before any thread starts. When it cannot fork,
  /// running() is false and the batch goes on without it.
  Reaper(std::chrono::milliseconds period = std::chrono::milliseconds(100),
         std::chrono::milliseconds give_up = std::chrono::seconds(5));
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
