#include "batcher/run/in_entry_respawns.hpp"

#include <optional>

#include "harness/app_handle.hpp"

namespace livegui::batch {

std::vector<std::string> in_entry_respawn_warnings(const std::vector<TimelineEvent>& timeline, std::size_t from,
                                                   const std::string& entry_id, const std::string& entry_name,
                                                   const std::string& respawner) {
  std::vector<std::string> out;
  std::optional<TimelineEvent> open;  // the last break not yet followed by a respawn
  for (std::size_t i = from; i < timeline.size(); ++i) {
    const TimelineEvent& ev = timeline[i];
    if (ev.entry != entry_id) continue;
    if (ev.event == TimelineKind::Death || ev.event == TimelineKind::Degraded) {
      // A degraded AUT that then dies (the harness stopped it) is one break.
      if (!(open && open->pid == ev.pid)) open = ev;
      continue;
    }
    if (ev.event != TimelineKind::Respawn || !open || ev.pid == open->pid) continue;
    const bool stand_in = is_batcher_stand_in(open->test);
    const std::string during = open->test.empty() || stand_in ? std::string() : " during " + open->test;
    std::string what = open->event == TimelineKind::Death ? "died" : "degraded";
    out.push_back("during " + entry_name + ", the AUT (pid " + std::to_string(open->pid) + ") " + what + during + " (" +
                  open->reason + "); " + respawner + " respawned it as pid " + std::to_string(ev.pid) +
                  " and the file carried on");
    open.reset();
  }
  return out;
}

}  // namespace livegui::batch
