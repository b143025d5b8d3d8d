#pragma once
// What to run as the AUT and how to supervise it. Built in code or loaded
// from a TOML table (the batcher's plan embeds one per tier):
//
//   [aut]
//   executable = "/abs/path/sample_app"      # relative: against the TOML file's directory;
//                                              # a bare name ("python3"): looked up in PATH
//   args = ["--headless"]
//   env = { SPDLOG_LEVEL = "info" }
//   cwd = "/tmp"
//   readiness = "announced_port"               # | "port_file" | "fixed_port"
//   port = 0                                   # fixed_port: the port to use and poll
//   ready_timeout = "10s"                      # durations: "500ms", "1s", "2min" (common/duration.hpp)
//   heartbeat_threshold = "1s"
//   term_grace = "3s"
//   kill_wait = "2s"
//   shutdown_request = true                    # POST /shutdown before SIGTERM
//   log_dir = "/tmp/aut-logs"
//   max_log_bytes = 67108864                   # cap per AUT log (aut-<n>.log → .1); 0: none
//   token = "s3cret"
//   display = "inherit"                        # | "xvfb" | "none"
//   respawn = "on_death_and_degraded"          # | "never" | "per_suite" | "per_test"
//   max_consecutive_failed_starts = 3
//   state_file = "/run/user/1000/livegui/aut-state.json"
//
// Deprecated, accepted for one release with a note: ready_timeout_ms,
// heartbeat_threshold_ms, term_grace_ms, kill_wait_ms (integers, ms).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/toml_reader.hpp"

namespace toml {
inline namespace v3 {
class table;
}
}  // namespace toml

namespace livegui {

/// How the harness learns that the AUT is ready (docs/hook-protocol.md §1).
enum class Readiness {
  AnnouncedPort,  ///< the LIVEGUI_HOOK_READY line on stdout (read from the log file)
  PortFile,       ///< the port written to $LIVEGUI_HOOK_PORT_FILE
  FixedPort,      ///< a known port; poll GET /health until it answers
};

enum class DisplayMode {
  Inherit,  ///< keep the runner's DISPLAY (if any)
  Xvfb,     ///< the harness starts its own Xvfb and sets DISPLAY
  None,     ///< DISPLAY is removed from the AUT's environment
};

enum class RespawnPolicy {
  OnDeathAndDegraded,  ///< keep one AUT; replace it when it died or is degraded
  Never,               ///< start once; a dead or degraded AUT fails every later test fast
  PerSuite,            ///< a fresh AUT for every test suite (and on death/degraded)
  PerTest,             ///< a fresh AUT for every test
};

const char* to_string(Readiness r);
const char* to_string(DisplayMode d);
const char* to_string(RespawnPolicy p);

/// The spec is unusable: a TomlFieldError (harness/toml_reader.hpp), so one
/// catch and one wording serve a plan, an `aut` table and a spec file. what()
/// is "file:line:column: field: why" when loaded from TOML, "AUT spec: field:
/// why" for a spec built in code, and the bare message for an error that
/// names no field (a missing file or section, a bad LIVEGUI_AUT_SCOPE).
class AppSpecError : public TomlFieldError {
 public:
  /// An error that names no field; at() is unknown and field() empty.
  explicit AppSpecError(std::string message);
  AppSpecError(TomlPosition at, std::string field, std::string why);
};

/// A note about a TOML spec that is accepted but should be rewritten
/// (a deprecated field), with where it was written.
using AppSpecNote = TomlNote;

struct AppSpec {
  std::filesystem::path executable;  ///< absolute
  std::vector<std::string> args;
  std::map<std::string, std::string> env;  ///< added to / overriding the runner's environment
  std::filesystem::path cwd;               ///< empty: inherit

  Readiness readiness = Readiness::AnnouncedPort;
  int port = 0;  ///< 0: any free port (the app binds port 0); required for FixedPort
  std::chrono::milliseconds ready_timeout{10000};
  /// No new frame for longer than this = degraded, even when the app says "ok".
  std::chrono::milliseconds heartbeat_threshold{1000};

  std::chrono::milliseconds term_grace{3000};  ///< SIGTERM (or /shutdown) → SIGKILL
  std::chrono::milliseconds kill_wait{2000};   ///< SIGKILL → give up waiting ("stuck")
  bool shutdown_request = true;                ///< try POST /shutdown before SIGTERM when healthy

  std::filesystem::path log_dir;  ///< aut-<n>.log go here; empty: the state file's directory
  /// Cap on each aut-<n>.log: a check that finds it larger moves its content
  /// to aut-<n>.log.1 (replacing an older one) and empties it (harness/log_rotation.hpp).
  /// 0: no cap.
  std::uint64_t max_log_bytes = 64ULL << 20;
  std::string token;  ///< LIVEGUI_HOOK_TOKEN; empty: none (and unset for the AUT)
  DisplayMode display = DisplayMode::Inherit;
  std::filesystem::path xvfb_executable = "Xvfb";  ///< looked up in PATH when not absolute

  RespawnPolicy respawn = RespawnPolicy::OnDeathAndDegraded;
  /// After this many failed starts in a row, ensure_ready() fails fast without trying.
  int max_consecutive_failed_starts = 3;
  /// Empty: default_state_dir()/aut-state.json.
  std::filesystem::path state_file;

  /// Throws AppSpecError naming the first bad field: executable missing, not
  /// absolute, not a regular executable file; FixedPort without a port;
  /// out-of-range numbers.
  void validate() const;

  /// The state file to use (state_file, or the default).
  std::filesystem::path resolved_state_file() const;
  /// The log directory to use (log_dir, or the state file's directory).
  std::filesystem::path resolved_log_dir() const;

  /// Reads a TOML table such as `[aut]`. Unknown keys are errors (typos).
  /// Relative paths are resolved against `base_dir`; a bare `executable` name
  /// is looked up in PATH. Durations are strings ("500ms", "1s", "2min");
  /// the deprecated `*_ms` integers are read too and each adds a note to
  /// `notes` (when null, the note is logged as a warning). Errors carry the
  /// file:line:column toml++ recorded for the value (the parser's source
  /// name), or `where` when it has none. Validates the result.
  static AppSpec from_toml(const toml::table& table, const std::string& where, const std::filesystem::path& base_dir,
                           std::vector<AppSpecNote>* notes = nullptr);
  /// The spec as a TOML document that from_toml reads back to an equal spec
  /// (durations written "500ms"/"3s"/"2min"; absolute paths). `with_token`
  /// false leaves the token out (a file that reports name must not hold it).
  std::string to_toml(bool with_token) const;
  /// Parses `path` and reads the table at `section` (dotted, e.g. "tiers.live.aut";
  /// empty: the whole document, or its [aut] table when that is all it holds).
  static AppSpec from_toml_file(const std::filesystem::path& path, const std::string& section = "aut");
  /// Same, from TOML text; `source_name` is used in error messages.
  static AppSpec from_toml_string(const std::string& text, const std::string& section = "aut",
                                  const std::string& source_name = "<string>",
                                  const std::filesystem::path& base_dir = std::filesystem::current_path());
};

}  // namespace livegui
