#pragma once
// Entry durations for balancing shards (--durations FILE), kept small enough
// to cache between CI runs: `merge` writes one next to the merged report.
//
//   {"format": "livegui-batch-durations", "version": 1,
//    "durations": {"unit/test_io": 1.25, "live/test_workflow": 14.2}}   (seconds)

#include <filesystem>
#include <map>
#include <string>

namespace livegui::batch {

inline constexpr const char* kDurationsFormat = "livegui-batch-durations";

/// Entry id ("tier/name") → seconds.
using Durations = std::map<std::string, double>;

/// Reads a durations file, or any results JSON (a shard's, a merged one):
/// what --durations accepts. Throws std::runtime_error naming the file and
/// what is wrong with it.
Durations read_durations(const std::filesystem::path& file);

/// Writes a durations file atomically. Throws std::runtime_error.
void write_durations(const std::filesystem::path& file, const Durations& durations);

}  // namespace livegui::batch
