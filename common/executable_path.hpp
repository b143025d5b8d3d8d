#pragma once
// The one PATH lookup: the AUT spec, the plan's `command` entries and
// Subprocess::spawn() all use it, so --dry-run finds what a run starts.

#include <filesystem>
#include <string>

namespace livegui {

/// Looks `name` up in PATH as execvp would (the first regular executable
/// file; an empty PATH means /usr/local/bin:/usr/bin:/bin; execvp(3)); names
/// with '/' are made absolute. Empty when not found. Never throws.
std::filesystem::path find_executable(const std::string& name);

}  // namespace livegui
