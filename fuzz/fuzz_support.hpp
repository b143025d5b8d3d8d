#pragma once
// Shared by the fuzz targets (docs/fuzzing.md): a scratch directory per
// process, and the one way a target reports a broken promise.

#include <filesystem>
#include <string>

namespace livegui::fuzz {

/// A fresh directory for this process (under $LIVEGUI_FUZZ_SCRATCH_ROOT when
/// set, else /dev/shm when writable, else $TMPDIR or /tmp), created on first
/// use and removed at normal exit. Several fuzzer processes (-jobs, -fork)
/// never share one. Aborts when it cannot be made.
const std::filesystem::path& scratch_dir();

/// Writes `bytes` to `path` (created or truncated, mode 0600, never through a
/// symlink). Aborts via finding() when the write fails: that is the
/// environment, not the input, but the target cannot go on without it.
void write_file(const std::filesystem::path& path, const std::string& bytes, unsigned mode = 0600);

/// The code under test broke a documented promise: prints "FUZZ FINDING: "
/// + what on stderr and aborts, so libFuzzer (or the replay main) reports it
/// with the input that caused it.
[[noreturn]] void finding(const std::string& what);

}  // namespace livegui::fuzz
