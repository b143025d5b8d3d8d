#pragma once
// Between two entries that use the AUT, the state file tells what the
// previous one left behind. This layer only classifies (no I/O, so it is
// tested with hand-written states); state_guard.hpp reads, acts and records.
//
//   clean     no file, stopped cleanly, or nothing new since the previous entry began
//   dead      the AUT died during the previous entry (last_exit says how and in which test)
//   degraded  the AUT is alive but reported degraded (session scope: the batcher's own AUT)
//   leaked    the AUT is alive, ours (pid + start time + pgid), and its owner is gone: stop it;
//             or the AUT is dead but processes of its group live on (its
//             grandchildren, when its owner was SIGKILLed): stop those
//   foreign   the AUT is alive and owned by another live process: leave it alone
//   corrupt   the file is unusable: move it aside
//   stale     (classify_left_over) a run that is over left its state file
//             without cleaning up: report it, stop what is provably its, move it aside
//   ended-with-entry  the AUT went down with its owner, a process of the
//             previous entry (a test binary, pytest's livegui-aut) that was
//             stopped, crashed or ended while the AUT was unfit: that entry's
//             own business, said on it, not a dirty start of the next one

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "batcher/state_verdict.hpp"
#include "common/proc_info.hpp"
#include "harness/state_file.hpp"

namespace livegui::batch {

/// A live process of the recorded AUT's process group, the AUT itself gone.
struct GroupRemnant {
  ProcessIdentity id;
  std::string comm;
};

/// What was read, and what the kernel says about the processes it names.
struct StateSnapshot {
  std::optional<StateFile> state;  ///< std::nullopt: no file (or corrupt)
  std::string corrupt_reason;      ///< non-empty: read_state_file refused it
  StateInspection inspection;
  /// The recorded AUT is gone but members of its process group live on, e.g.
  /// its grandchildren after its owner was SIGKILLed (PDEATHSIG reaches the
  /// AUT, not what it forked): those that started between the AUT and the
  /// file's last write, so the group id cannot have been reused for them.
  std::vector<GroupRemnant> group_remnants;
  /// In the dead AUT's group and its time window, but nothing proves they are
  /// the AUT's: they do not carry the LIVEGUI_RUNS word of the run that wrote
  /// the file (a standalone file has no such run). Reported, never signalled.
  std::vector<GroupRemnant> unproven_remnants;
  /// The recorded AUT is gone and its pid (or the pid of its group's leader)
  /// now names another live process: a reused id. Nothing of that group is
  /// ever signalled then.
  std::optional<ProcStat> reused_by;
};

struct StateCheckContext {
  std::string tier;
  std::string previous_entry;              ///< previous AUT entry of this run; "" = none yet
  std::string next_entry;                  ///< "" = no entry follows (end of tier)
  std::int64_t window_start_unix_ms = 0;   ///< when the previous entry (or the batch) started
  ProcessIdentity self;                    ///< the batcher
  std::int64_t acknowledged_unix_ms = -1;  ///< a state already reported (same updated_at) is not news
  /// Session scope with the tier's `respawn = "never"`: the batcher does not
  /// replace a dead or degraded AUT, so the warning says what happens instead.
  bool session_respawn_never = false;
  /// --aut-scope session: the AUT lineage is shared by the tier's entries, so
  /// what an entry's harness left of it (its replacement of the session AUT
  /// gone with it) stays a dirty start of the next entry.
  bool session_scope = false;
  /// The test the previous entry's process was in when it was stopped or
  /// died (its TIMEOUT, CRASH or UNRESOLVED test), named when the state file
  /// does not say which test was running; "" = none or not known.
  std::string previous_ended_during;
  /// The last test the previous entry ran (its results), named when the AUT
  /// is found degraded between entries and the state file does not say in
  /// which test it degraded; "" = none or not known.
  std::string previous_last_test;
};

struct StateVerdict {
  StateVerdictKind kind = StateVerdictKind::Clean;
  pid_t aut_pid = 0;
  std::string what;  ///< "test_x left the AUT (pid 4121) dead — SIGABRT during A.b"
  bool stop_aut = false;
  bool quarantine = false;
  /// Degraded: the stall's stacks, captured where it was found (the state
  /// file's degraded_blame); "" when none were.
  std::string stacks;
  /// Clean, but worth one line: a live standalone AUT (another process's,
  /// with its own aut-state.json) that this run never uses or touches ("" = none).
  std::string note;
  /// A dirty start of the next entry; EndedWithEntry is not one (it is said
  /// on the previous entry: entry_message()).
  bool dirty() const { return kind != StateVerdictKind::Clean && kind != StateVerdictKind::EndedWithEntry; }
};

StateVerdict classify_state(const StateSnapshot& snapshot, const StateCheckContext& context);

/// A state file left by a run that is over (its lock was free; `per_run`:
/// one of the batcher's per-run files, which a clean end removes). Stale when
/// nothing of it lives on, Leaked when its AUT or group remnants do (stop
/// them), Corrupt when unreadable; Clean when a standalone owner stopped it
/// cleanly, and Clean with a `note` when a live standalone owner (a test
/// binary or livegui-aut run alone) still owns it: a run never uses that file.
/// `file` is named in the message.
StateVerdict classify_left_over(const StateSnapshot& snapshot, const StateCheckContext& context,
                                const std::string& file, bool per_run);

/// "[BATCH-WARN] live_gui: <what><action>. <next> starts on a fresh AUT; it did
/// not get to deal with the dirty state." `action` ("; stopped it (SIGTERM)")
/// says what the batcher did about it.
std::string warning_line(const StateVerdict& verdict, const StateCheckContext& context, const std::string& action);
/// warning_line() without the "[BATCH-WARN] " prefix (batcher/warning.hpp):
/// the message a DirtyStart keeps.
std::string warning_message(const StateVerdict& verdict, const StateCheckContext& context, const std::string& action);

/// For an EndedWithEntry verdict: the warning the previous entry keeps
/// (EntryResult::warnings, no tier prefix, no full stop) — "sleeps left the
/// AUT (pid 4121) dead — it went down with its owner (pid 4100), which ended
/// while the AUT was healthy during t.py::test_a".
std::string entry_message(const StateVerdict& verdict);

/// The session AUT as the batcher finds it when the respawn policy "never"
/// keeps it unfit (AutUnavailable from AutSession::ensure) and the state
/// check had said nothing of it.
struct UnfitAut {
  pid_t pid = 0;                                       ///< the AUT that is kept, never 0 for a real one
  StateVerdictKind kind = StateVerdictKind::Degraded;  ///< Dead or Degraded
  std::string cause;                                   ///< "heartbeat stalled: …", "killed by SIGABRT"
  std::string during_test;                             ///< the test it broke in; "" = not known (never a stand-in)
  /// Degraded: who the state file says left it so (degraded_blame), when recorded.
  std::optional<DegradedBlame> blame;
};

/// The state file's record of who left its AUT (`aut_pid`) degraded, when it
/// names an entry other than `previous_entry` — under respawn "never" the
/// AUT stays degraded through later entries, whose tests must not be blamed
/// in turn; std::nullopt otherwise (the previous entry's own doing is said
/// as before).
std::optional<DegradedBlame> blame_of_another_entry(const std::optional<DegradedBlame>& blame, pid_t aut_pid,
                                                    const std::string& previous_entry);

/// The verdict for an UnfitAut: what = "<previous entry> left the AUT (pid P)
/// degraded during T — <cause>" ("… (found between entries, after its last
/// test T)" from context.previous_last_test, else "… between tests"); when
/// the blame names an earlier entry: "X left the AUT (pid P) still degraded
/// (found between entries, after T, the last test of X) — <cause>". Shown
/// with warning_message(), whose respawn-"never" wording says what the next
/// entry gets.
StateVerdict unfit_session_verdict(const UnfitAut& aut, const StateCheckContext& context);

/// "SIGABRT during A.b", "exit code 3 between tests".
std::string describe_exit(const ExitRecord& exit);

}  // namespace livegui::batch
