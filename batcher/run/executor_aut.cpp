// The executor's AUT between entries: before an AUT entry, the state check
// (what the last entry or an earlier run left) and the session AUT ensured,
// a guest's replacement of it said as a warning of the entry it happened in;
// at a tier's end, the last check and the session AUT stopped.
#include <algorithm>
#include <set>

#include "batcher/run/aut_session.hpp"
#include "batcher/run/executor.hpp"
#include "batcher/run/executor_job.hpp"
#include "batcher/run/orphans.hpp"
#include "batcher/run/state_guard.hpp"
#include "batcher/select/discovery.hpp"
#include "batcher/warning.hpp"
#include "common/log.hpp"

namespace livegui::batch {
namespace {

/// The test entry `id`'s process was in when it was stopped or died: its
/// TIMEOUT, CRASH or UNRESOLVED test ("" = none, or no such result yet).
std::string ended_during(const std::vector<std::optional<EntryResult>>* results, const std::string& id) {
  if (!results) return "";
  for (const auto& r : *results) {
    if (!r || r->id != id) continue;
    for (const auto& t : r->tests)
      if (!t.synthetic &&
          (t.code == ResultCode::Timeout || t.code == ResultCode::Crash || t.code == ResultCode::Unresolved))
        return t.name;
  }
  return "";
}

/// An AUT that ended with entry `id` (CheckOutcome::entry_warning): shown now
/// and kept as a warning of that entry's result, not as anyone's dirty start.
void warn_of_entry(Display& display, const std::string& tier, const std::string& id, const std::string& warning,
                   std::vector<std::optional<EntryResult>>& results) {
  display.warning(entry_warn_line(tier, warning));
  for (auto& r : results)
    if (r && r->id == id) r->warnings.push_back(warning);
}

/// The last test entry `id` ran (not one it never reached), "" = none.
std::string last_test_of(const std::vector<std::optional<EntryResult>>* results, const std::string& id) {
  if (!results) return "";
  for (const auto& r : *results) {
    if (!r || r->id != id) continue;
    for (auto t = r->tests.rbegin(); t != r->tests.rend(); ++t)
      if (!t->synthetic && t->code != ResultCode::Skipped) return t->name;
  }
  return "";
}

/// Who a stall the batcher finds between entries is blamed on: `entry`,
/// after its last test `last_test`.
DegradedBlame found_after(const std::string& entry, const std::string& last_test) {
  DegradedBlame b;
  b.entry = entry;
  b.test = last_test;
  b.between_entries = true;
  return b;
}

/// `file` relative to the report dir (two levels above an entry's
/// artifact dir, report/artifacts/<entry>), as reports name artifacts; else as is.
std::string report_relative(const std::filesystem::path& file, const std::filesystem::path& artifact_dir) {
  if (artifact_dir.empty()) return file.string();
  std::filesystem::path rel = file.lexically_relative(artifact_dir.parent_path().parent_path());
  return !rel.empty() && *rel.begin() != ".." ? rel.string() : file.string();
}

}  // namespace

void Executor::before_aut_entry(const TierJob& tier, const Unit& u, Job& job,
                                std::vector<std::optional<EntryResult>>* results) {
  std::optional<GuestReplacement> replaced;
  // Before a retry the AUT is fresh on purpose (start_retry stopped the
  // session's, or the stopped binary took its own along): what the state
  // file says of the last one is the retry's reason, not a dirty start.
  const bool retrying = job.retries_done > 0;
  if (guard_) {
    StateCheckContext ctx;
    ctx.tier = tier.name;
    ctx.previous_entry = previous_aut_.name;
    ctx.next_entry = u.name;
    ctx.window_start_unix_ms = previous_aut_.id.empty() ? batch_started_unix_ms_ : previous_aut_.started_unix_ms;
    ctx.self = self_identity();
    ctx.session_respawn_never = tier.session && tier.session->respawn_never();
    ctx.session_scope = tier.session != nullptr;
    ctx.previous_ended_during = ended_during(results, previous_aut_.id);
    ctx.previous_last_test = last_test_of(results, previous_aut_.id);
    // A guest that replaced the session AUT during the last entry stopped it:
    // its exit is no news, and the guest's record must not be overwritten.
    if (tier.session && !previous_aut_.id.empty()) replaced = tier.session->replaced_by_guest();
    // The session AUT's parent records how it died before the state is judged.
    if (tier.session && !previous_aut_.id.empty() && !replaced) tier.session->observe();
    // A stall the last entry caused in its last moments (its last test hung
    // the main loop and passed) still shows a fresh frame: look until the
    // loop shows it went on, or the heartbeat calls it stalled. A stall is
    // written to the state file, so the check below reports it as what the
    // last entry left (a dirty start), not as the next entry's first failure.
    if (tier.session && !previous_aut_.id.empty() && !replaced && !retrying)
      tier.session->await_progress(previous_aut_.ended, found_after(previous_aut_.name, ctx.previous_last_test),
                                   previous_aut_.artifact_dir);
    // What runs that are over left in the state directory: reported once, before the first AUT entry.
    for (const CheckOutcome& left : guard_->check_left_overs(ctx)) {
      if (!left.note.empty()) display_.note(left.note);
      if (!left.dirty_start) continue;
      display_.warning(left.warning);
      if (!job.dirty_start)
        job.dirty_start = left.dirty_start;
      else
        job.dirty_start->message += " | " + left.dirty_start->message;
    }
    CheckOutcome out = guard_->check(ctx, previous_aut_.id);
    if (!out.entry_warning.empty() && retrying) {
      logger("batcher")->debug("{}: before its retry: {}", u.id, out.entry_warning);
    } else if (!out.entry_warning.empty()) {
      // Its AUT ended with it: a warning of that entry, not a dirty start of this one.
      if (results) {
        warn_of_entry(display_, tier.name, previous_aut_.id, out.entry_warning, *results);
      } else {
        display_.warning(entry_warn_line(tier.name, out.entry_warning));
      }
    }
    // The stall the look above found, or the one a guest (pytest's
    // livegui-aut, a test binary) found during its test: its stacks beside
    // the warning.
    if (out.dirty_start && out.verdict.kind == StateVerdictKind::Degraded) {
      const std::filesystem::path stacks = tier.session && !tier.session->stall_stacks().empty()
                                               ? tier.session->stall_stacks()
                                               : std::filesystem::path(out.verdict.stacks);
      if (!stacks.empty()) out.dirty_start->stacks = report_relative(stacks, previous_aut_.artifact_dir);
    }
    if (!out.warning.empty() && retrying) {
      logger("batcher")->debug("{}: before its retry: {}", u.id, out.warning);
    } else if (!out.warning.empty()) {
      display_.warning(out.warning);
      if (!job.dirty_start)
        job.dirty_start = out.dirty_start;
      else
        job.dirty_start->message += " | " + out.dirty_start->message;
    }
  }
  if (!tier.session || !u.runs()) return;
  // The session's own children (alive or dead) are the AppHandle's to reap.
  std::set<pid_t> ours = session_children_;
  for (const auto& j : running_) ours.insert(j->proc.pid());
  for (const auto& s : stuck_) ours.insert(s.pid());
  auto before = adopted_children(ours);
  try {
    if (!replaced && tier.session && !previous_aut_.id.empty()) replaced = tier.session->replaced_by_guest();
    ReadyEvent ev = tier.session->ensure(u.name, replaced ? &*replaced : nullptr);
    if (ev.kind == ReadyEvent::Kind::Respawned && replaced && replaced->replaced_pid == ev.old_pid) {
      // Not a death: the entry's own harness replaced the AUT mid-file and
      // said why; what it left at its end (its replacement dead, say) is the
      // state check's business — a dirty start, said besides this.
      std::string w = guest_replacement_message(previous_aut_.name, *replaced, ev.pid, u.name);
      display_.warning(entry_warn_line(tier.name, w));
      // Every report says it too (results.json, junit.xml, report.html), as
      // a warning of the entry it happened in (not a dirty start: it dealt with it).
      if (!results)
        job.warnings.push_back(w);  // a retry: the entry that ran before is this one
      else
        for (auto& r : *results)
          if (r && r->id == previous_aut_.id) r->warnings.push_back(w);
    } else if (ev.kind == ReadyEvent::Kind::Respawned && !job.dirty_start && !retrying) {
      // The state file did not say so, but the AUT was not fit to reuse.
      std::string who = previous_aut_.name.empty() ? std::string("a previous run") : previous_aut_.name;
      const bool degraded = ev.replaced == AutHealth::Degraded;
      // "SIGABRT during A.b" when the harness knows; our own ensure() calls
      // are named "livegui-batch.<entry>" and say nothing new.
      std::string how = ev.cause_detail.empty() ? ev.reason : ev.cause_detail;
      if (!ev.during_test.empty() && !is_batcher_stand_in(ev.during_test)) how += " during " + ev.during_test;
      DirtyStart d;
      d.kind = degraded ? StateVerdictKind::Degraded : StateVerdictKind::Dead;
      d.message = tier.name + ": " + who + " left the AUT (pid " + std::to_string(ev.old_pid) + ") " +
                  to_string(d.kind) + " — " + how + "; respawned it as pid " + std::to_string(ev.pid) + ". " + u.name +
                  " starts on a fresh AUT; it did not get to deal with the dirty state.";
      display_.warning(warn_line(d.message));
      d.previous_entry = previous_aut_.name;
      d.aut_pid = ev.old_pid;
      job.dirty_start = d;
    }
  } catch (const AutUnavailable& e) {
    if (!tier.session->respawn_never()) {
      // The cap on failed starts: printed once, with the entry's result.
      job.session_aut_unavailable = true;
      job.warnings.push_back("could not start the session AUT for " + u.name + " (" + e.what() +
                             "); the test binary starts its own");
    } else {
      // respawn = "never": say what happens next, once. A dead or degraded
      // AUT the state check just reported is not reported again. Said from
      // what the AUT is found in (its real pid, the test it broke in), not
      // from the harness's refusal, which names our stand-in test.
      UnfitAut unfit = tier.session->unfit_aut();
      bool degraded = unfit.kind == StateVerdictKind::Degraded;
      if (!job.dirty_start) {
        StateCheckContext ctx;
        ctx.tier = tier.name;
        ctx.previous_entry = previous_aut_.name;
        ctx.next_entry = u.name;
        ctx.session_respawn_never = true;
        ctx.previous_last_test = last_test_of(results, previous_aut_.id);
        StateVerdict v = unfit_session_verdict(unfit, ctx);
        DirtyStart d;
        d.kind = v.kind;
        d.message = warning_message(v, ctx, degraded ? "; kept it (respawn policy never)" : "");
        display_.warning(warn_line(d.message));
        logger("batcher")->debug("{}: the session AUT is not fit: {}", u.id, e.what());
        d.previous_entry = previous_aut_.name;
        d.aut_pid = v.aut_pid;
        job.dirty_start = d;
      }
      // It starts on the degraded AUT: its failures are the AUT's (retry "degraded").
      if (degraded) job.dirty_start->kept = true;
    }
  } catch (const std::exception& e) {
    // Printed once, when the entry's result is (finish_job prints its warnings).
    job.session_aut_unavailable = true;
    job.warnings.push_back("could not start the session AUT for " + u.name + " (" + e.what() +
                           "); the test binary starts its own");
  }
  // What the session started (the AUT, its Xvfb) is ours, not an orphan.
  for (pid_t p : adopted_children(ours))
    if (std::find(before.begin(), before.end(), p) == before.end()) session_children_.insert(p);
  if (guard_) guard_->observe(tier.name, u.id);
}

void Executor::end_of_tier_check(const TierJob& tier, TierResult& tier_result,
                                 std::vector<std::optional<EntryResult>>& results) {
  const bool checked = guard_ && !previous_aut_.id.empty();
  if (checked) {
    StateCheckContext ctx;
    ctx.tier = tier.name;
    ctx.previous_entry = previous_aut_.name;
    ctx.window_start_unix_ms = previous_aut_.started_unix_ms;
    ctx.self = self_identity();
    ctx.session_respawn_never = tier.session && tier.session->respawn_never();
    ctx.session_scope = tier.session != nullptr;
    ctx.previous_ended_during = ended_during(&results, previous_aut_.id);
    ctx.previous_last_test = last_test_of(&results, previous_aut_.id);
    // As before an entry: a replacement mid-file is said as such, and the
    // exit of the AUT the guest stopped is no news.
    std::optional<GuestReplacement> replaced = tier.session ? tier.session->replaced_by_guest() : std::nullopt;
    if (replaced) {
      std::string line = guest_replacement_warning(tier.name, previous_aut_.name, *replaced, 0, "");
      display_.warning(line);
      tier_result.warnings.push_back(line);
    } else if (tier.session) {
      tier.session->observe();
      tier.session->await_progress(previous_aut_.ended,  // as before an entry
                                   found_after(previous_aut_.name, ctx.previous_last_test), previous_aut_.artifact_dir);
    }
    CheckOutcome out = guard_->check(ctx, previous_aut_.id);
    if (!out.entry_warning.empty())  // as before an entry
      warn_of_entry(display_, tier.name, previous_aut_.id, out.entry_warning, results);
    // The stall the look above found: no entry follows to carry its stacks
    // as a dirty start, so the warning names them.
    if (!out.warning.empty() && out.verdict.kind == StateVerdictKind::Degraded && tier.session &&
        !tier.session->stall_stacks().empty())
      out.warning += " Its stacks: " + report_relative(tier.session->stall_stacks(), previous_aut_.artifact_dir);
    if (!out.warning.empty()) {
      display_.warning(out.warning);
      tier_result.warnings.push_back(out.warning);
    }
  }
  if (tier.session) {
    // What it was left in has just been said (above): a degraded AUT we stop
    // now is not news to the next tier.
    tier.session->stop(checked ? AppHandle::StopFor::Reported : AppHandle::StopFor::Done);
    if (guard_) guard_->observe(tier.name, "");
  }
}

}  // namespace livegui::batch
