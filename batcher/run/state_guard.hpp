#pragma once
// Reads the AUT state file between entries (and while an AUT entry runs),
// classifies it (state_check.hpp), acts — stops a leaked AUT's group after
// re-verifying pid + start time + pgid, moves a corrupt file aside — and
// keeps the AUT timeline (spawns, deaths, respawns with reasons and times)
// from what successive reads show.

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "batcher/results.hpp"
#include "batcher/run/state_check.hpp"
#include "common/keep_newest.hpp"

namespace livegui::batch {

/// Reads `file` and asks the kernel about the processes it names. Never throws.
StateSnapshot read_snapshot(const std::filesystem::path& file);

/// Moves a corrupt state file (or symlink) aside to "<name>.corrupt-<timestamp>".
/// Returns the new path; throws std::runtime_error saying why it could not.
std::filesystem::path quarantine_state_file(const std::filesystem::path& file);

/// Moves `file` aside to "<name><tag><timestamp>" (tag ".corrupt-", ".stale-"),
/// then removes all but the kKeptAside newest files of that tag in its
/// directory (each run's state file has a name of its own: without this a
/// host that keeps killing runs collects them for ever). Returns the new
/// path; throws std::runtime_error saying why it could not move it.
std::filesystem::path move_state_file_aside(const std::filesystem::path& file, const std::string& tag);

/// How many moved-aside state files of each tag a directory keeps (the one
/// rule for files a run leaves behind, common/keep_newest.hpp).
inline constexpr std::size_t kKeptAside = kKeptFiles;

/// Removes all but the `keep` newest files in `dir` whose names carry `tag`
/// followed by a move_state_file_aside() timestamp (keep_newest(), ordered
/// by that timestamp); never anything else, never a directory.
/// Returns how many it removed. Never throws.
std::size_t prune_moved_aside(const std::filesystem::path& dir, const std::string& tag, std::size_t keep);

/// Stops the AUT a state file records, if — checked again right before each
/// signal — it is still the same process (pid + start time) in the recorded
/// group: SIGTERM to the group, `term_grace`, SIGKILL, `kill_wait`. Bounded.
/// Returns what happened ("stopped it (SIGTERM)", "… (needed SIGKILL)", …).
std::string stop_recorded_aut(const StateFile& state, std::chrono::milliseconds term_grace,
                              std::chrono::milliseconds kill_wait);

/// Stops what is left of a dead AUT's process group (StateSnapshot::group_remnants),
/// process by process, each only while its pid + start time still match:
/// SIGTERM, `term_grace`, SIGKILL, `kill_wait`. Bounded. Returns what happened.
std::string stop_group_remnants(const std::vector<GroupRemnant>& remnants, std::chrono::milliseconds term_grace,
                                std::chrono::milliseconds kill_wait);

struct CheckOutcome {
  StateVerdict verdict;
  std::string warning;  ///< the [BATCH-WARN] line; empty when clean
  std::optional<DirtyStart> dirty_start;
  /// StateVerdictKind::EndedWithEntry: the warning the previous entry keeps
  /// (entry_message(); shown with entry_warn_line()); empty otherwise.
  std::string entry_warning;
  /// A line said once, not a warning nor a dirty start (StateVerdict::note); "" = none.
  std::string note;
};

class StateGuard {
 public:
  struct Options {
    std::filesystem::path state_file;
    std::chrono::milliseconds term_grace{3000};
    std::chrono::milliseconds kill_wait{2000};
    /// Where X servers keep their sockets (<x_root>/.X11-unix/X<n>) and locks:
    /// /tmp, but for tests.
    std::filesystem::path x_root = "/tmp";
  };
  /// Watches the state file's directory (inotify) when it can.
  explicit StateGuard(Options options);
  ~StateGuard();
  StateGuard(const StateGuard&) = delete;
  StateGuard& operator=(const StateGuard&) = delete;

  const std::filesystem::path& state_file() const { return options_.state_file; }

  /// Readable when the state file may have changed; -1 without inotify (then
  /// poll observe() on a timer instead).
  int watch_fd() const { return watch_fd_; }
  /// Consumes pending notifications; true when one was about the state file.
  bool drain_watch();

  /// Reads the file and records what changed since the last read, against
  /// the entry `entry_id` of `tier`. Cheap (one small file, a few /proc reads).
  void observe(const std::string& tier, const std::string& entry_id);

  /// Before an AUT entry (context.next_entry), or at the end of a tier
  /// (next_entry ""): observes (against `previous_entry_id`), classifies, acts.
  CheckOutcome check(const StateCheckContext& context, const std::string& previous_entry_id);

  /// Once per run, before its first AUT entry: every state file in the state
  /// file's directory that a run which is over left behind (run_state.hpp:
  /// its lock is free; files of live runs are never read). Each is reported
  /// (one outcome each), what of it is provably still ours is stopped, and
  /// the file is moved aside ("….stale-<time>"; corrupt: "….corrupt-<time>").
  /// The socket and lock files of the private X server a file records
  /// (aut.x_server), when that server is dead, are removed
  /// (remove_dead_x_server_files: the very file, nobody listening on it): a
  /// run SIGKILLed together with its Xvfb (and reaper) leaves them otherwise.
  /// A file a live standalone owner (a test binary, livegui-aut) owns is left
  /// alone: an outcome with only a `note`, no warning, no dirty start.
  /// Bounded (term_grace + kill_wait per file at most). Empty on later calls.
  std::vector<CheckOutcome> check_left_overs(const StateCheckContext& context);

  /// AUT spawns and respawns observed since the last call.
  struct Counts {
    int spawns = 0;
    int respawns = 0;
  };
  Counts take_counts();

  void add_event(TimelineEvent event) { timeline_.push_back(std::move(event)); }
  const std::vector<TimelineEvent>& timeline() const { return timeline_; }

 private:
  void record_changes(const StateFile& now, const std::string& tier, const std::string& entry_id);

  Options options_;
  std::int64_t created_unix_ms_ = 0;  ///< state written before this is a previous run's
  int watch_fd_ = -1;
  std::optional<StateFile> last_;
  std::set<pid_t> spawned_;                    ///< AUT pids already in the timeline as started
  std::set<pid_t> dead_;                       ///< … as dead
  std::set<pid_t> degraded_;                   ///< … as degraded
  std::set<pid_t> stopped_;                    ///< … as stopped
  std::map<pid_t, std::size_t> death_events_;  ///< AUT pid → its death event in timeline_
  std::map<pid_t, std::string> death_entry_;   ///< AUT pid → the entry its death was seen against
  std::set<std::pair<pid_t, std::uint64_t>> starters_;  ///< owners (pid, start time) seen starting an AUT
  std::set<pid_t> reported_degraded_;          ///< AUTs whose degradation was warned about
  std::vector<TimelineEvent> timeline_;
  Counts counts_;
  std::int64_t acknowledged_unix_ms_ = -1;
  bool left_overs_checked_ = false;
};

}  // namespace livegui::batch
