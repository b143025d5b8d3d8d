#pragma once
// A cap on an AUT's log (aut-<n>.log), which the app writes directly through
// the file descriptor it inherited (opened O_APPEND). When the file has grown
// past the cap, its content is copied to <log>.1 (replacing an older copy) and
// the file is truncated in place, so the app's next write lands at its start
// (logrotate's "copytruncate"). The AppHandle does this at every check, i.e.
// before and after every test: between two checks an app may write more.

#include <cstdint>
#include <filesystem>

namespace livegui {

/// When `log` is larger than `max_bytes` (and `max_bytes` > 0): copies it to
/// "<log>.1" (a temporary file renamed over the old copy; 0600, no symlink
/// followed) and truncates it. Returns true when it rotated. Bounded, never
/// throws; a failure is logged and leaves the log as it was.
bool rotate_log_if_larger(const std::filesystem::path& log, std::uint64_t max_bytes);

/// The cap on one AUT log, enforced at every check at the cost of one
/// fstat() on a descriptor kept open for the purpose (no path lookup per
/// check); the rotation itself runs only when the log is over the cap.
/// Move-only; closes its descriptor when destroyed.
class LogCap {
 public:
  LogCap() = default;
  /// Opens `log` read-only, never following a symlink. A log that cannot be
  /// opened (yet) is looked up by path at the next enforce().
  LogCap(std::filesystem::path log, std::uint64_t max_bytes);
  ~LogCap();
  LogCap(LogCap&& other) noexcept;
  LogCap& operator=(LogCap&& other) noexcept;
  LogCap(const LogCap&) = delete;
  LogCap& operator=(const LogCap&) = delete;

  /// rotate_log_if_larger() when the log is over the cap. Returns true when
  /// it rotated. Bounded, never throws.
  bool enforce();

 private:
  std::filesystem::path log_;
  std::uint64_t max_bytes_ = 0;
  int fd_ = -1;
};

}  // namespace livegui
