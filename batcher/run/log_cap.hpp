#pragma once
// Entry logs are capped like AUT logs: a log that grows past its cap keeps
// its newest part in <log>.1 and starts again empty, so a child that prints
// without end fills neither the disk nor the batcher's memory. GoogleTest's
// marker lines of what is dropped are kept at the start of <log>.1, so the
// test that was running (and the tests that ended) are still known.

#include <cstdint>
#include <filesystem>
#include <functional>

namespace livegui::batch {

/// Default cap of one entry log (64 MiB, as AUT logs).
inline constexpr std::uint64_t kDefaultMaxEntryLogBytes = 64ull << 20;

/// Whatever writes an entry log (the entry's process group), paused while
/// cap_log copies the log's last bytes and empties it: what a writer wrote
/// between that copy and the truncation would be lost, and at a child's end
/// those are its last lines. `pause` returns once nothing writes any more
/// (bounded; false: not paused, cap_log goes on without), `resume` lets the
/// writers go on. Neither throws.
struct LogWriters {
  std::function<bool()> pause;
  std::function<void()> resume;
};

/// When `log` (a regular file, not a symlink) is larger than `max_bytes`,
/// rewrites `log`.1 (replacing it) as: the GoogleTest marker lines
/// (`[ RUN      ]`, `[       OK ]`, `[  FAILED  ]`, `[==========]`, …) of
/// everything dropped — the previous `log`.1 included —, one line saying
/// that output was dropped, then the last `max_bytes` of `log` (from the
/// start of a line when one begins in the 4 KiB before); then empties `log`:
/// a child writing with O_APPEND goes on at its start. Every marker of the
/// new `log`.1 is written to `log`.1.markers too, where the next cap reads
/// them (used only while `log`.1 exists). The kept markers are bounded (the
/// newest, at most a quarter of `max_bytes`, between 64 KiB and 8 MiB).
/// With `writers`, they are paused for the end of the copy and the
/// truncation, so the kept part runs to the log's last byte; the kept part
/// is then the newest (at most twice `max_bytes`, as without). Without them,
/// what the child writes after the copy is lost.
/// Returns the bytes dropped from `log`: before the kept part, and what the
/// child wrote after the copy (0: nothing done, also when `max_bytes` is 0
/// or the file cannot be read). Bounded: reads `log` once, copies at most
/// `max_bytes` plus what the child writes meanwhile, up to `max_bytes` more.
/// Never throws.
std::uint64_t cap_log(const std::filesystem::path& log, std::uint64_t max_bytes, const LogWriters* writers = nullptr);

/// True when `line` begins with one of GoogleTest's progress markers.
bool is_gtest_marker_line(const char* line, std::size_t size);

}  // namespace livegui::batch
