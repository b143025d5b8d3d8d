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
