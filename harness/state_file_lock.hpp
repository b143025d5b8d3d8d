#pragma once
// Who writes a state file (docs/state-file.md "Concurrent runs"): its owner
// holds an exclusive flock(2) on the lock file beside it ("x.json" →
// "x.lock") for as long as it lives. A livegui-batch run writes a state file
// of its own, named after it; so does a standalone owner (a test binary run
// alone, a livegui-aut) that finds the shared "aut-state.json" held by
// another live owner. A lock another process can take belongs to an owner
// that is over: a later run reports what it left.

#include <filesystem>
#include <optional>
#include <string>

#include "harness/state_file.hpp"

namespace livegui {

/// "aut-state-4100-123456.json", or "aut-state-4100-123456-shard-2-of-4.json"
/// with `shard_suffix` "-shard-2-of-4": the state file of the owner with
/// that pid and start time (clock ticks since boot, proc(5)).
std::string run_state_file_name(const ProcessIdentity& owner, const std::string& shard_suffix = "");

/// The owner a name of that shape names (the inverse of
/// run_state_file_name, moved-aside names ".stale-…" included); nullopt for
/// any other name, e.g. the shared "aut-state.json".
std::optional<ProcessIdentity> run_of_state_file(const std::filesystem::path& file);

/// The lock file that goes with a state file: "x.json" → "x.lock".
std::filesystem::path lock_file_for(const std::filesystem::path& state_file);

/// Creates `lock` already locked (LOCK_EX): made under a temporary name no
/// scanner reads, locked, then linked into place, so no other process ever
/// sees it unlocked. 0600, never through a symlink, close-on-exec. Returns
/// the fd, or -1 with errno set: EEXIST when `lock` exists already (it is
/// never replaced). Never blocks.
int create_locked_file(const std::filesystem::path& lock);

/// True while `fd` (a lock we hold) is still the file at `lock`: one
/// unlinked or replaced meanwhile locks nothing (fstat against lstat).
bool is_still_at(int fd, const std::filesystem::path& lock);

/// An owner's clean end: removes `state_file` and the temporary files of
/// its writes that never completed (write_file_atomically's
/// ".<name>.tmp-…"; a writer stopped between its write and its rename).
/// Never throws.
void remove_owned_state_file(const std::filesystem::path& state_file);

/// Opens `lock` (creating it 0600 when missing, never through a symlink,
/// close-on-exec) and takes LOCK_EX without blocking. A lock file unlinked
/// or replaced between the open and the flock (its holder removed it on
/// its way out) locks nothing: the open is retried on the file now there.
/// Returns the fd, or -1 with errno set (EWOULDBLOCK: another process holds it).
int try_lock_file(const std::filesystem::path& lock);

}  // namespace livegui
