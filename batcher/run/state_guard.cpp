#include "batcher/run/state_guard.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fstream>
#include <limits>
#include <sstream>

#include "batcher/run/run_state.hpp"
#include "batcher/warning.hpp"
#include "common/backoff.hpp"
#include "common/environment.hpp"
#include "common/keep_newest.hpp"
#include "common/log.hpp"
#include "common/proc_info.hpp"
#include "common/stop_escalation.hpp"
#include "common/text.hpp"
#include "common/x_display_files.hpp"

namespace livegui::batch {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

/// Boot time (seconds since the epoch), from /proc/stat; 0 when unknown.
std::int64_t boot_time() {
  std::ifstream stat("/proc/stat");
  std::string key;
  std::int64_t value = 0;
  while (stat >> key) {
    if (key == "btime" && stat >> value) return value;
    stat.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return 0;
}

/// Live members of the dead AUT's group that started after it and no later
/// than the file's last write (+1 s for clock granularity): the group id was
/// in use by the AUT or by them all along, so it cannot have been reused.
/// A live process that now holds the dead AUT's pid, or its group's leader
/// pid, with another identity: the ids were reused.
std::optional<ProcStat> reused_id(const StateFile& s) {
  if (!s.aut) return std::nullopt;
  for (pid_t p : {s.aut->pid, s.aut->pgid}) {
    auto st = read_proc_stat(p);
    if (!st || st->state == 'Z') continue;
    // The group leader we recorded is the AUT itself (pid == pgid); any other
    // process under that pid is not it.
    if (p == s.aut->pid && st->start_time == s.aut->start_time) continue;
    return st;
  }
  return std::nullopt;
}

/// The word of the run that wrote a state file, as its processes carry it in
/// LIVEGUI_RUNS ("4100:123456"): a per-run file's name says which run; a
/// standalone file's recorded owner, whose word only its own descendants
/// carry (livegui-aut adds its word for its reaper; a test binary run alone
/// adds none, so nothing of its AUT's group is proven).
std::string run_word_of(const fs::path& file, const StateFile& s) {
  auto run = run_of_state_file(file);
  if (run) return std::to_string(run->pid) + ":" + std::to_string(run->start_time);
  if (s.owner.pid > 0 && s.owner.start_time > 0)
    return std::to_string(s.owner.pid) + ":" + std::to_string(s.owner.start_time);
  return "";
}

/// True when `pid`'s LIVEGUI_RUNS holds `word` (inherited from that run).
bool carries_run_word(pid_t pid, const std::string& word) {
  if (word.empty()) return false;
  auto runs = environ_value(pid, env::kRuns);
  if (!runs) return false;
  std::istringstream words(*runs);
  for (std::string w; words >> w;)
    if (w == word) return true;
  return false;
}

void find_group_remnants(const StateFile& s, const std::string& run_word, StateSnapshot& snap) {
  std::vector<GroupRemnant>& out = snap.group_remnants;
  const std::int64_t btime = boot_time();
  const long hz = ::sysconf(_SC_CLK_TCK);
  if (!s.aut || s.aut->pgid <= 1 || btime <= 0 || hz <= 0) return;
  // A live leader of the group that is not the recorded AUT: the group id
  // was handed to someone else; nothing in it can be proven ours.
  if (reused_id(s)) return;
  const std::int64_t written_ticks = (s.updated_at_unix_ms / 1000 - btime + 1) * hz;
  for (pid_t p : processes_in_group(s.aut->pgid)) {
    auto st = read_proc_stat(p);
    if (!st || st->state == 'Z' || st->pgid != s.aut->pgid) continue;
    if (st->start_time < s.aut->start_time || static_cast<std::int64_t>(st->start_time) > written_ticks) continue;
    // The window only holds for a truthful record (a wrong start time widens
    // it to anything): membership is proven by the run's word it inherited.
    (carries_run_word(p, run_word) ? out : snap.unproven_remnants).push_back({{p, st->start_time}, st->comm});
  }
}

}  // namespace

/// What the report says of group members it cannot prove are the AUT's.
std::string unproven_note(const StateSnapshot& snap) {
  const auto& u = snap.unproven_remnants;
  if (u.empty()) return "";
  std::string who;
  for (const auto& r : u)
    who += (who.empty() ? "" : ", ") + std::string("pid ") + std::to_string(r.id.pid) + " (" + r.comm + ")";
  return "; " + who + (u.size() == 1 ? " is" : " are") + " in its process group, but nothing proves " +
         (u.size() == 1 ? "it is" : "they are") +
         " the AUT's (no LIVEGUI_RUNS word of the run or owner that wrote the file); left alone";
}

StateSnapshot read_snapshot(const fs::path& file) {
  StateSnapshot snap;
  try {
    snap.state = read_state_file(file);
    if (snap.state) snap.inspection = inspect_state(*snap.state);
    if (snap.state && snap.state->aut && !snap.inspection.aut_alive) {
      snap.reused_by = reused_id(*snap.state);
      find_group_remnants(*snap.state, run_word_of(file, *snap.state), snap);
    }
  } catch (const StateFileError& e) {
    snap.corrupt_reason = e.what();
  } catch (const std::exception& e) {
    snap.corrupt_reason = std::string("cannot read it: ") + e.what();
  }
  return snap;
}

fs::path quarantine_state_file(const fs::path& file) { return move_state_file_aside(file, ".corrupt-"); }

fs::path move_state_file_aside(const fs::path& file, const std::string& tag) {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  ::localtime_r(&t, &tm);
  char stamp[40];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
  char full[64];
  std::snprintf(full, sizeof full, "%s.%03lld", stamp, static_cast<long long>(ms));
  fs::path target = file;
  target += tag + std::string(full);
  // rename(2) moves a symlink itself, never what it points to.
  if (::rename(file.c_str(), target.c_str()) != 0)
    throw std::runtime_error("cannot move " + file.string() + " aside to " + target.string() + ": " +
                             std::strerror(errno));
  if (auto n = prune_moved_aside(file.parent_path(), tag, kKeptAside))
    logger("batcher")->debug("removed {} older {}* state file{} from {}", n, tag, n == 1 ? "" : "s",
                             file.parent_path().string());
  return target;
}

std::size_t prune_moved_aside(const fs::path& dir, const std::string& tag, std::size_t keep) {
  // "<name><tag>YYYYmmddTHHMMSS.mmm": the stamp sorts as the time does.
  auto stamp_of = [&](const std::string& name) -> std::string {
    auto at = name.rfind(tag);
    if (at == std::string::npos || at == 0) return "";
    std::string stamp = name.substr(at + tag.size());
    if (stamp.size() != 19 || stamp[8] != 'T' || stamp[15] != '.') return "";
    for (std::size_t i = 0; i < stamp.size(); ++i)
      if (i != 8 && i != 15 && !std::isdigit(static_cast<unsigned char>(stamp[i]))) return "";
    return stamp;
  };
  return keep_newest(dir, keep, [&](const fs::directory_entry& e) -> std::optional<std::string> {
    std::string stamp = stamp_of(e.path().filename().string());
    if (stamp.empty()) return std::nullopt;
    return stamp;
  });
}

namespace {

bool still_ours(const StateFile& s) {
  if (!s.aut) return false;
  auto st = read_proc_stat(s.aut->pid);
  return st && st->state != 'Z' && st->start_time == s.aut->start_time && st->pgid == s.aut->pgid;
}

/// Waits until the recorded process and its group are gone, or the deadline.
bool wait_gone(const StateFile& s, int pidfd, Clock::time_point deadline) {
  Backoff backoff;
  for (;;) {
    // An orphaned AUT may have become our child (we are a subreaper): reap it.
    ::waitpid(s.aut->pid, nullptr, WNOHANG);
    if (!is_same_process(s.aut->pid, s.aut->start_time) && processes_in_group(s.aut->pgid).empty()) return true;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    if (pidfd >= 0 && is_same_process(s.aut->pid, s.aut->start_time)) {
      // The AUT itself: its pidfd wakes us as soon as it exits.
      pollfd p{pidfd, POLLIN, 0};
      auto step = std::chrono::ceil<std::chrono::milliseconds>(backoff.next());
      ::poll(&p, 1, static_cast<int>(std::min(step, left).count()));
    } else {
      backoff.pause_until(deadline);  // group stragglers: nothing to wait on but /proc
    }
  }
}

}  // namespace

std::string stop_recorded_aut(const StateFile& s, std::chrono::milliseconds term_grace,
                              std::chrono::milliseconds kill_wait) {
  if (!s.aut) return "; nothing to stop";
  // Open a pidfd first, then verify: if the identity still matches, the pidfd
  // names that very process (a pid reused after the open would not match).
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, s.aut->pid, 0));
  std::string result;
  if (!still_ours(s)) {
    result = "; it was gone before we could stop it";
  } else {
    int term_errno = 0;
    StopTarget target{
        [&](int sig) {
          // SIGKILL only to what is still verifiably ours.
          // With the AUT gone, its group only while no other process took its id.
          if (sig == SIGKILL && !still_ours(s) && (reused_id(s) || processes_in_group(s.aut->pgid).empty()))
            return false;
          if (::kill(-s.aut->pgid, sig) == 0) return true;
          if (sig == SIGTERM) term_errno = errno;
          return false;
        },
        [&](Clock::time_point deadline) { return wait_gone(s, pidfd, deadline); }};
    switch (escalate_stop(target, term_grace, kill_wait).outcome) {
      case StopOutcome::NothingToStop:
        result = std::string("; could not signal its group: ") + std::strerror(term_errno);
        break;
      case StopOutcome::Terminated: result = "; stopped it (SIGTERM to its process group)"; break;
      case StopOutcome::Killed:
        result = "; stopped it (it ignored SIGTERM for " + human_duration(term_grace) + ", needed SIGKILL)";
        break;
      case StopOutcome::Stuck: result = "; it is still there after SIGKILL — stuck in the kernel?"; break;
    }
  }
  if (pidfd >= 0) ::close(pidfd);
  return result;
}

std::string stop_group_remnants(const std::vector<GroupRemnant>& remnants, std::chrono::milliseconds term_grace,
                                std::chrono::milliseconds kill_wait) {
  auto alive = [&] {
    std::vector<ProcessIdentity> out;
    for (const auto& r : remnants) {
      ::waitpid(r.id.pid, nullptr, WNOHANG);  // adopted by us (a subreaper)? reap it
      if (is_same_process(r.id.pid, r.id.start_time)) out.push_back(r.id);
    }
    return out;
  };
  // Each one only while its identity (pid + start time) still holds.
  StopTarget target{[&](int sig) {
                      auto ids = alive();
                      for (const auto& id : ids) ::kill(id.pid, sig);
                      return !ids.empty();
                    },
                    [&](Clock::time_point deadline) { return poll_until([&] { return alive().empty(); }, deadline); }};
  std::string them = remnants.size() == 1 ? "it" : "them";
  switch (escalate_stop(target, term_grace, kill_wait).outcome) {
    case StopOutcome::NothingToStop:
    case StopOutcome::Terminated: return "; stopped " + them + " (SIGTERM)";
    case StopOutcome::Killed:
      return "; stopped " + them + " (SIGTERM ignored for " + human_duration(term_grace) + ", needed SIGKILL)";
    case StopOutcome::Stuck: break;
  }
  return "; still there after SIGKILL — stuck in the kernel?";
}

StateGuard::StateGuard(Options options)
    : options_(std::move(options)),
      created_unix_ms_(
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count()) {
  watch_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (watch_fd_ < 0) return;
  // The harness writes by rename (temp file + rename), so IN_MOVED_TO is the
  // signal; the others catch removal and writes in place.
  fs::path dir = options_.state_file.parent_path();
  if (::inotify_add_watch(watch_fd_, dir.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE) < 0) {
    ::close(watch_fd_);
    watch_fd_ = -1;
  }
}

StateGuard::~StateGuard() {
  if (watch_fd_ >= 0) ::close(watch_fd_);
}

bool StateGuard::drain_watch() {
  if (watch_fd_ < 0) return false;
  alignas(inotify_event) char buf[4096];
  bool ours = false;
  const std::string name = options_.state_file.filename().string();
  for (;;) {
    ssize_t n = ::read(watch_fd_, buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t off = 0; off < n;) {
      auto* ev = reinterpret_cast<inotify_event*>(buf + off);
      if (ev->len > 0 && name == ev->name) ours = true;
      off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
    }
  }
  return ours;
}

std::vector<CheckOutcome> StateGuard::check_left_overs(const StateCheckContext& context) {
  std::vector<CheckOutcome> outcomes;
  if (left_overs_checked_) return outcomes;
  left_overs_checked_ = true;
  const fs::path dir = options_.state_file.parent_path();
  std::vector<fs::path> held_shared;
  for (LeftOver& left : take_left_overs(dir, options_.state_file, &held_shared)) {
    const fs::path& file = left.state_file();
    const bool per_run = file.filename().string().rfind("aut-state-", 0) == 0;
    StateSnapshot snap = read_snapshot(file);
    CheckOutcome out;
    out.verdict = classify_left_over(snap, context, file.string(), per_run);
    if (out.verdict.dirty()) out.verdict.what += unproven_note(snap);
    if (!out.verdict.dirty()) {
      left.release();
      if (!out.verdict.note.empty()) {
        out.note = out.verdict.note;
        outcomes.push_back(std::move(out));
      }
      continue;
    }
    std::string action;
    if (out.verdict.kind == StateVerdictKind::Leaked && snap.state) {
      action = snap.inspection.aut_alive
                   ? stop_recorded_aut(*snap.state, options_.term_grace, options_.kill_wait)
                   : stop_group_remnants(snap.group_remnants, options_.term_grace, options_.kill_wait);
    }
    if (snap.state && out.verdict.kind != StateVerdictKind::Foreign)
      if (std::string removed = remove_dead_x_server(*snap.state, options_.x_root); !removed.empty())
        action += "; " + removed;
    if (out.verdict.kind != StateVerdictKind::Foreign) {
      try {
        const char* tag = out.verdict.kind == StateVerdictKind::Corrupt ? ".corrupt-" : ".stale-";
        action += "; moved it aside to " + move_state_file_aside(file, tag).string();
      } catch (const std::exception& e) {
        action += "; " + std::string(e.what());
      }
    }
    left.release();
    TimelineEvent ev;
    ev.unix_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    ev.tier = context.tier;
    ev.pid = out.verdict.aut_pid;
    ev.event = out.verdict.kind == StateVerdictKind::Corrupt  ? TimelineKind::Corrupt
               : out.verdict.kind == StateVerdictKind::Leaked ? TimelineKind::LeakStopped
                                                              : TimelineKind::Stale;
    ev.reason = out.verdict.what + action;
    timeline_.push_back(ev);
    DirtyStart d;
    d.kind = out.verdict.kind;
    d.message = warning_message(out.verdict, context, action);
    out.warning = warn_line(d.message);
    d.aut_pid = out.verdict.aut_pid;
    out.dirty_start = d;
    logger("batcher")->debug("left over before {}: {}", context.next_entry, out.warning);
    outcomes.push_back(std::move(out));
  }
  // A live standalone owner's shared file (its lock held): read, never
  // acted on; what it says of a live AUT is a note. Anything else is its
  // holder's to deal with (it may be about to report a dead predecessor).
  for (const fs::path& file : held_shared) {
    StateSnapshot snap = read_snapshot(file);
    StateVerdict v = classify_left_over(snap, context, file.string(), /*per_run=*/false);
    if (v.dirty() || v.note.empty()) continue;
    CheckOutcome out;
    out.verdict = v;
    out.note = v.note;
    outcomes.push_back(std::move(out));
  }
  return outcomes;
}

StateGuard::Counts StateGuard::take_counts() { return std::exchange(counts_, Counts{}); }

void StateGuard::record_changes(const StateFile& now, const std::string& tier, const std::string& entry_id) {
  auto event = [&](TimelineKind kind, pid_t pid, const std::string& reason) {
    TimelineEvent e;
    e.unix_ms = now.updated_at_unix_ms;
    e.event = kind;
    e.pid = pid;
    e.reason = reason;
    e.tier = tier;
    e.entry = entry_id;
    timeline_.push_back(e);
  };
  const StateFile* before = last_ ? &*last_ : nullptr;
  // The same file read again: nothing new. (Not judged by updated_at alone:
  // two writes within one millisecond are two states.)
  if (before && *before == now) return;
  if (!before && now.updated_at_unix_ms < created_unix_ms_) {
    // Written before this batch began (a previous run's file): history, not
    // events of this run. Remember its processes so they are not reported again.
    if (now.last_exit) dead_.insert(now.last_exit->pid);
    if (now.aut) {
      spawned_.insert(now.aut->pid);
      if (now.status == AutStatus::Stopped) stopped_.insert(now.aut->pid);
      if (now.status == AutStatus::Dead) dead_.insert(now.aut->pid);
    }
    return;
  }
  std::string owner = now.owner_name.empty() ? "pid " + std::to_string(now.owner.pid) : now.owner_name;

  // An owner's first start after a death seen in an earlier entry (respawn =
  // "never": the batcher left the dead AUT dead, and the next entry's harness
  // starts its own, continuing the lineage) replaces nothing: a start, not a
  // respawn. A death in the same entry (a guest replacing the AUT mid-file) is one.
  const std::pair<pid_t, std::uint64_t> owner_key{now.owner.pid, now.owner.start_time};
  const bool new_owner = !starters_.count(owner_key);
  auto seen = now.last_exit ? death_entry_.find(now.last_exit->pid) : death_entry_.end();
  const bool after_seen_death = seen != death_entry_.end() && seen->second != entry_id;

  // Several owners may write the file in turn (session scope: the batcher and
  // the test binaries attached to its AUT), so events are kept per AUT pid:
  // each process is started, degraded, dead or stopped once.
  if (now.last_exit && dead_.insert(now.last_exit->pid).second) {
    event(TimelineKind::Death, now.last_exit->pid,
          "AUT pid " + std::to_string(now.last_exit->pid) + ": " + describe_exit(*now.last_exit));
    timeline_.back().test = now.last_exit->during_test;
    death_events_[now.last_exit->pid] = timeline_.size() - 1;
    death_entry_[now.last_exit->pid] = entry_id;
  } else if (now.last_exit && now.last_exit->code != -1) {
    // First seen by a guest (status unknown), now completed by the AUT's
    // parent: the death event names the signal too.
    auto it = death_events_.find(now.last_exit->pid);
    if (it != death_events_.end() && it->second < timeline_.size() &&
        timeline_[it->second].reason.find("status unknown") != std::string::npos)
      timeline_[it->second].reason =
          "AUT pid " + std::to_string(now.last_exit->pid) + ": " + describe_exit(*now.last_exit);
  }
  if (now.aut && spawned_.insert(now.aut->pid).second) {
    // Starts we did not see (two between our reads) are known from the count.
    int missed = before && before->owner == now.owner ? std::max(0, now.spawn_count - before->spawn_count - 1) : 0;
    const bool own_first_start = new_owner && after_seen_death;
    starters_.insert(owner_key);
    bool respawn = !own_first_start && (now.spawn_count > 1 || (now.last_exit && now.last_exit->pid != now.aut->pid));
    counts_.spawns += 1 + missed;
    counts_.respawns += (respawn ? 1 : 0) + missed;
    if (respawn)
      event(TimelineKind::Respawn, now.aut->pid,
            (now.last_respawn_reason.empty() ? std::string("replaced an earlier AUT") : now.last_respawn_reason) +
                " (by " + owner + ")");
    else
      event(TimelineKind::Spawn, now.aut->pid,
            "started by " + owner +
                (own_first_start && !now.last_respawn_reason.empty() ? " (" + now.last_respawn_reason + ")" : ""));
    if (missed > 0) timeline_.back().reason += " (" + std::to_string(missed) + " earlier start(s) not observed)";
  }
  pid_t pid = now.aut ? now.aut->pid : 0;
  if (now.status == AutStatus::Degraded && pid && degraded_.insert(pid).second) {
    event(TimelineKind::Degraded, pid,
          now.degraded_reasons.empty() ? std::string("no reason recorded") : now.degraded_reasons.front());
    timeline_.back().test = now.degraded_during;
  }
  if (now.status == AutStatus::Stopped && pid && stopped_.insert(pid).second && !dead_.count(pid))
    event(TimelineKind::Stopped, pid, "stopped by " + owner);
  if (now.status == AutStatus::Dead && pid && !now.last_exit && dead_.insert(pid).second) {
    event(TimelineKind::Death, pid, "recorded dead by " + owner);
    death_entry_[pid] = entry_id;
  }
  last_ = now;
}

void StateGuard::observe(const std::string& tier, const std::string& entry_id) {
  StateSnapshot snap = read_snapshot(options_.state_file);
  if (snap.state) record_changes(*snap.state, tier, entry_id);
}

CheckOutcome StateGuard::check(const StateCheckContext& context, const std::string& previous_entry_id) {
  CheckOutcome out;
  StateSnapshot snap = read_snapshot(options_.state_file);
  if (snap.state) record_changes(*snap.state, context.tier, previous_entry_id);
  StateCheckContext ctx = context;
  ctx.acknowledged_unix_ms = acknowledged_unix_ms_;
  out.verdict = classify_state(snap, ctx);
  // One degradation of one AUT is reported once, however often the file is rewritten meanwhile.
  if (out.verdict.kind == StateVerdictKind::Degraded && !reported_degraded_.insert(out.verdict.aut_pid).second)
    out.verdict = StateVerdict{};
  if (out.verdict.kind == StateVerdictKind::EndedWithEntry) {
    // The previous entry's own business: said on it, once.
    out.entry_warning = entry_message(out.verdict) + unproven_note(snap);
    if (snap.state) acknowledged_unix_ms_ = snap.state->updated_at_unix_ms;
    return out;
  }
  if (!out.verdict.dirty()) return out;
  out.verdict.what += unproven_note(snap);

  std::string action;
  TimelineEvent ev;
  ev.unix_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  ev.tier = context.tier;
  ev.entry = previous_entry_id;
  ev.pid = out.verdict.aut_pid;
  if (out.verdict.quarantine) {
    try {
      action = "; moved it aside to " + quarantine_state_file(options_.state_file).string();
    } catch (const std::exception& e) {
      action = "; " + std::string(e.what());
    }
    ev.event = TimelineKind::Corrupt;
    ev.reason = out.verdict.what + action;
    timeline_.push_back(ev);
    last_.reset();
  } else if (out.verdict.stop_aut && snap.state) {
    action = snap.inspection.aut_alive
                 ? stop_recorded_aut(*snap.state, options_.term_grace, options_.kill_wait)
                 : stop_group_remnants(snap.group_remnants, options_.term_grace, options_.kill_wait);
    ev.event = TimelineKind::LeakStopped;
    ev.reason = out.verdict.what + action;
    timeline_.push_back(ev);
  }
  if (snap.state) acknowledged_unix_ms_ = snap.state->updated_at_unix_ms;
  DirtyStart d;
  d.kind = out.verdict.kind;
  d.message = warning_message(out.verdict, ctx, action);
  out.warning = warn_line(d.message);
  d.previous_entry = context.previous_entry;
  d.aut_pid = out.verdict.aut_pid;
  out.dirty_start = d;
  logger("batcher")->debug("state check before {}: {}", context.next_entry, out.warning);
  return out;
}

}  // namespace livegui::batch
