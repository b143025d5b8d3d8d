#pragma once
// --aut-scope session: the batcher owns one AUT per tier that uses it
// (through the harness's AppHandle, spec from the tier's `aut` table). Test
// binaries attach to it through the state file (LIVEGUI_AUT_SCOPE=session);
// between entries the batcher checks it and lazily respawns it.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "batcher/run/state_check.hpp"
#include "harness/app_handle.hpp"
#include "harness/state_file.hpp"

namespace livegui::batch {

/// During an entry, a guest (the entry's own AppHandle: a GoogleTest binary's
/// or livegui_pytest's livegui-aut) found the session AUT dead or degraded,
/// stopped it and started its own: the state file then records the guest as
/// the owner of another AUT. Read before the session AUT is respawned.
struct GuestReplacement {
  pid_t replaced_pid = 0;      ///< the session AUT the guest stopped
  pid_t successor_pid = 0;     ///< the AUT the guest started instead
  pid_t guest_pid = 0;         ///< the guest process (owner of the successor)
  std::string guest_name;      ///< its comm, e.g. "livegui-aut"
  std::string reason;          ///< why it replaced ours: "AUT pid 4121 degraded during t.py::a: …"
  /// Why it respawned its own AUT after that, each time, oldest first
  /// ("AUT pid 4188 died during t.py::c (killed by SIGABRT)"); the last one
  /// started successor_pid.
  std::vector<std::string> later_reasons;
  /// How many times it respawned after the replacement: the true count, which
  /// exceeds later_reasons.size() when the state file kept only the first
  /// StateFile::kMaxRespawnReasons reasons.
  std::size_t later_respawns = 0;
  AutStatus successor_status;  ///< what the guest left it in (stopped when it ended cleanly)
  /// How the replaced AUT ended, as its parent (the batcher) sees it without
  /// reaping it yet ("killed by SIGABRT"), when it died on its own (the guest
  /// recorded its death, without the status only a parent knows); else empty.
  std::string replaced_exit;
};

/// What state file `st` says of a guest that replaced the session AUT `ours`
/// (started by the batcher as spawn number `ours_spawn`: the guest continues
/// that count): who, with what, why, and each later respawn. Not replaced_exit
/// (only the AUT's parent can tell). Pure: reads nothing else.
GuestReplacement guest_replacement_from(const StateFile& st, pid_t ours, int ours_spawn);

/// Why the session AUT is respawned after a guest replaced it:
/// "AUT pid S, started by G (pid N) in place of the session AUT (pid P), was
/// stopped when G ended" (or "… was left dead" / "… degraded").
std::string guest_respawn_reason(const GuestReplacement& r);

/// The warning line ("[BATCH-WARN] <tier>: during <entry>, livegui-aut (pid P)
/// replaced the session AUT (pid A) with pid B — <why>; …") for a replacement
/// seen before `next_entry`, for which the session AUT was respawned as `new_pid`
/// (`next_entry` empty: seen at the end of the tier; `new_pid` is not used).
std::string guest_replacement_warning(const std::string& tier, const std::string& entry, const GuestReplacement& r,
                                      pid_t new_pid, const std::string& next_entry);
/// The same warning as the entry keeps it (EntryResult::warnings): without
/// the "[BATCH-WARN] <tier>: " prefix and the final full stop
/// (batcher/warning.hpp adds them). `next_entry` empty: ends before the
/// "(No AUT entry follows …)" note.
std::string guest_replacement_message(const std::string& entry, const GuestReplacement& r, pid_t new_pid,
                                      const std::string& next_entry);

class AutSession {
 public:
  /// The tier's AUT spec as the plan reader validated it; `state_file` and
  /// `log_dir` replace the spec's. Starts nothing. Throws AppSpecError when
  /// the spec no longer validates (e.g. its executable was removed since).
  AutSession(AppSpec spec, const std::filesystem::path& state_file, const std::filesystem::path& log_dir);
  ~AutSession();
  AutSession(const AutSession&) = delete;
  AutSession& operator=(const AutSession&) = delete;

  /// Before `entry`: a healthy AUT, started or respawned as needed. Bounded
  /// by the spec's ready timeout. Throws (StartError, AutUnavailable) with the reason.
  /// With `replaced` (a guest replaced ours since the last ensure), a respawn
  /// records why the guest's successor is gone (guest_respawn_reason), not
  /// again the death of ours that the guest already reported.
  ReadyEvent ensure(const std::string& entry, const GuestReplacement* replaced = nullptr);

  /// Stops the AUT (bounded). Never throws. `why` = Reported after the
  /// batcher's own end-of-tier check has said what state it was in: the
  /// state file then records it stopped, so the next tier does not report a
  /// degraded AUT the batcher itself stopped as "dead" again.
  void stop(AppHandle::StopFor why = AppHandle::StopFor::Done);

  pid_t pid() const;

  /// Looks at the AUT (without blocking) so that a death is recorded in the
  /// state file with the status only its parent knows — merged with the test
  /// a guest recorded it in. Starts nothing. Never throws.
  void observe();

  /// The session AUT was replaced by a guest since it was last ensured (the
  /// state file names another owner and another AUT); std::nullopt when not,
  /// or when the file cannot be read. Only an AUT the last ensure() provided
  /// can have been replaced: when it provided none (respawn "never" after a
  /// death, failed starts), a guest's own AUT is what the batcher said would
  /// happen ("the test binary starts its own"), not a replacement. Reads one
  /// file; never throws.
  std::optional<GuestReplacement> replaced_by_guest() const;

  /// The AUT is running but degraded (one health check). Never throws.
  bool degraded();

  /// What the AUT is found in (one health check) and the test it broke in,
  /// as the state file records it (a stand-in test of ours is none). For an
  /// AUT ensure() refused to replace (respawn "never"). Never throws.
  UnfitAut unfit_aut();

  /// Between entries: whether the session AUT's main loop is still alive
  /// after `entry_ended` (steady clock), when the previous entry's process
  /// ended. A stall an entry caused in its last moments (its last test hung
  /// the main loop and still passed) looks fresh then: the app's last frame
  /// is younger than the heartbeat threshold. So: one /health probe; when the
  /// app answers with a frame drawn after `entry_ended` (or is busy on an
  /// action), it is alive and this returns at once. Otherwise it probes again
  /// with short back-off until such a frame appears or the heartbeat rules
  /// call the AUT degraded — at most the heartbeat threshold (plus a probe's
  /// bound, and a stall's stack capture). A degraded finding is written to
  /// the state file (status, reasons), where the state check reads it as
  /// what the previous entry left; an AUT the file already records degraded
  /// or dead (a guest saw it, naming its test) is not probed again. Starts
  /// and stops nothing; never throws.
  /// A stall found here is recorded against `blame` (the previous entry,
  /// its last test, between_entries: the state file's degraded_blame), which
  /// later entries' tests and warnings name, and every thread's stack of the
  /// stalled AUT is captured into `stacks_dir` (the previous entry's artifact
  /// dir; "" = the session's log dir), bounded as any stall's capture
  /// (harness/stack_capture.hpp): stall_stacks() names the file.
  /// Returns what the last probe found (NotStarted: no AUT of ours to probe).
  AutHealth await_progress(std::chrono::steady_clock::time_point entry_ended, const DegradedBlame& blame = {},
                           const std::filesystem::path& stacks_dir = {});

  /// The stacks file the last await_progress() captured of a stall it
  /// found; "" when it found none (or the capture failed).
  const std::filesystem::path& stall_stacks() const { return stall_stacks_; }

  /// The tier's `respawn = "never"`: ensure() never replaces a dead or degraded AUT.
  bool respawn_never() const;

 private:
  std::unique_ptr<AppHandle> handle_;
  std::filesystem::path state_file_;
  pid_t provided_ = 0;  ///< the AUT the last ensure() gave its entry; 0 = none
  std::filesystem::path stall_stacks_;  ///< see stall_stacks()
};

}  // namespace livegui::batch
