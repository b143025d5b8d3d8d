#pragma once
// What an entry's own harness did to the AUT while the entry ran, said as
// warnings of that entry: in file scope the test binary owns its AUT, and
// when test N kills or degrades it and test N+1 respawns it, the file carries
// on — nothing is left for the next entry's state check to report, so without
// this the break would be only an event of the AUT timeline (issue 12 item 1:
// every report names the file, the test and how the AUT died, in every scope
// and position). In session scope the same story is the guest replacement
// warning (aut_session.hpp); a break the entry did not recover from is the
// next entry's dirty start (state_check.hpp).

#include <cstddef>
#include <string>
#include <vector>

#include "batcher/results.hpp"

namespace livegui::batch {

/// One warning per death or degradation of the AUT that `entry_id` recorded
/// in `timeline[from…]` and that a respawn in the same entry then replaced:
/// "during <entry_name>, the AUT (pid P) died during T (AUT pid P: SIGSEGV
/// during T); the test binary respawned it as pid Q and the file carried on".
/// `respawner` names who did ("the test binary"; for a pytest entry
/// "pytest's livegui-aut"). The test is named when the state file recorded
/// one (never the batcher's stand-in "livegui-batch.<entry>"); a break
/// without a respawn after it in the entry gives nothing here. Pure: reads
/// `timeline`, nothing else.
std::vector<std::string> in_entry_respawn_warnings(const std::vector<TimelineEvent>& timeline, std::size_t from,
                                                   const std::string& entry_id, const std::string& entry_name,
                                                   const std::string& respawner = "the test binary");

}  // namespace livegui::batch
