#pragma once
// Sending some of the module loggers (common/log.hpp) to a file instead of
// stderr, for a program whose stderr is a console that is not theirs.

#include <filesystem>
#include <string>
#include <vector>

namespace livegui {

/// From now on, the loggers called `names` (also when created later) write
/// to `file` (appended to; created if missing, mode 0600) instead of stderr. False, and
/// stderr kept, when the file cannot be opened. Thread-safe; never throws.
bool log_to_file(const std::vector<std::string>& names, const std::filesystem::path& file);

}  // namespace livegui
