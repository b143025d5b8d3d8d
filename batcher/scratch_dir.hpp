#pragma once
// A scratch directory for --list / --dry-run (a real run writes under its
// report directory instead). Created only when first asked for, named after
// its creator ("livegui-batch-<pid>-<start time>-XXXXXX" in the temp
// directory), removed by its destructor — and, when the creator died without
// running it (SIGKILL, a crash), by the next run: remove_dead_scratch_dirs().

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace livegui::batch {

class ScratchDir {
 public:
  /// Creates nothing yet. `parent` defaults to the temp directory.
  explicit ScratchDir(std::filesystem::path parent = {});
  /// Removes the directory if it was created. Never throws.
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  /// Creates the directory on the first call (0700), locked (LOCK_EX) until
  /// destroyed. Empty path when it cannot.
  const std::filesystem::path& path();
  bool created() const { return !path_.empty(); }

 private:
  std::filesystem::path parent_;
  std::filesystem::path path_;
  int lock_fd_ = -1;  ///< LOCK_EX on the directory while we live: the proof a cleaner needs
};

/// Removes every "livegui-batch-<pid>-<start>-*" directory in `parent` (the
/// temp directory by default) that we own, whose creator (pid + start time)
/// is not alive here and whose lock (flock(2) on the directory, which its
/// creator holds while it lives) is free: a creator in another pid
/// namespace (Bazel's sandboxed test shards share /dev/shm) is alive though
/// its pid names nothing here. Returns the removed paths. Never throws.
std::vector<std::filesystem::path> remove_dead_scratch_dirs(std::filesystem::path parent = {});

/// A real run's directory for the files only the run itself reads while an
/// entry runs (GoogleTest's event stream, its premature-exit marker), created
/// in /dev/shm when that is a writable tmpfs: a file created and removed
/// there costs a fraction of one on a disk file system such as ext4, where
/// each also waits on the journal (issue 13). What dead runs left in
/// /dev/shm is removed first. nullptr when there is no such tmpfs or the
/// directory cannot be made: the caller keeps those files beside its logs.
std::unique_ptr<ScratchDir> tmpfs_scratch_dir();

}  // namespace livegui::batch
