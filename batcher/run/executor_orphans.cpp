// The executor's process hygiene between entries: children stuck after
// SIGKILL reaped when they finally exit, and orphans (grandchildren adopted
// by us as child subreaper) stopped and charged to the entry that left them.
#include "batcher/run/executor.hpp"

#include <map>
#include <set>

#include "batcher/run/executor_job.hpp"
#include "batcher/run/orphans.hpp"
#include "batcher/run/state_check.hpp"
#include "batcher/run/state_guard.hpp"
#include "batcher/warning.hpp"
#include "common/backoff.hpp"
#include "common/log.hpp"
#include "common/proc_info.hpp"

namespace livegui::batch {

void Executor::reap_stuck() {
  // Each is still our child: its pidfd names it, never a pid since reused.
  for (auto it = stuck_.begin(); it != stuck_.end();) {
    if (auto status = it->try_wait()) {
      logger("batcher")->info("pid {} (stuck after SIGKILL) finally exited ({}); reaped it", it->pid(),
                              status->describe());
      it = stuck_.erase(it);
    } else {
      ++it;
    }
  }
}

void Executor::reap_orphan_zombies() {
  const auto now = std::chrono::steady_clock::now();
  if (now < next_zombie_reap_) return;
  next_zombie_reap_ = now + options_.tick;
  std::set<pid_t> ours = session_children_;
  for (const auto& j : running_) ours.insert(j->proc.pid());
  for (const auto& s : stuck_) ours.insert(s.pid());
  // The reaper, which stops what this run started should the batcher be
  // SIGKILLed: its death changes nothing now, but that promise is gone.
  for (const auto& r : reap_dead_excluded())
    display_.warning(warn_line("the run's reaper (pid " + std::to_string(r.pid) + ") died (" + r.how +
                               "); the run goes on, but if the batcher is now SIGKILLed, what it started keeps running "
                               "until the next run on this host finds it (by the run's cgroup or its state file)"));
  if (auto n = reap_adopted_zombies(ours))
    logger("batcher")->debug("reaped {} exited orphan{} of running entries", n, n == 1 ? "" : "s");
}

void Executor::sweep_orphans(const std::string& tier, EntryResult* blame,
                             std::vector<std::optional<EntryResult>>& earlier) {
  std::set<pid_t> ours;
  for (pid_t p : session_children_) ours.insert(p);
  for (const auto& s : stuck_) ours.insert(s.pid());  // ours already, reaped when they exit
  if (stopped_an_entry_ && !killed_) {
    // Our own stop reaches past the entry's group: what dies with it on its
    // own within a moment (a runner's helper, and the AUT it owned, through
    // PDEATHSIG) went with the stop: neither an orphan nor a leaked AUT.
    poll_for([&] { return adopted_children(ours).empty(); },
             std::min<std::chrono::milliseconds>(options_.term_grace, std::chrono::seconds(2)));
  }
  stopped_an_entry_ = false;
  // An AUT the state file records is the state check's to judge (and to name
  // in its warning), not an anonymous orphan.
  if (guard_) {
    StateSnapshot snap = read_snapshot(guard_->state_file());
    if (snap.state && snap.state->aut && snap.inspection.aut_alive)
      for (pid_t p : processes_in_group(snap.state->aut->pgid)) ours.insert(p);
  }
  auto stopped = stop_adopted_children(ours, options_.term_grace, options_.kill_wait);
  std::vector<EndedEntry> ended;
  ended.swap(ended_since_sweep_);
  if (stopped.empty() || !blame) return;
  auto result_of = [&](const std::string& id) -> EntryResult* {
    if (id == blame->id) return blame;
    for (auto& r : earlier)
      if (r && r->id == id) return &*r;
    return nullptr;
  };
  // Each to the entry it came from (LIVEGUI_BATCH_ENTRY, inherited): with
  // several entries at once, or a process that appeared after its entry's
  // sweep, that is not always the entry that just ended.
  std::map<EntryResult*, std::vector<StoppedOrphan>> by_entry;
  // One whose environment names no entry (`env -i`, a daemon that rebuilt
  // its environment) came from one of the entries that ended since the last
  // sweep and had started before it did (trial13b N5: not one that started
  // after it). One such entry: that one. Several: which one is not known,
  // and the warning is the tier's, stored on none of them.
  std::map<std::vector<std::string>, std::vector<StoppedOrphan>> unnamed;
  for (auto& o : stopped) {
    EntryResult* to = blame;
    if (!o.entry.empty()) {
      if (EntryResult* r = result_of(o.entry)) to = r;
    } else {
      std::vector<std::string> could_be;
      for (const auto& e : ended)
        if (o.start_time == 0 || e.started == 0 || e.started <= o.start_time) could_be.push_back(e.id);
      if (could_be.empty())  // started before every entry since the sweep: any of them was running then
        for (const auto& e : ended) could_be.push_back(e.id);
      if (could_be.size() > 1) {
        unnamed[could_be].push_back(std::move(o));
        continue;
      }
      if (could_be.size() == 1)
        if (EntryResult* r = result_of(could_be.front())) to = r;
    }
    by_entry[to].push_back(std::move(o));
  }
  for (auto& [entry, list] : by_entry) {
    std::string pids;
    for (const auto& o : list) pids += (pids.empty() ? "" : ", ") + o.describe();
    std::string w = entry->name + " left " + pids + " running after it ended (orphaned";
    if (entry != blame) w += "; found when " + blame->name + " ended";
    w += "); stopped " + std::string(list.size() == 1 ? "it" : "them");
    entry->warnings.push_back(w);
    // The blamed entry's warnings are printed with its result; an earlier one's now.
    if (entry != blame) display_.warning(entry_warn_line(tier, w));
  }
  for (auto& [ids, list] : unnamed) {
    std::string pids, who;
    for (const auto& o : list) pids += (pids.empty() ? "" : ", ") + o.describe();
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const EntryResult* r = result_of(ids[i]);
      who += (i == 0 ? "" : i + 1 == ids.size() ? " or " : ", ") + (r ? r->name : ids[i]);
    }
    std::string line = entry_warn_line(
        tier, pids + " left running (orphaned) by " + who +
                  ": its environment names no entry (LIVEGUI_BATCH_ENTRY was removed), so which one is not known; "
                  "found when " + blame->name + " ended; stopped " + std::string(list.size() == 1 ? "it" : "them"));
    display_.warning(line);
    if (tier_result_) tier_result_->warnings.push_back(line);
  }
}

}  // namespace livegui::batch
