#pragma once
// Bounded leftovers: the files a writer leaves in a shared directory on every
// run (moved-aside state files, stall stacks) are pruned to the newest few,
// by one rule — only names the writer made, never a directory.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace livegui {

/// How many files of one kind a directory keeps (moved-aside state files of
/// each tag, stall stacks): the newest this many.
inline constexpr std::size_t kKeptFiles = 20;

/// For a directory entry: a key that sorts as its age (smaller = older), or
/// nullopt when it is not a file of ours (left alone whatever its age).
using NewnessKey = std::function<std::optional<std::string>(const std::filesystem::directory_entry&)>;

/// Removes all but the `keep` newest entries of `dir` that `newness` gives a
/// key (regular files and symlinks only: never a directory; a symlink itself,
/// never its target). Returns how many it removed (another process removing
/// one first is not an error). Never throws.
std::size_t keep_newest(const std::filesystem::path& dir, std::size_t keep, const NewnessKey& newness);

/// A NewnessKey part for files without a time in their name: the entry's
/// modification time (lstat) as fixed-width decimals, so it sorts as the time
/// does; nullopt when it is not a regular file or cannot be read.
std::optional<std::string> mtime_key(const std::filesystem::directory_entry& entry);

}  // namespace livegui
