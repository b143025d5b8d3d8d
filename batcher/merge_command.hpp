#pragma once
// `livegui-batch merge`: the shards' results JSON combined into one report
// set — results JSON, and on request JUnit XML and one report.html with every
// shard's entries, warnings and AUT timeline (lanes per shard) — plus the
// small durations file the next sharded run balances by (--durations).

#include <filesystem>
#include <ostream>
#include <vector>

namespace livegui::batch {

struct MergeOptions {
  std::filesystem::path output;  ///< the merged results JSON
  std::vector<std::filesystem::path> inputs;
  std::filesystem::path junit;      ///< empty: none
  std::filesystem::path html;       ///< empty: none
  std::filesystem::path durations;  ///< empty: durations.json next to `output`
};

/// Reads every input, writes the merged files. Returns the exit code of the
/// merged results (1 when a shard is missing), 2 on bad input or when a file
/// cannot be written.
int run_merge(const MergeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace livegui::batch
