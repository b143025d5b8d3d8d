#pragma once
// Concurrent runs on one host share the state directory but never a state
// file: each run writes its own ("aut-state-<pid>-<start>[-shard-I-of-N].json")
// and holds an exclusive flock(2) on its lock file ("….lock") for as long as
// it lives. A lock that can be taken belongs to a run that is over, so a
// later run finds what a killed run left (state_guard.hpp reports it), while
// the files of live runs are never read. docs/state-file.md has the rules.

#include <filesystem>
#include <string>
#include <vector>

#include "harness/state_file.hpp"
#include "harness/state_file_lock.hpp"  // run_state_file_name, run_of_state_file, lock_file_for

namespace livegui::batch {

/// This run's state file, held: the constructor creates the lock file (0600,
/// never through a symlink) and takes LOCK_EX on it without blocking; the
/// lock fd is close-on-exec, so no child keeps it. Throws StateFileError when
/// it cannot. The destructor (a clean end) removes the state file, the
/// temporary files of writes that never completed, and the lock.
class RunState {
 public:
  RunState(const std::filesystem::path& dir, const ProcessIdentity& run, const std::string& shard_suffix);
  ~RunState();
  RunState(const RunState&) = delete;
  RunState& operator=(const RunState&) = delete;

  const std::filesystem::path& state_file() const { return state_file_; }
  const std::filesystem::path& lock_file() const { return lock_file_; }

 private:
  std::filesystem::path state_file_;
  std::filesystem::path lock_file_;
  int lock_fd_ = -1;
};

/// A state file of a run that is over, whose lock we now hold (so that two
/// later runs never handle it both). release() drops the lock and removes the
/// lock file; the destructor does too. Move-only.
class LeftOver {
 public:
  LeftOver(std::filesystem::path state_file, std::filesystem::path lock_file, int lock_fd);
  LeftOver(LeftOver&& other) noexcept;
  LeftOver& operator=(LeftOver&& other) noexcept;
  ~LeftOver();
  LeftOver(const LeftOver&) = delete;
  LeftOver& operator=(const LeftOver&) = delete;

  const std::filesystem::path& state_file() const { return state_file_; }
  void release();

 private:
  std::filesystem::path state_file_;
  std::filesystem::path lock_file_;
  int lock_fd_ = -1;
};

/// What writers that are gone left in `dir` beside the state files, removed:
/// temporary files of write_file_atomically (".aut-state….json.tmp-<pid>-…")
/// whose writer pid no longer exists (a harness SIGKILLed between its write
/// and its rename), and lock files of runs that are over and never wrote a
/// state file (their lock is free; `own_lock` is skipped). A temporary file
/// whose pid is alive — its writer, or a reused pid — is left alone. Called
/// when a run takes its state (any plan) and before the left-over scan.
/// Returns how many files it removed. Never throws.
int sweep_state_dir(const std::filesystem::path& dir, const std::filesystem::path& own_lock);

/// Every "aut-state*.json" in `dir` but `own` whose lock is free (taken now,
/// creating the lock file when it is missing), and lock files of runs that
/// are over and never wrote a state file (removed on the way). Files of live
/// owners (lock held) are skipped without being read; the shared ones among
/// them (not named after an owner: a live standalone owner's
/// "aut-state.json") are listed in `held_shared` when it is given. Never throws.
std::vector<LeftOver> take_left_overs(const std::filesystem::path& dir, const std::filesystem::path& own,
                                      std::vector<std::filesystem::path>* held_shared = nullptr);

}  // namespace livegui::batch
