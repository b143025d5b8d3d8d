#pragma once
// The line an app prints on stdout when its hook server listens
// (docs/hook-protocol.md): `LIVEGUI_HOOK_READY port=40123 pid=4121 protocol=1`.
// Read by the harness (readiness), the batcher (matching AUT logs to pids) and
// the tests; written by hookserver/ and examples/python_app.

#include <sys/types.h>

#include <optional>
#include <string>

namespace livegui {

/// The line's first word, followed by one space.
inline constexpr const char* kReadyLinePrefix = "LIVEGUI_HOOK_READY ";

/// `LIVEGUI_HOOK_READY port=40123 pid=4121 protocol=1`, decoded.
struct ReadyLine {
  int port = 0;      ///< 1…65535
  pid_t pid = 0;     ///< 0 when the line does not say
  int protocol = 0;  ///< 0 when the line does not say
};

/// Parses one line (without its newline); empty unless it starts with
/// kReadyLinePrefix and has a port in 1…65535. Unknown keys and malformed
/// values are ignored. Never throws.
std::optional<ReadyLine> parse_ready_line(const std::string& line);

/// The first ready line among the complete lines of `text`, if any.
std::optional<ReadyLine> find_ready_line(const std::string& text);

}  // namespace livegui
