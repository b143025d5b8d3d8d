#include "batcher/run/orphans.hpp"

#include <dirent.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>

#include "common/backoff.hpp"
#include "common/environment.hpp"
#include "common/log.hpp"
#include "common/proc_info.hpp"
#include "common/stop_escalation.hpp"
#include "harness/subprocess.hpp"

namespace livegui::batch {
using Clock = std::chrono::steady_clock;

bool become_child_subreaper() { return ::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0; }

namespace {

std::set<pid_t>& excluded() {
  static std::set<pid_t> pids;
  return pids;
}

/// Our direct children but the excluded. /proc/self/task/*/children is cheap (no scan of
/// every process); without it (CONFIG_PROC_CHILDREN off) scan /proc.
std::vector<ProcStat> children_of_self() {
  std::vector<ProcStat> out;
  pid_t self = ::getpid();
  bool have_children_files = false;
  if (DIR* tasks = ::opendir("/proc/self/task")) {
    while (dirent* t = ::readdir(tasks)) {
      if (t->d_name[0] == '.') continue;
      std::ifstream in(std::string("/proc/self/task/") + t->d_name + "/children");
      if (!in) continue;
      have_children_files = true;
      long pid = 0;
      while (in >> pid)  // the excluded (the reaper) are nobody's orphans: not read at each sweep
        if (!excluded().count(static_cast<pid_t>(pid)))
          if (auto st = read_proc_stat(static_cast<pid_t>(pid))) out.push_back(*st);
    }
    ::closedir(tasks);
  }
  if (have_children_files) return out;
  DIR* dir = ::opendir("/proc");
  if (!dir) return out;
  while (dirent* entry = ::readdir(dir)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    auto st = read_proc_stat(static_cast<pid_t>(pid));
    if (st && st->ppid == self) out.push_back(*st);
  }
  ::closedir(dir);
  return out;
}

}  // namespace

void exclude_from_orphans(pid_t pid) { excluded().insert(pid); }

std::vector<pid_t> adopted_children(const std::set<pid_t>& ours) {
  std::vector<pid_t> out;
  for (const auto& st : children_of_self()) {
    if (ours.count(st.pid) || excluded().count(st.pid)) continue;
    if (st.state == 'Z') {
      ::waitpid(st.pid, nullptr, WNOHANG);
      continue;
    }
    out.push_back(st.pid);
  }
  return out;
}

std::size_t reap_adopted_zombies(const std::set<pid_t>& ours) {
  std::size_t reaped = 0;
  for (const auto& st : children_of_self()) {
    if (st.state != 'Z' || ours.count(st.pid) || excluded().count(st.pid)) continue;
    if (::waitpid(st.pid, nullptr, WNOHANG) == st.pid) ++reaped;
  }
  return reaped;
}

std::vector<DeadExcluded> reap_dead_excluded() {
  std::vector<DeadExcluded> dead;
  for (auto it = excluded().begin(); it != excluded().end();) {
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(*it), &info, WEXITED | WNOHANG) == 0 && info.si_pid == *it) {
      ExitStatus st = info.si_code == CLD_EXITED ? ExitStatus::exited(info.si_status)
                                                 : ExitStatus::killed(info.si_status, info.si_code == CLD_DUMPED);
      dead.push_back({*it, st.describe()});
      it = excluded().erase(it);
    } else {
      ++it;
    }
  }
  return dead;
}

std::string StoppedOrphan::describe() const { return "pid " + std::to_string(pid) + " (" + comm + ")"; }

namespace {

/// What we know of `pid` before stopping it: its name, and the entry whose
/// environment it inherited (read now: once it is gone, so is /proc/<pid>).
StoppedOrphan orphan_facts(pid_t pid) {
  StoppedOrphan o;
  o.pid = pid;
  auto st = read_proc_stat(pid);
  o.comm = st ? st->comm : std::string("?");
  o.start_time = st ? st->start_time : 0;
  o.entry = environ_value(pid, env::kBatchEntry).value_or("");
  return o;
}

}  // namespace

std::vector<StoppedOrphan> stop_adopted_children(const std::set<pid_t>& ours, std::chrono::milliseconds term_grace,
                                                 std::chrono::milliseconds kill_wait) {
  std::vector<StoppedOrphan> stopped;
  std::vector<pid_t> pids = adopted_children(ours);
  if (pids.empty()) return stopped;
  pid_t own_group = ::getpgrp();
  auto signal_all = [&](int sig) {
    bool any = false;
    // Ours by ancestry: our children (adopted as a subreaper) and theirs.
    std::set<pid_t> descendants;
    for (pid_t d : descendants_of(::getpid())) descendants.insert(d);
    for (pid_t p : pids) {
      auto st = read_proc_stat(p);
      if (!st || st->state == 'Z') {
        ::waitpid(p, nullptr, WNOHANG);  // died before we got to it: reap
        continue;
      }
      if (st->ppid != ::getpid()) continue;
      // Its whole group only when every member descends from us (and it is
      // not our own group): a group id says nothing about who is in it.
      bool group_is_ours = st->pgid > 0 && st->pgid != own_group;
      if (group_is_ours)
        for (pid_t m : processes_in_group(st->pgid))
          if (!descendants.count(m)) group_is_ours = false;
      if (group_is_ours)
        any |= ::kill(-st->pgid, sig) == 0;
      else
        any |= ::kill(p, sig) == 0;
    }
    return any;
  };
  for (pid_t p : pids) stopped.push_back(orphan_facts(p));
  auto all_gone = [&] {
    bool alive = false;
    for (pid_t p : pids) {
      ::waitpid(p, nullptr, WNOHANG);  // they are our children: reap
      auto st = read_proc_stat(p);
      if (st && st->state != 'Z' && st->ppid == ::getpid()) alive = true;
    }
    return !alive;
  };
  StopTarget target{signal_all, [&](Clock::time_point deadline) { return poll_until(all_gone, deadline); }};
  if (escalate_stop(target, term_grace, kill_wait).outcome == StopOutcome::Stuck)
    logger("batcher")->error("adopted processes still alive after SIGKILL: moving on");
  // A process that forks while it is being stopped (a re-forking daemon)
  // leaves a new generation behind, adopted by us in turn: sweep again until
  // none is left, bounded by kill_wait. They already had their SIGTERM.
  const auto until = Clock::now() + kill_wait;
  for (int round = 0; round < 50 && Clock::now() < until; ++round) {
    pids = adopted_children(ours);
    if (pids.empty()) break;
    for (pid_t p : pids) stopped.push_back(orphan_facts(p));
    signal_all(SIGKILL);
    poll_until(all_gone, std::min(until, Clock::now() + std::chrono::milliseconds(200)));
  }
  return stopped;
}

}  // namespace livegui::batch
