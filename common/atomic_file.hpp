#pragma once
// Replacing a file so that readers see the old contents or the new, never a
// part: a temporary file in the same directory, then rename(2) over the
// target. Used for the state file, the reports, the AUT spec file and tests'
// marker files.

#include <sys/types.h>

#include <filesystem>
#include <string_view>

namespace livegui {

struct AtomicWriteOptions {
  mode_t mode = 0644;    ///< permissions of the new file (0600 for private ones)
  bool durable = false;  ///< fsync before the rename (survives a power loss)
};

/// Writes `data` to `path` atomically. The temporary file is created next to
/// it with O_EXCL | O_NOFOLLOW (never through a symlink) and removed on every
/// failure; a symlink at `path` is replaced, never written through. Blocks on
/// the file system only. Throws std::system_error whose what() names `path`,
/// the step that failed ("cannot create a temporary file in <dir>", "fsync",
/// "rename from <tmp>") and the errno text.
void write_file_atomically(const std::filesystem::path& path, std::string_view data, AtomicWriteOptions options = {});

}  // namespace livegui
