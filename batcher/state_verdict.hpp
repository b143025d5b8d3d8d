#pragma once
// What the batcher found the AUT's state to be before an entry (state file
// and /proc: batcher/run/state_check.hpp), and so the kind of dirty start an
// entry's result carries in every report (results.json "dirty_start.kind",
// junit.xml's livegui.dirty_start, the console's "[dirty start: dead]").

#include <optional>
#include <string_view>

namespace livegui::batch {

enum class StateVerdictKind {
  Clean,           ///< nothing recorded, or a clean end
  Dead,            ///< the recorded AUT is gone without a clean stop
  Degraded,        ///< it lives, but is recorded (or found) degraded
  Leaked,          ///< it (or its group) still runs with nobody owning it
  Foreign,         ///< the state file names an AUT of another owner
  Corrupt,         ///< the state file cannot be read
  Stale,           ///< left by a run that is gone (a killed livegui-batch)
  EndedWithEntry,  ///< it went down with the previous entry that owned it: that entry's warning, no dirty start
};

/// "clean", "dead", "degraded", "leaked", "foreign", "corrupt", "stale",
/// "ended-with-entry": the spelling in every report.
const char* to_string(StateVerdictKind kind);

/// The inverse of to_string(); nullopt for anything else.
std::optional<StateVerdictKind> parse_state_verdict_kind(std::string_view text);

}  // namespace livegui::batch
