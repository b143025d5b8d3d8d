#include "batcher/run/aut_session.hpp"

#include <algorithm>

#include <sys/wait.h>

#include "batcher/warning.hpp"
#include "common/backoff.hpp"
#include "common/log.hpp"
#include "common/text.hpp"
#include "harness/subprocess.hpp"

namespace livegui::batch {
namespace {

/// How our child `pid` ended, without reaping it (WNOWAIT: the AppHandle
/// still reaps it); empty while it runs.
std::string peek_exit(pid_t pid) {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid != pid) return "";
  ExitStatus st = info.si_code == CLD_EXITED ? ExitStatus::exited(info.si_status)
                                             : ExitStatus::killed(info.si_status, info.si_code == CLD_DUMPED);
  return st.describe();
}

}  // namespace

std::string guest_respawn_reason(const GuestReplacement& r) {
  const std::string guest = r.guest_name.empty() ? std::string("a guest") : r.guest_name;
  return "AUT pid " + std::to_string(r.successor_pid) + ", started by " + guest + " (pid " +
         std::to_string(r.guest_pid) + ") in place of the session AUT (pid " + std::to_string(r.replaced_pid) + "), " +
         (r.successor_status == AutStatus::Stopped ? "was stopped when " + guest + " ended"
                                                   : "was left " + std::string(to_string(r.successor_status)));
}

GuestReplacement guest_replacement_from(const StateFile& st, pid_t ours, int ours_spawn) {
  GuestReplacement r;
  r.replaced_pid = ours;
  r.successor_pid = st.aut ? st.aut->pid : 0;
  r.guest_pid = st.owner.pid;
  r.guest_name = st.owner_name;
  // Its first respawn replaced ours; each later one has its own cause.
  if (st.respawn_reasons.empty()) {
    r.reason = st.last_respawn_reason;
  } else {
    r.reason = st.respawn_reasons.front();
    r.later_reasons.assign(st.respawn_reasons.begin() + 1, st.respawn_reasons.end());
  }
  // The guest continued our spawn count: its starts after ours, less the one that replaced ours.
  const int later = st.spawn_count - ours_spawn - 1;
  r.later_respawns = std::max<std::size_t>(later > 0 ? static_cast<std::size_t>(later) : 0, r.later_reasons.size());
  r.successor_status = st.status;
  return r;
}

std::string guest_replacement_message(const std::string& entry, const GuestReplacement& r, pid_t new_pid,
                                      const std::string& next_entry) {
  std::string guest =
      (r.guest_name.empty() ? std::string("a guest") : r.guest_name) + " (pid " + std::to_string(r.guest_pid) + ")";
  std::string successor = "pid " + std::to_string(r.successor_pid);
  std::string line =
      "during " + (entry.empty() ? std::string("the last entry") : entry) + ", " + guest +
      " replaced the session AUT (pid " + std::to_string(r.replaced_pid) + ") with " + successor + " — " +
      (r.reason.empty() ? std::string("no reason recorded") : r.reason) +
      (r.replaced_exit.empty() ? std::string()
                               : " (pid " + std::to_string(r.replaced_pid) + " ended: " + r.replaced_exit + ")") +
      "; ";
  const std::size_t later = std::max(r.later_respawns, r.later_reasons.size());
  if (later > 0) {
    // Each respawn with its own cause and test, not the last one's for all.
    line += "then it respawned its own AUT " + std::to_string(later) + (later == 1 ? " time" : " times") + ": ";
    for (std::size_t i = 0; i < r.later_reasons.size(); ++i)
      line += std::to_string(i + 1) + ". " + r.later_reasons[i] + "; ";
    // The state file keeps the first reasons only; the timeline has every respawn.
    if (later > r.later_reasons.size())
      line += "… and " + std::to_string(later - r.later_reasons.size()) + " more (see results.json aut_timeline); ";
  }
  line += r.successor_status == AutStatus::Stopped ? "it stopped " + successor + " when it ended"
                                                   : successor + " was left " + to_string(r.successor_status);
  if (next_entry.empty()) return line;
  return line + ". The session AUT is respawned as pid " + std::to_string(new_pid) + " for " + next_entry;
}

std::string guest_replacement_warning(const std::string& tier, const std::string& entry, const GuestReplacement& r,
                                      pid_t new_pid, const std::string& next_entry) {
  if (next_entry.empty())
    return warn_line(tier + ": " + guest_replacement_message(entry, r, new_pid, next_entry) +
                     ". (No AUT entry follows in this tier.)");
  return entry_warn_line(tier, guest_replacement_message(entry, r, new_pid, next_entry));
}

AutSession::AutSession(AppSpec spec, const std::filesystem::path& state_file, const std::filesystem::path& log_dir)
    : state_file_(state_file) {
  spec.state_file = state_file;
  spec.log_dir = log_dir;
  handle_ = std::make_unique<AppHandle>(std::move(spec));
}

AutSession::~AutSession() { stop(); }

ReadyEvent AutSession::ensure(const std::string& entry, const GuestReplacement* replaced) {
  TestRef ref;
  ref.suite = kBatcherSuite;
  ref.name = entry;
  if (replaced && replaced->replaced_pid == pid()) handle_->next_respawn_reason(guest_respawn_reason(*replaced));
  provided_ = 0;
  ReadyEvent ev = handle_->ensure_ready(ref);
  provided_ = ev.pid;
  return ev;
}

void AutSession::stop(AppHandle::StopFor why) {
  if (!handle_) return;
  try {
    handle_->stop(why);
  } catch (const std::exception& e) {
    logger("batcher")->error("stopping the session AUT: {}", e.what());
  }
}

pid_t AutSession::pid() const { return handle_ ? handle_->pid() : 0; }

void AutSession::observe() {
  try {
    // Only a death: a health check would judge degradation with our pseudo-test.
    if (handle_) handle_->wait_for_exit(std::chrono::milliseconds(0));
  } catch (const std::exception& e) {
    logger("batcher")->debug("checking the session AUT: {}", e.what());
  }
}

std::optional<GuestReplacement> AutSession::replaced_by_guest() const {
  pid_t ours = pid();
  if (ours <= 0 || ours != provided_) return std::nullopt;
  try {
    auto st = read_state_file(state_file_);
    if (!st || !st->aut || st->aut->pid == ours || st->owner == self_identity()) return std::nullopt;
    GuestReplacement r = guest_replacement_from(*st, ours, handle_ ? handle_->spawn_count() : 0);
    // Only a death the guest saw (it recorded one): an AUT the guest stopped
    // because it was degraded ended as it was told to, which is no news.
    if (st->last_exit && st->last_exit->pid == ours) {
      r.replaced_exit = peek_exit(ours);
      // Already reaped by us (observe()): our record completed the guest's.
      if (r.replaced_exit.empty() && st->last_exit->code != -1) r.replaced_exit = st->last_exit->status;
    }
    return r;
  } catch (const std::exception& e) {
    logger("batcher")->debug("reading the session state file {}: {}", state_file_.string(), e.what());
    return std::nullopt;
  }
}

bool AutSession::degraded() {
  try {
    return handle_ && handle_->check().state == AutHealth::Degraded;
  } catch (const std::exception&) {
    return false;
  }
}

AutHealth AutSession::await_progress(std::chrono::steady_clock::time_point entry_ended, const DegradedBlame& blame,
                                     const std::filesystem::path& stacks_dir) {
  stall_stacks_.clear();
  using Clock = std::chrono::steady_clock;
  using std::chrono::milliseconds;
  // Only the AUT the last ensure() gave out: a guest's replacement is the
  // guest's business (said as a replacement), and none means nothing to probe.
  if (!handle_ || pid() <= 0 || pid() != provided_) return AutHealth::NotStarted;
  try {
    // Already recorded unfit (a guest saw it, naming its test): the state
    // check reports that; a probe of ours would record it again without the test.
    auto st = read_state_file(state_file_);
    if (st && st->aut && st->aut->pid == pid() && st->status == AutStatus::Degraded) return AutHealth::Degraded;
    if (st && st->aut && st->aut->pid == pid() && st->status == AutStatus::Dead) return AutHealth::Dead;
  } catch (const std::exception& e) {
    logger("batcher")->debug("reading the session state file {}: {}", state_file_.string(), e.what());
  }
  const Clock::time_point give_up = Clock::now() + handle_->spec().heartbeat_threshold;
  Backoff backoff(milliseconds(2), milliseconds(50));
  // Whatever this look finds is the previous entry's doing, not our stand-in's.
  // and its stacks go where that entry's artifacts are.
  struct Scope {
    AppHandle& h;
    ~Scope() {
      h.blame_degradation_on(std::nullopt);
      h.stall_stacks_to({});
    }
  } scope{*handle_};
  if (!blame.entry.empty()) handle_->blame_degradation_on(blame);
  if (!stacks_dir.empty()) handle_->stall_stacks_to(stacks_dir);
  try {
    for (;;) {
      const Clock::time_point asked = Clock::now();
      CheckResult c = handle_->check();
      if (c.state == AutHealth::Degraded) stall_stacks_ = handle_->stall_stacks();
      if (!c.healthy() || !c.health) return c.state;
      if (c.health->busy_ms > 0) return c.state;  // executing an action: alive
      // When the frame was drawn, on our clock: no later than `asked` minus
      // its age (the age is whole milliseconds, rounded down: one more).
      const Clock::time_point drawn = asked - milliseconds(c.health->last_frame_age_ms + 1);
      if (drawn >= entry_ended) return c.state;
      // Past the threshold without a new frame, check() calls it stalled
      // (the frame did not advance between our checks); one last look.
      if (Clock::now() >= give_up + milliseconds(50)) return c.state;
      backoff.pause_until(give_up + milliseconds(60));
    }
  } catch (const std::exception& e) {
    logger("batcher")->debug("checking the session AUT between entries: {}", e.what());
    return AutHealth::NotStarted;
  }
}

UnfitAut AutSession::unfit_aut() {
  UnfitAut out;
  out.pid = pid();
  try {
    CheckResult c = handle_ ? handle_->check() : CheckResult{};
    if (c.pid > 0) out.pid = c.pid;
    // Running but unfit is degraded; anything else serves nothing: dead.
    out.kind = c.state == AutHealth::Degraded ? StateVerdictKind::Degraded : StateVerdictKind::Dead;
    out.cause = c.state == AutHealth::Degraded ? join(c.reasons, "; ")
                : c.exit                       ? c.exit->describe()
                                               : std::string("it is gone");
    auto st = read_state_file(state_file_);
    if (st && st->last_exit && st->last_exit->pid == out.pid && out.kind == StateVerdictKind::Dead)
      out.during_test = st->last_exit->during_test;
    else if (st && out.kind == StateVerdictKind::Degraded) {
      out.during_test = st->degraded_during;
      if (st->degraded_blame && st->degraded_blame->aut_pid == out.pid) out.blame = st->degraded_blame;
    }
    if (is_batcher_stand_in(out.during_test)) out.during_test.clear();
  } catch (const std::exception& e) {
    logger("batcher")->debug("looking at the session AUT: {}", e.what());
  }
  return out;
}

bool AutSession::respawn_never() const { return handle_ && handle_->spec().respawn == RespawnPolicy::Never; }

}  // namespace livegui::batch
