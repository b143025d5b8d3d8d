#pragma once
// The AUT timeline of report.html, an inline SVG on one time axis from the
// batch start: per tier, a lane with each AUT process's lifetime (a bar from
// its spawn or respawn, green while healthy, orange from the moment it was
// seen degraded, ending in a crimson cross when it died, a square when it was
// stopped), and under it one row per entry (a bar coloured by result, its
// tests as ticks where they ended). A death or degradation is also a dashed
// vertical line through every row, so the entry and test it crosses is the
// one that was running. Respawns (blue) and dirty starts (yellow triangles)
// are marked; every mark has a <title> tooltip with its reason.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "batcher/results.hpp"

namespace livegui::batch {

/// The timeline's colours (docs/report.md explains them; tests look for them).
struct TimelineColours {
  static constexpr const char* kBackground = "#eef2f7";
  static constexpr const char* kHealthy = "#37b24d";
  static constexpr const char* kDegraded = "#f76707";
  static constexpr const char* kDead = "#c2255c";
  static constexpr const char* kRespawn = "#1971c2";
  static constexpr const char* kDirty = "#fab005";
};

/// Fill of a result's bar or badge, and the darker ink of its test ticks.
const char* result_fill(ResultCode code);
const char* result_ink(ResultCode code);

/// How an AUT's lifetime ended on the timeline.
enum class LifetimeEnd { Death, Stopped, LeakStopped, Replaced };

/// One AUT process as the timeline draws it, rebuilt from results.aut_timeline.
struct AutLifetime {
  pid_t pid = 0;
  std::string tier;
  std::int64_t start_ms = 0;  ///< its spawn/respawn event; the tier's start when not seen
  bool start_seen = false;    ///< false: it was running before we saw it
  bool respawn = false;       ///< it replaced an earlier AUT
  std::string start_reason;
  std::int64_t degraded_ms = -1;  ///< first seen degraded; -1 never
  std::string degraded_reason;
  std::int64_t end_ms = -1;  ///< death / stop; -1 still running when the batch ended
  /// How it ended: Death, Stopped or LeakStopped as recorded; Replaced when a
  /// later start in its tier replaced it without an end being recorded;
  /// std::nullopt: still running when the batch ended.
  std::optional<LifetimeEnd> end_kind;
  std::string end_reason;
  int lane = 0;  ///< row within its tier's AUT lanes (lifetimes that overlap)
};

/// Lifetimes in start order. `batch_start_ms` stands in for starts not seen.
std::vector<AutLifetime> aut_lifetimes(const std::vector<TimelineEvent>& events, std::int64_t batch_start_ms);

/// The id of entry `index`'s section in the page (the timeline links to it).
std::string entry_anchor(std::size_t index);

/// The <svg> element (width 100%, scales with the page).
std::string timeline_svg(const BatchResults& results);

}  // namespace livegui::batch
