#pragma once
// Combining the reports of several shards (or runs) into one.

#include <vector>

#include "batcher/results.hpp"

namespace livegui::batch {

/// Entries are concatenated in input order (a unit reported twice keeps the
/// run that actually ran it); tiers are united in first-seen order with the
/// longest duration (shards run side by side); the AUT timeline is merged by
/// time. A shard set with a missing or repeated index is noted, and makes
/// the merged exit code 1: the results are incomplete.
BatchResults merge_results(const std::vector<BatchResults>& parts);

}  // namespace livegui::batch

namespace livegui::batch {

/// The shard a report came from, as the merged page names it: "shard 2/3",
/// or "report 2" for an unsharded one (the 2nd input).
std::string shard_label(const BatchResults& part, std::size_t input_index);

/// What merge --html draws its timeline from: `merged` with every tier split
/// into one group of lanes per shard ("live · shard 2/3"), each shard's AUT
/// lifetimes and entries in its own group. Entries keep merged's order (the
/// page's links index them).
BatchResults timeline_by_shard(const BatchResults& merged, const std::vector<BatchResults>& parts);

}  // namespace livegui::batch
