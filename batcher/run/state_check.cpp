#include "batcher/run/state_check.hpp"

#include "batcher/run/run_state.hpp"
#include "batcher/warning.hpp"
#include "common/text.hpp"

#include <unistd.h>

#include <ctime>
#include <fstream>
#include <limits>

namespace livegui::batch {

std::string describe_exit(const ExitRecord& exit) {
  std::string how = exit.signaled         ? signal_name(exit.signal)
                    : exit.status.empty() ? "exit code " + std::to_string(exit.code)
                                          : exit.status;
  return how + (exit.during_test.empty() ? " between tests" : " during " + exit.during_test);
}

namespace {

/// "with 2 processes of its process group still running: pid 8064 (sleep), pid 8065 (sleep)"
std::string remnants_text(const StateSnapshot& snap) {
  std::string left;
  for (const auto& r : snap.group_remnants)
    left += (left.empty() ? "" : ", ") + std::string("pid ") + std::to_string(r.id.pid) + " (" + r.comm + ")";
  const std::size_t n = snap.group_remnants.size();
  return "with " + std::to_string(n) + (n == 1 ? " process" : " processes") +
         " of its process group still running: " + left;
}

std::string subject(const StateFile& s, const StateCheckContext& ctx) {
  if (!ctx.previous_entry.empty()) return ctx.previous_entry;
  std::string who = "a previous run";
  if (s.owner.pid > 0)
    who += " (" + (s.owner_name.empty() ? std::string() : s.owner_name + ", ") + "pid " + std::to_string(s.owner.pid) +
           ")";
  return who;
}

}  // namespace

StateVerdict classify_state(const StateSnapshot& snap, const StateCheckContext& ctx) {
  StateVerdict v;
  if (!snap.corrupt_reason.empty()) {
    v.kind = StateVerdictKind::Corrupt;
    v.quarantine = true;
    v.what = "the AUT state file is unusable (" + snap.corrupt_reason + ")";
    return v;
  }
  if (!snap.state) return v;
  const StateFile& s = *snap.state;
  const StateInspection& in = snap.inspection;
  v.aut_pid = s.aut ? s.aut->pid : 0;
  const bool owner_is_us = s.owner == ctx.self;
  const bool already_reported = s.updated_at_unix_ms == ctx.acknowledged_unix_ms;

  if (s.aut && in.aut_alive) {
    std::string pid = "pid " + std::to_string(s.aut->pid);
    if (!in.aut_pgid_matches) {
      if (already_reported) return v;
      v.kind = StateVerdictKind::Foreign;
      v.what = "the AUT (" + pid + ") is alive but no longer in its recorded process group " +
               std::to_string(s.aut->pgid) + "; left it alone";
      return v;
    }
    if (owner_is_us) {
      // Our own (session) AUT: only its health matters.
      if (s.status != AutStatus::Degraded || already_reported) return v;
      v.kind = StateVerdictKind::Degraded;
      if (s.degraded_blame && s.degraded_blame->aut_pid == s.aut->pid) v.stacks = s.degraded_blame->stacks;
      const std::string reasons =
          s.degraded_reasons.empty() ? std::string("no reason recorded") : join(s.degraded_reasons, "; ");
      // Left so by an earlier entry and kept (respawn "never"): that entry,
      // as recorded where it was found, not the one that merely ran on it.
      if (auto b = blame_of_another_entry(s.degraded_blame, s.aut->pid, ctx.previous_entry)) {
        v.what = left_degraded_text(*b) + " — " + reasons;
        return v;
      }
      // Found by the batcher's own look between entries (no test was running
      // then): the last test of the previous entry is the last one that ran on it.
      std::string when = !s.degraded_during.empty() ? " during " + s.degraded_during
                         : !ctx.previous_last_test.empty()
                             ? " (found between entries, after its last test " + ctx.previous_last_test + ")"
                             : std::string();
      v.what = subject(s, ctx) + " left the AUT (" + pid + ") degraded" + when + " — " + reasons;
      return v;
    }
    if (in.owner_alive) {
      if (already_reported) return v;
      v.kind = StateVerdictKind::Foreign;
      v.what = "the AUT (" + pid + ") belongs to another live process (" +
               (s.owner_name.empty() ? std::string() : s.owner_name + ", ") + "pid " + std::to_string(s.owner.pid) +
               "); left it alone";
      return v;
    }
    v.kind = StateVerdictKind::Leaked;
    v.stop_aut = true;
    v.what = subject(s, ctx) + " left the AUT (" + pid + ") running" +
             (s.status == AutStatus::Degraded ? " and degraded" : "") + " with its owner (pid " +
             std::to_string(s.owner.pid) + ") gone";
    return v;
  }

  if (s.aut && !snap.group_remnants.empty() && (!in.owner_alive || owner_is_us)) {
    // Whenever it happened: a leftover of an earlier run is exactly what to clean up.
    v.kind = StateVerdictKind::Leaked;
    v.stop_aut = true;
    std::string how = s.last_exit && s.last_exit->pid == s.aut->pid ? describe_exit(*s.last_exit)
                      : !in.owner_alive && s.owner.pid > 0
                          ? "its owner (pid " + std::to_string(s.owner.pid) + ") is gone too"
                          : "it is gone";
    v.what = subject(s, ctx) + " left the AUT (pid " + std::to_string(s.aut->pid) + ") dead — " + how + " — " +
             remnants_text(snap);
    return v;
  }

  // Nothing of it is alive. Only news from the previous entry's window counts.
  const bool fresh = s.updated_at_unix_ms >= ctx.window_start_unix_ms;
  // File scope: the previous entry's runner went away mid-test (pytest
  // killed) and its owner — pytest's livegui-aut — stopped the AUT on its
  // way out, keeping the running test (AppHandle::StopFor::RunnerGone). The
  // AUT ended with that entry: its warning, not the next entry's dirty start.
  if (s.status == AutStatus::Stopped && s.current_test && fresh && !already_reported && !owner_is_us &&
      !ctx.previous_entry.empty() && !ctx.session_scope) {
    v.kind = StateVerdictKind::EndedWithEntry;
    const pid_t aut_pid = s.aut ? s.aut->pid : s.last_exit ? s.last_exit->pid : 0;
    v.what = subject(s, ctx) + " left the AUT" + (aut_pid > 0 ? " (pid " + std::to_string(aut_pid) + ")" : "") +
             " stopped — it went down with its owner (pid " + std::to_string(s.owner.pid) +
             "), which stopped it when the runner it served went away during " + s.current_test->full();
    return v;
  }
  if (s.status == AutStatus::Stopped || !fresh || already_reported) return v;
  if (!s.aut && !s.last_exit) return v;
  v.kind = StateVerdictKind::Dead;
  std::string pid = "pid " + std::to_string(s.aut ? s.aut->pid : s.last_exit->pid);
  std::string how;
  if (s.last_exit && (!s.aut || s.last_exit->pid == s.aut->pid)) {
    how = describe_exit(*s.last_exit);
  } else if (!in.owner_alive && s.owner.pid > 0) {
    how = "it went down with its owner (pid " + std::to_string(s.owner.pid) + "), which ended while the AUT was " +
          to_string(s.status) +
          (s.current_test                       ? " during " + s.current_test->full()
           : !ctx.previous_ended_during.empty() ? " during " + ctx.previous_ended_during
                                                : std::string());
    // File scope, its owner a process of the previous entry (the state is
    // news from that entry's window): the AUT
    // ended with the entry that owned it — stopped at its timeout or at an
    // interrupt, crashed, or ended while its AUT was unfit. The next entry
    // starts its own AUT; nothing of that one was left to it.
    if (!owner_is_us && !ctx.previous_entry.empty() && !ctx.session_scope) v.kind = StateVerdictKind::EndedWithEntry;
  } else {
    how = "it is gone and nothing recorded how it ended";
  }
  if (s.status == AutStatus::Degraded && !s.degraded_reasons.empty())
    how += " (it was degraded: " + join(s.degraded_reasons, "; ") + ")";
  v.what = subject(s, ctx) + " left the AUT (" + pid + ") dead — " + how;
  return v;
}

namespace {

/// The run that left `file`: for a per-run file the batcher its name names
/// (the recorded owner may be one of its test binaries), else the owner.
std::string previous_run(const StateFile& s, const std::string& file) {
  std::string who = "a previous run (";
  ProcessIdentity run = s.owner;
  auto named = run_of_state_file(file);
  if (named && !(*named == s.owner)) {
    // A batcher's file whose record a test binary of it wrote last.
    run = *named;
    who += "livegui-batch, ";
  } else if (!s.owner_name.empty()) {
    // The owner the name names wrote it (a batcher, or a standalone owner
    // that found aut-state.json held by another live owner): its own name.
    who += s.owner_name + ", ";
  }
  who += "pid " + std::to_string(run.pid);
  std::string started = start_time_text(run.start_time);
  if (!started.empty()) who += ", started " + started;
  return who + ")";
}

}  // namespace

StateVerdict classify_left_over(const StateSnapshot& snap, const StateCheckContext& ctx, const std::string& file,
                                bool per_run) {
  StateVerdict v;
  if (!snap.corrupt_reason.empty() || !snap.state) {
    v = classify_state(snap, ctx);
    return v;
  }
  const StateFile& s = *snap.state;
  const StateInspection& in = snap.inspection;
  v.aut_pid = s.aut ? s.aut->pid : 0;
  // A per-run file outlives a clean end only when its batcher did not end cleanly.
  const std::string intro =
      previous_run(s, file) + (s.owner_ended && !per_run ? " ended" : " ended without cleaning up") + " (" + file + ")";
  // A standalone test binary (no lock of a batcher) still running owns its file.
  // This run has its own state file (either scope) and never attaches to that
  // AUT: nothing for the next entry to be warned of; said once, as what it is.
  if (!per_run && in.owner_alive && !(s.owner == ctx.self)) {
    if (!s.aut || !in.aut_alive) return v;
    v.note = ctx.tier + ": the AUT (pid " + std::to_string(s.aut->pid) + ") of another live process (" +
             (s.owner_name.empty() ? std::string() : s.owner_name + ", ") + "pid " + std::to_string(s.owner.pid) +
             ") runs with its own state file " + file +
             "; this run uses a state file of its own and will not touch that AUT.";
    return v;
  }
  if (s.aut && in.aut_alive) {
    StateCheckContext c = ctx;
    c.acknowledged_unix_ms = -1;
    v = classify_state(snap, c);
    if (v.kind == StateVerdictKind::Leaked)
      v.what = intro + ": its AUT (pid " + std::to_string(s.aut->pid) + ") was still running" +
               (s.status == AutStatus::Degraded ? " and degraded" : "");
    return v;
  }
  if (s.aut && !snap.group_remnants.empty()) {
    StateCheckContext c = ctx;
    c.acknowledged_unix_ms = -1;
    v = classify_state(snap, c);
    // The intro has named the run once; its AUT is "its", not a second
    // "a previous run (…)" under the record's owner name (trial13b N6).
    if (v.kind == StateVerdictKind::Leaked)
      v.what = intro + "; its AUT (pid " + std::to_string(s.aut->pid) + ") is dead — " +
               (s.last_exit && s.last_exit->pid == s.aut->pid ? describe_exit(*s.last_exit)
                                                              : std::string("it went down with its owner")) +
               " — " + remnants_text(snap);
    return v;
  }
  // A standalone owner's clean end: it stopped its AUT, or had none to stop
  // (it never started, or died and was recorded) and said it was done.
  if (!per_run && (s.status == AutStatus::Stopped || s.owner_ended)) return v;
  v.kind = StateVerdictKind::Stale;
  std::string what = intro;
  if (s.aut) {
    std::string pid = "pid " + std::to_string(s.aut->pid);
    if (s.last_exit && s.last_exit->pid == s.aut->pid) {
      what += "; its AUT (" + pid + ") " + (s.last_exit->signaled ? "was killed by " : "ended with ") +
              describe_exit(*s.last_exit);
    } else if (s.status == AutStatus::Stopped) {
      what += "; its AUT (" + pid + ") had been stopped";
    } else if (snap.reused_by) {
      what += "; its AUT (" + pid + ", " + to_string(s.status) +
              (s.current_test ? " during " + s.current_test->full() : std::string(" between tests")) + ") is gone";
    } else {
      what += "; its AUT (" + pid + ") was " + to_string(s.status) +
              (s.current_test ? " during " + s.current_test->full() : std::string(" between tests")) +
              " and went down with its owner";
    }
    // Why it was degraded, as a live run's warning says it (trial14a).
    if (s.status == AutStatus::Degraded && !s.degraded_reasons.empty() &&
        !(s.last_exit && s.last_exit->pid == s.aut->pid))
      what += " (it was degraded: " + join(s.degraded_reasons, "; ") + ")";
    if (snap.reused_by)
      what += "; pid " + std::to_string(snap.reused_by->pid) + " now belongs to another process (" +
              snap.reused_by->comm + "); left alone";
  } else if (s.current_test) {
    what += " during " + s.current_test->full();
  }
  // Group members nobody can prove are the AUT's are named after this
  // (unproven_note): "nothing" would then contradict the note.
  v.what = what + (snap.unproven_remnants.empty() ? "; nothing of it is left running"
                                                  : "; nothing provably of it is left running");
  return v;
}

std::optional<DegradedBlame> blame_of_another_entry(const std::optional<DegradedBlame>& blame, pid_t aut_pid,
                                                    const std::string& previous_entry) {
  if (!blame || blame->aut_pid != aut_pid || blame->entry.empty() || blame->entry == previous_entry)
    return std::nullopt;
  return blame;
}

StateVerdict unfit_session_verdict(const UnfitAut& aut, const StateCheckContext& ctx) {
  StateVerdict v;
  v.kind = aut.kind;
  v.aut_pid = aut.pid;
  if (auto b = aut.kind == StateVerdictKind::Degraded ? blame_of_another_entry(aut.blame, aut.pid, ctx.previous_entry)
                                                      : std::nullopt) {
    v.what = left_degraded_text(*b) + " — " + (aut.cause.empty() ? std::string("no reason recorded") : aut.cause);
    return v;
  }
  std::string who = ctx.previous_entry.empty() ? std::string("a previous run") : ctx.previous_entry;
  std::string when = !aut.during_test.empty() ? " during " + aut.during_test
                     : !ctx.previous_last_test.empty()
                         ? " (found between entries, after its last test " + ctx.previous_last_test + ")"
                         : std::string(" between tests");
  v.what = who + " left the AUT (pid " + std::to_string(aut.pid) + ") " + to_string(aut.kind) + when + " — " +
           (aut.cause.empty() ? std::string("no reason recorded") : aut.cause);
  return v;
}

std::string entry_message(const StateVerdict& v) { return v.what; }

std::string warning_line(const StateVerdict& v, const StateCheckContext& ctx, const std::string& action) {
  return warn_line(warning_message(v, ctx, action));
}

std::string warning_message(const StateVerdict& v, const StateCheckContext& ctx, const std::string& action) {
  std::string line = ctx.tier + ": " + v.what + action + ".";
  if (ctx.next_entry.empty()) return line + " (No AUT entry follows in this tier.)";
  switch (v.kind) {
    case StateVerdictKind::Corrupt:
      return line + " " + ctx.next_entry + " starts without knowing what the AUT was left in.";
    case StateVerdictKind::Foreign: return line + " " + ctx.next_entry + " may find the AUT in use.";
    case StateVerdictKind::Stale: return line + " " + ctx.next_entry + " starts on a fresh AUT.";
    case StateVerdictKind::Degraded:
      if (ctx.session_respawn_never)
        return line + " " + ctx.next_entry +
               " starts on the degraded AUT: respawn policy never; its tests will fail with subprocess degraded.";
      break;
    case StateVerdictKind::Dead:
      if (ctx.session_respawn_never)
        return line + " " + ctx.next_entry +
               " gets no AUT from the batcher (respawn policy never); the test binary starts its own.";
      break;
    default: break;
  }
  return line + " " + ctx.next_entry + " starts on a fresh AUT; it did not get to deal with the dirty state.";
}

}  // namespace livegui::batch
