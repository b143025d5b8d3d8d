#pragma once
// The name of an AUT's log: aut-<n>.log in the log folder, unique in that
// folder. Several owners (test binaries, livegui-aut, livegui-batch) may
// share one folder; each claims its name by creating the file.

#include <filesystem>

namespace livegui {

/// Creates a new, empty AUT log in `log_dir` (O_CREAT|O_EXCL|O_NOFOLLOW, mode
/// 0600) named aut-<n>.log for the first n >= `first_n` whose name is free,
/// and returns its path; a name another owner (or an earlier run) holds is
/// never reused or truncated. When no file can be created for another reason
/// (folder missing or not writable), returns <log_dir>/aut-<first_n>.log
/// uncreated, so that the spawn reports why it cannot open it. Bounded (at
/// most a few thousand names tried), never throws.
std::filesystem::path claim_aut_log(const std::filesystem::path& log_dir, int first_n);

}  // namespace livegui
