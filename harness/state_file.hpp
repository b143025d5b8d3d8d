#pragma once
// The AUT state file (docs/state-file.md): written atomically by the harness
// at every transition, read and validated by the batcher between files.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/x_display_files.hpp"

namespace livegui {

enum class AutStatus { Starting, Healthy, Degraded, Dead, Stopped };
const char* to_string(AutStatus s);
std::optional<AutStatus> aut_status_from_string(const std::string& s);

struct ProcessIdentity {
  pid_t pid = 0;
  std::uint64_t start_time = 0;  ///< /proc/<pid>/stat field 22
  bool operator==(const ProcessIdentity&) const = default;
};

/// The private X server (Xvfb) an owner started for its AUT, as it was once
/// ready: enough for whoever finds the owner dead to remove the socket file a
/// SIGKILLed server leaves (remove_dead_x_server_files), and nothing else.
struct XServerRecord {
  ProcessIdentity process;
  XDisplaySocket socket;  ///< its display's socket file (display, device, inode)
  bool operator==(const XServerRecord&) const = default;
};

struct AutRecord {
  pid_t pid = 0;
  pid_t pgid = 0;
  std::uint64_t start_time = 0;
  std::string executable;
  int port = 0;
  std::string log_file;
  std::string display;                    ///< empty when none
  std::optional<XServerRecord> x_server;  ///< when display is a private Xvfb of the owner's
  bool operator==(const AutRecord&) const = default;
};

struct ExitRecord {
  pid_t pid = 0;
  std::string status;  ///< ExitStatus::describe(), e.g. "killed by SIGABRT"
  bool signaled = false;
  int code = 0;
  int signal = 0;
  std::string during_test;  ///< TestRef::full() of the running test, empty when between tests
  bool operator==(const ExitRecord&) const = default;
};

/// How the runner spells a test's id, so that the state file, warnings and
/// results name a test the same way.
enum class TestIdSyntax {
  Dotted,  ///< GoogleTest: "Suite.Name"
  NodeId,  ///< pytest: "path/test_x.py::Class::test_a[1]" (suite = the file, name = the rest)
};
/// "dotted" / "node_id" (the state file's current_test.syntax).
const char* to_string(TestIdSyntax s);
std::optional<TestIdSyntax> test_id_syntax_from_string(const std::string& s);

struct TestRef {
  std::string suite;
  std::string name;
  TestIdSyntax syntax = TestIdSyntax::Dotted;
  /// The test's id in its runner's syntax: "Suite.Name" or "file.py::name"; just the name when suite is empty.
  std::string full() const {
    if (suite.empty()) return name;
    return suite + (syntax == TestIdSyntax::NodeId ? "::" : ".") + name;
  }
  bool operator==(const TestRef&) const = default;
};

/// Who left the AUT degraded, recorded once where the degradation was found
/// and kept while that AUT stays degraded (state file `degraded_blame`), so
/// that every later test and entry names the entry that broke it, not each
/// other.
struct DegradedBlame {
  pid_t aut_pid = 0;             ///< the AUT it is about; a record of another pid says nothing of the current one
  std::string entry;             ///< the livegui-batch entry (LIVEGUI_BATCH_ENTRY_NAME); "" outside a batch
  std::string test;              ///< the test it degraded during, or (between_entries) the entry's last test; may be ""
  bool between_entries = false;  ///< found by livegui-batch between entries, after `entry` ended
  /// The file the stall's stacks were captured to where it was found
  /// (absolute); "" when none was (not a stall, or the capture was off).
  std::string stacks;
  bool operator==(const DegradedBlame&) const = default;
};

/// "found between entries, after S.C, the last test of X" / "during S.B" /
/// "found between entries, after X" / "" (nothing known): what goes in the
/// parentheses of "X left the AUT (pid P) still degraded (…)".
std::string describe_blame(const DegradedBlame& blame);

/// "X left the AUT (pid P) still degraded (found between entries, after S.C,
/// the last test of X)"; without the parentheses when describe_blame() is "".
/// Requires blame.entry non-empty.
std::string left_degraded_text(const DegradedBlame& blame);

struct StateFile {
  static constexpr int kSchemaVersion = 1;
  AutStatus status = AutStatus::Starting;
  std::optional<AutRecord> aut;
  ProcessIdentity owner;
  std::string owner_name;
  int spawn_count = 0;
  std::string last_respawn_reason;
  /// Why each respawn by the current owner happened, oldest first (the last
  /// one is last_respawn_reason); at most kMaxRespawnReasons, the oldest kept.
  /// A guest that takes over starts it afresh: its first entry says why it
  /// replaced the AUT it found.
  std::vector<std::string> respawn_reasons;
  static constexpr std::size_t kMaxRespawnReasons = 20;
  std::optional<ExitRecord> last_exit;
  std::vector<std::string> degraded_reasons;
  /// The test that was running (or had just run) when the AUT was first seen
  /// degraded; empty when not degraded or not known.
  std::string degraded_during;
  /// Who left the AUT degraded (entry, test, where it was found): set once,
  /// when the AUT is first recorded degraded, and kept by every later
  /// writer while it stays so. Optional in the file (`degraded_blame`).
  std::optional<DegradedBlame> degraded_blame;
  std::optional<TestRef> current_test;
  /// The owner let go of the AUT on purpose (AppHandle::stop(): at its end,
  /// or when it never got an AUT to start): what the file says of the AUT is
  /// history, not a run that vanished. Cleared when the owner starts an AUT
  /// again. Optional in the file (`"owner_ended": true`); absent means false.
  bool owner_ended = false;
  std::int64_t updated_at_unix_ms = 0;
  bool operator==(const StateFile&) const = default;
};

/// The state file is unusable; what() names the file and the field.
class StateFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Default state directory, the one place it is decided: $LIVEGUI_STATE_DIR,
/// else $XDG_RUNTIME_DIR/livegui, else /dev/shm/livegui-<uid> when /dev/shm is
/// a writable tmpfs with room (is_writable_tmpfs), else /tmp/livegui-<uid>.
/// Creates nothing.
std::filesystem::path default_state_dir();

/// Free space below which a tmpfs counts as full: 1 MiB.
inline constexpr unsigned long long kTmpfsMinFree = 1ull << 20;

/// True when `dir` is on a tmpfs, we may create files in it, and it has
/// kTmpfsMinFree bytes and 64 inodes free (statfs(2)).
bool is_writable_tmpfs(const std::filesystem::path& dir);

/// Creates `dir` (0700) if needed. Throws StateFileError when it exists but is
/// not a directory, is a symlink, is owned by another user or is writable by others.
void ensure_state_dir(const std::filesystem::path& dir);

/// Writes atomically (temp + fsync + rename, 0600, never following a symlink).
/// Sets updated_at. Throws StateFileError on I/O failure. `durable` = false
/// skips the fsync (still atomic for readers, as rename(2) is; only a power
/// loss could lose the update): for frequent, low-value updates such as the
/// current test, where an fsync on a disk-backed /tmp costs milliseconds.
void write_state_file(const std::filesystem::path& path, StateFile state, bool durable = true);

/// Reads and validates. std::nullopt when the file does not exist. Throws
/// StateFileError (naming the file and field) when it is a symlink, not a
/// regular file, owned by someone else, group/world-writable, not JSON, of an
/// unknown schema version, or has a missing/mistyped field.
std::optional<StateFile> read_state_file(const std::filesystem::path& path);

/// What the kernel says about the processes a state file names.
struct StateInspection {
  bool aut_alive = false;         ///< pid exists, not a zombie, start time matches
  bool aut_pgid_matches = false;  ///< its current pgid is the recorded pgid
  bool owner_alive = false;       ///< owner pid exists with the recorded start time
  /// aut_alive && aut_pgid_matches: safe to signal the recorded group.
  bool aut_is_ours() const { return aut_alive && aut_pgid_matches; }
};
StateInspection inspect_state(const StateFile& state);

/// Removes what the private X server recorded in `state` (aut.x_server) left
/// on its display once it is dead — a SIGKILLed server cannot remove its
/// socket file (common/x_display_files.hpp) — for whoever finds the state's
/// owner gone. Nothing when no server is recorded, it still runs, its pid
/// now belongs to another process (start time), or the files are not its
/// own any more. Returns "removed what its dead X server (pid P, display :N)
/// left: <files>" for a report, or "". Never throws.
std::string remove_dead_x_server(const StateFile& state, const std::filesystem::path& x_root = "/tmp");

/// Identity of the calling process.
ProcessIdentity self_identity();

}  // namespace livegui
