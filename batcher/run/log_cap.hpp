#pragma once
// Entry logs are capped like AUT logs: a log that grows past its cap keeps
// its newest part in <log>.1 and starts again empty, so a child that prints
// without end fills neither the disk nor the batcher's memory.

#include <cstdint>
#include <filesystem>

namespace livegui::batch {

/// Default cap of one entry log (64 MiB, as AUT logs).
inline constexpr std::uint64_t kDefaultMaxEntryLogBytes = 64ull << 20;

/// When `log` (a regular file, not a symlink) is larger than `max_bytes`,
/// copies its last `max_bytes` to `log`.1 (replacing it), then empties `log`;
/// a child writing with O_APPEND goes on at its start. Returns the bytes
/// dropped: before the kept part, and what the child wrote after the copy
/// (0: nothing done, also when `max_bytes` is 0 or the file cannot be read). Bounded: copies at most `max_bytes` plus
/// what the child writes meanwhile, up to `max_bytes` more. Never throws.
std::uint64_t cap_log(const std::filesystem::path& log, std::uint64_t max_bytes);

}  // namespace livegui::batch
